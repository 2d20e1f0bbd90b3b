"""Forms of the clerk workspace: they validate input; the services decide."""

from __future__ import annotations

import csv
import io
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.ids import parse_id_number
from cases.models import EVENT_NOTE_MAX_LENGTH, TRANSITION_RULES, CaseDuplicate, Side, TransferCase
from regions.models import Agency, City, InsuranceType

# The columns of the contribution upload, in the order of the downloadable template.
CSV_COLUMNS = (
    "insurance_type", "city_code", "start_month", "end_month", "monthly_base", "personal_account_credit", "paid",
)
MONTH = re.compile(r"^\d{4}-\d{2}$")
CSV_MAX_BYTES = 1024 * 1024
CSV_MAX_ROWS = 500
PAID_WORDS = {
    "": True, "1": True, "true": True, "yes": True, "y": True, "是": True, "已缴": True,
    "0": False, "false": False, "no": False, "n": False, "否": False, "欠缴": False, "未缴": False,
}


def _helper(key: str, action: str = "", submit: str | None = None, method: str = "post") -> FormHelper:
    """`key` names the form's submit button: the case page holds many forms, and ids must stay unique."""
    helper = FormHelper()
    helper.form_method = method
    helper.form_action = action
    helper.form_id = f"form-{key}"
    if submit:
        helper.add_input(Submit("submit", submit, css_id=f"submit-{key}"))
    return helper


class FilterableSelect(forms.Select):
    """A long select that static/js/select-filter.js gives a type-to-filter box."""

    def __init__(self, attrs: dict | None = None, choices: object = ()) -> None:
        super().__init__({
            "data-filterable": "true", "data-filter-placeholder": _("Type a city name to narrow the list"),
            **(attrs or {}),
        }, choices)


class IdNumberField(forms.CharField):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("ID number"))
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"})
        )
        super().__init__(**kwargs)

    def clean(self, value: str) -> str:
        return parse_id_number(super().clean(value)).id_number


class WorkerLookupForm(forms.Form):
    id_number = IdNumberField(help_text=_("18 characters, as on the resident identity card."))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("lookup", submit=_("Find the worker"), method="get")


