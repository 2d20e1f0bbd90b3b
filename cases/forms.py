"""Forms of the clerk workspace: they validate input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Hidden, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from cases import selectors
from cases.ids import parse_id_number
from cases.models import EVENT_NOTE_MAX_LENGTH, TRANSITION_RULES, CaseDuplicate, ContributionPeriod, Side, TransferCase
from cases.people import person_name
from cases.services import parse_month
from cases.tables import MAX_BYTES, ContributionTable, read_contribution_table
from regions.models import Agency, City, InsuranceType


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
    """An ID number as people type it: with spaces or hyphens, full-width digits or a small x (cases.ids)."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("ID number"))
        # Room for the separators; the number itself is checked after normalising, never cut to length.
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={
                "autocomplete": "off", "spellcheck": "false", "inputmode": "text", "autocapitalize": "characters",
            })
        )
        super().__init__(**kwargs)

    def clean(self, value: str) -> str:
        return parse_id_number(super().clean(value)).id_number


class PhoneField(PhoneNumberField):
    """A phone number checked by the phonenumbers library, read as Chinese without a prefix; cleaned to E.164.

    The worker register form, the portal's application, the API (cases.api.serializers.PhoneField) and the
    admin (the model field) all read it this way.
    """

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("Phone"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("help_text", _("A mobile or landline number, e.g. 138 0013 8000 or 0755-8888 1234."))
        super().__init__(region="CN", **kwargs)
        self.widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})

    def clean(self, value: object) -> str:
        number = super().clean(value)
        return number.as_e164 if number else ""