class WorkerRegisterForm(forms.Form):
    id_number = IdNumberField()
    name = forms.CharField(label=_("Name"), max_length=64)
    hukou_city = forms.ModelChoiceField(
        label=_("Hukou city"), queryset=City.objects.select_related("province").order_by("code"),
        widget=FilterableSelect, help_text=_("Where the household registration is."), empty_label=_("Choose a city"),
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("If given, the worker is told of every step by e-mail.")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("register", submit=_("Register the worker"))
        self.helper.form_tag = False


class CaseOpenForm(forms.Form):
    insurance_type = forms.ChoiceField(label=_("Insurance type"), choices=InsuranceType.choices)
    our_side = forms.ChoiceField(
        label=_("Our agency is"), widget=forms.RadioSelect,
        choices=[
            (Side.ORIGIN, _("the origin: the worker is leaving our area")),
            (Side.DESTINATION, _("the destination: the worker is arriving in our area")),
        ],
    )
    other_agency = forms.ModelChoiceField(
        label=_("Other agency"), queryset=Agency.objects.none(), widget=FilterableSelect,
        empty_label=_("Choose the other agency"),
    )
    approved_transfer_reference = forms.CharField(
        label=_("Approved-transfer reference"), max_length=64, required=False,
        help_text=_("Only for a transfer approved by an organisation or HR department; it exempts the age rule."),
    )

    def __init__(self, *args: object, own_agency: Agency, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["other_agency"].queryset = (
            Agency.objects.filter(is_active=True).exclude(pk=own_agency.pk).select_related("city__province")
            .order_by("city_id", "code")
        )
        self.fields["other_agency"].label_from_instance = lambda agency: f"{agency.city} · {agency.name}"
        self.helper = _helper("open", submit=_("Open the case"))
        self.helper.form_tag = False


class MonthField(forms.CharField):
    """A month as YYYY-MM; the browser offers a month picker where it has one."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"})

    def clean(self, value: str) -> str:
        value = super().clean(value).strip()
        if not MONTH.match(value) or not 1 <= int(value[5:]) <= 12:
            raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2024-06."))
        return value


class ContributionPeriodForm(forms.Form):
    insurance_type = forms.ChoiceField(label=_("Insurance type"), choices=InsuranceType.choices)
    start_month = MonthField(label=_("First month"))
    end_month = MonthField(label=_("Last month"))
    monthly_base = forms.DecimalField(label=_("Monthly base"), min_value=0, max_digits=14, decimal_places=2)
    personal_account_credit = forms.DecimalField(
        label=_("Personal account credit per month"), min_value=0, max_digits=14, decimal_places=2, required=False,
        # xgettext:no-python-format (the percent signs are literal)
        help_text=_("Leave empty to use 11% of the base before 2006 and 8% from 2006."),
    )
    paid = forms.BooleanField(
        label=_("Paid"), required=False, initial=True, help_text=_("Untick for months that are owed (arrears).")
    )

    def __init__(self, *args: object, action: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("period", action, _("Record the period"))

    def record(self, city_code: str) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "insurance_type": data["insurance_type"], "city_code": city_code,
            "start_month": data["start_month"], "end_month": data["end_month"],
            "monthly_base": str(data["monthly_base"]),
            "personal_account_credit": "" if data["personal_account_credit"] is None
            else str(data["personal_account_credit"]),
            "paid": data["paid"],
        }


class ContributionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_("UTF-8 or GBK, one period per row, with the template's header row. All rows or none are stored."),
    )

    def __init__(self, *args: object, action: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("upload", action, _("Upload and check"))

    def clean_file(self) -> list[dict[str, object]]:
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise ValidationError(_("The file is larger than 1 MB."))
        raw = upload.read()
        # Spreadsheets on Chinese Windows save CSV as GBK; everything else sends UTF-8.
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("The file is neither UTF-8 nor GBK text."))
        reader = csv.DictReader(io.StringIO(text))
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in CSV_COLUMNS if name not in header and name not in ("personal_account_credit", "paid")]
        if missing:
            raise ValidationError(
                _("The header row lacks the columns %(columns)s; start from the template.")
                % {"columns": ", ".join(missing)}
            )
        records = []
        for row in reader:
            cells = {(key or "").strip(): (value or "").strip() for key, value in row.items()}
            if not any(cells.values()):
                continue
            paid = cells.get("paid", "")
            records.append({
                **{name: cells.get(name, "") for name in CSV_COLUMNS if name != "paid"},
                # Unknown words go through as they are, so the row's error names the column.
                "paid": PAID_WORDS.get(paid.lower(), paid),
            })
        if not records:
            raise ValidationError(_("The file holds no period."))
        if len(records) > CSV_MAX_ROWS:
            raise ValidationError(_("Upload at most %(rows)s rows at a time.") % {"rows": CSV_MAX_ROWS})
        return records


# Steps that cannot be taken back open a short form first that says what they do, so a stray click does nothing.
TRANSITION_WARNINGS = {
    "issue_agreement": _(
        "The figures are frozen as they stand now and printed on the agreement; the destination agency is told. "
        "Check the contribution history first."
    ),
}


class TransitionForm(forms.Form):
    """The note of one transition: a reason where the rule asks for one, a confirmation where it closes the case."""

    note = forms.CharField(
        label=_("Note"), required=False, max_length=EVENT_NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(label=_("I understand that this closes the case for good."), required=True)

    def __init__(self, *args: object, case: TransferCase, name: str, **kwargs: object) -> None:
        kwargs.setdefault("prefix", name)
        super().__init__(*args, **kwargs)
        self.rule = TRANSITION_RULES[name]
        if self.rule.reason_required:
            self.fields["note"].required = True
            self.fields["note"].label = _("Reason (sent to the other party)")
        if not self.rule.terminal:
            del self.fields["confirm"]
        self.helper = _helper(name, reverse("cases:transition", args=[case.reference, name]))
        self.helper.add_input(Submit(
            "submit", self.rule.label, css_id=f"submit-{name}",
            css_class="btn-danger" if self.rule.terminal else "btn-primary",
        ))

    @property
    def needs_input(self) -> bool:
        """A transition without reason, confirmation or warning runs from a single button."""
        return self.rule.reason_required or self.rule.terminal or self.rule.name in TRANSITION_WARNINGS

    @property
    def warning(self) -> str:
        return TRANSITION_WARNINGS.get(self.rule.name, "")


class DuplicateResolveForm(forms.Form):
    keep_city_code = forms.ChoiceField(
        label=_("Keep the relationship in"), widget=forms.RadioSelect,
        help_text=_("The decision is final: the other area refunds its personal-account credits for these months, "
                    "with interest."),
    )

    def __init__(self, *args: object, case: TransferCase, duplicate: CaseDuplicate, **kwargs: object) -> None:
        kwargs.setdefault("prefix", f"duplicate-{duplicate.pk}")
        super().__init__(*args, **kwargs)
        self.duplicate = duplicate
        self.fields["keep_city_code"].choices = [
            (duplicate.first_city_id, str(duplicate.first_city)),
            (duplicate.second_city_id, str(duplicate.second_city)),
        ]
        self.helper = _helper(
            f"duplicate-{duplicate.pk}", reverse("cases:resolve_duplicate", args=[case.reference, duplicate.pk]),
            _("Record the decision"),
        )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note to the other agency"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
        help_text=_("Only the two agencies see notes; the worker does not."),
    )

    def __init__(self, *args: object, case: TransferCase, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("note", reverse("cases:add_note", args=[case.reference]), _("Add the note"))


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: object, case: TransferCase, max_megabytes: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, JPEG or PNG, up to %(size)s MB.") % {"size": max_megabytes}
        self.helper = _helper("attachment", reverse("cases:add_attachment", args=[case.reference]), _("Upload"))