class WorkerLookupForm(forms.Form):
    """Posted, never in a query string: an ID number must not end up in URLs, browser history or proxy logs."""

    id_number = IdNumberField(
        help_text=_("18 characters, as on the resident identity card or the Hong Kong, Macao or Taiwan residence "
                    "permit; spaces and hyphens are fine.")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("lookup", submit=_("Find the worker"))
        self.helper.add_input(Hidden("action", "lookup"))


class WorkerRegisterForm(forms.Form):
    id_number = IdNumberField()
    name = forms.CharField(label=_("Name"), max_length=64)
    hukou_city = forms.ModelChoiceField(
        label=_("Hukou city"), queryset=City.objects.select_related("province").order_by("code"),
        widget=FilterableSelect, help_text=_("Where the household registration is."), empty_label=_("Choose a city"),
    )
    phone = PhoneField(required=False)
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
    """A month as the row parser reads it (2024-06, 2024/6, 202406); the browser offers a month picker."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def clean(self, value: str) -> str:
        value = super().clean(value)
        return f"{parse_month(value):%Y-%m}" if value else value


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
        label=_("CSV or Excel file"),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }),
        help_text=_("CSV (UTF-8 or GBK) or .xlsx, one period per row under a header row in Chinese or English, as in "
                    "the template. All rows or none are stored."),
    )

    def __init__(self, *args: object, action: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper("upload", action, _("Upload and check"))

    def clean_file(self) -> ContributionTable:
        upload = self.cleaned_data["file"]
        # One byte past the limit is enough to refuse a large upload without reading all of it.
        return read_contribution_table(upload.read(MAX_BYTES + 1))


class ContributionCorrectionForm(forms.Form):
    """A period's corrected values and the reason; the service checks them as a batch row is checked."""

    start_month = MonthField(label=_("First month"))
    end_month = MonthField(label=_("Last month"))
    monthly_base = forms.DecimalField(label=_("Monthly base"), min_value=0, max_digits=14, decimal_places=2)
    personal_account_credit = forms.DecimalField(
        label=_("Personal account credit per month"), min_value=0, max_digits=14, decimal_places=2, required=False,
        # xgettext:no-python-format (the percent signs are literal)
        help_text=_("Leave empty to use 11% of the base before 2006 and 8% from 2006."),
    )
    paid = forms.BooleanField(label=_("Paid"), required=False, help_text=_("Tick to settle months that were owed."))
    reason = forms.CharField(
        label=_("Reason for the correction"), max_length=EVENT_NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the version; both agencies of an open case see it."),
    )

    def __init__(self, *args: object, period: ContributionPeriod, action: str = "", **kwargs: object) -> None:
        kwargs.setdefault("initial", {
            "start_month": f"{period.start_month:%Y-%m}", "end_month": f"{period.end_month:%Y-%m}",
            "monthly_base": period.monthly_base, "personal_account_credit": period.personal_account_credit,
            "paid": period.paid,
        })
        super().__init__(*args, **kwargs)
        self.helper = _helper(f"correct-{period.pk}", action, _("Save the correction"))

    def changes(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "start_month": data["start_month"], "end_month": data["end_month"],
            "monthly_base": str(data["monthly_base"]),
            "personal_account_credit": "" if data["personal_account_credit"] is None
            else str(data["personal_account_credit"]),
            "paid": data["paid"],
        }


class ContributionDeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for deleting"), max_length=EVENT_NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The period and its versions stay in the history, marked deleted, with this reason."),
    )
    confirm = forms.BooleanField(label=_("I have checked that this period was recorded in error."))

    def __init__(self, *args: object, period: ContributionPeriod, action: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(f"delete-{period.pk}", action)
        self.helper.add_input(Submit("submit", _("Delete the period"), css_id="submit-delete", css_class="btn-danger"))


# Steps that cannot be taken back open a short form first that says what they do, so a stray click does nothing.
TRANSITION_WARNINGS = {
    "accept_application": _(
        "Accepting registers the worker from the application (or matches the one registered under this ID number) "
        "and sends the contact letter to the origin agency. Check the identity document first."
    ),
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
        self.applicant = self.registered_name = None
        if name == "accept_application":
            self._identity_check(case)
        self.case_reference = case.reference
        self.helper = _helper(name, reverse("cases:transition", args=[case.reference, name]))
        self.helper.add_input(Submit(
            "submit", self.rule.label, css_id=f"submit-{name}",
            css_class="btn-danger" if self.rule.terminal else "btn-primary",
        ))

    def _identity_check(self, case: TransferCase) -> None:
        """The clerk's word that the identity document matches, and which name it shows when two differ."""
        self.applicant = case.applicant
        self.registered_name = selectors.registered_name(case)
        self.fields["identity_checked"] = forms.BooleanField(
            label=_("I have checked the applicant's identity document against the application."), required=True,
        )
        if self.registered_name is not None and self.registered_name != self.applicant.name:
            self.fields["confirmed_name"] = forms.ChoiceField(
                label=_("The name on the identity document"), widget=forms.RadioSelect, choices=[
                    (self.registered_name, _("%(name)s, as registered: the register stays as it is")
                     % {"name": self.registered_name}),
                    (self.applicant.name, _("%(name)s, as applied: the register is corrected")
                     % {"name": self.applicant.name}),
                ],
            )

    @property
    def unbound_shape(self) -> tuple | None:
        """What the form's unbound markup depends on besides the case's reference and the language
        (case_tags.case_form); None where it shows the applicant's names."""
        return None if self.rule.name == "accept_application" else (self.rule.name,)

    @property
    def names_differ(self) -> bool:
        return "confirmed_name" in self.fields

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
        self.case_reference = case.reference
        self.unbound_shape = ()
        self.helper = _helper("note", reverse("cases:add_note", args=[case.reference]), _("Add the note"))


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: object, case: TransferCase, max_megabytes: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, JPEG or PNG, up to %(size)s MB.") % {"size": max_megabytes}
        self.case_reference = case.reference
        self.unbound_shape = (max_megabytes,)
        self.helper = _helper("attachment", reverse("cases:add_attachment", args=[case.reference]), _("Upload"))


class AssigneeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: object) -> str:
        return person_name(obj)


class AssignForm(forms.Form):
    """Who handles the case: a clerk of our agency, or nobody (cases/services/assignment.py decides who may)."""

    assignee = AssigneeField(
        label=_("Assigned to"), queryset=None, required=False, empty_label=_("Nobody"),
        error_messages={"invalid_choice": _("Choose an active clerk of your agency.")},
    )

    def __init__(self, *args: object, agency_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = get_user_model().objects.filter(
            membership__agency_id=agency_id, is_active=True
        ).order_by("last_name", "first_name", "username")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        assignee = cleaned.get("assignee")
        cleaned["assignee_id"] = assignee.pk if assignee is not None else None
        return cleaned
class _FundsForm(forms.Form):
    """What a clerk types from the bank's advice; the funds services check it against the case."""

    bank_reference = forms.CharField(label=_("Bank reference"), max_length=64)
    confirm = forms.BooleanField(
        label=_("I have checked these figures against the bank's advice: a record of funds cannot be changed."),
        required=True,
    )
    date_field = ""

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        day = cleaned.get(self.date_field)
        if day and day > timezone.localdate():
            self.add_error(self.date_field, _("The date is in the future."))
        return cleaned


def _money_field(label: str, minimum: Decimal = Decimal("0")) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, min_value=minimum,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class RemittanceForm(_FundsForm):
    pooled_fund = _money_field(_("Pooled fund remitted"))
    personal_account = _money_field(_("Personal account remitted"))
    value_date = _date_field(_("Value date"))
    date_field = "value_date"
    field_order = ["pooled_fund", "personal_account", "bank_reference", "value_date", "confirm"]

    def __init__(self, *args: object, case: TransferCase, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "remittance")
        super().__init__(*args, **kwargs)
        self.fields["pooled_fund"].help_text = _("Must equal the pooled fund that moves.")
        self.fields["personal_account"].help_text = _("Must equal the personal account balance that moves.")
        self.helper = _helper("remittance", reverse("cases:record_remittance", args=[case.reference]),
                              _("Record the remittance"))


class ReceiptForm(_FundsForm):
    amount = _money_field(_("Amount received"), Decimal("0.01"))
    received_on = _date_field(_("Received on"))
    date_field = "received_on"
    field_order = ["amount", "received_on", "bank_reference", "confirm"]

    def __init__(self, *args: object, case: TransferCase, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "receipt")
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = _("Record each arrival as it comes: receipts add up.")
        self.helper = _helper("receipt", reverse("cases:record_receipt", args=[case.reference]), _("Record the receipt"))
