"""Forms of the public worker portal. Field names are a published contract: keep them."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.forms import FilterableSelect, IdNumberField, PhoneField
from cases.ids import normalize_code
from cases.models import EVENT_NOTE_MAX_LENGTH
from cases.selectors import Choices, agency_for_city
from cases.services import sniff_content_type
from regions.models import Agency, City, InsuranceType

# Crockford's reading of look-alike characters, so a code read off paper still works.
MAX_ATTACHMENTS = 5


class LookupForm(forms.Form):
    """Reference and ID number only, and no other check: a typo must look like any other mismatch."""

    reference = forms.CharField(
        label=_("Case reference"), max_length=64, help_text=_("For example TR-2026-7K3M9Q."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    id_number = forms.CharField(
        label=_("ID number"), max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class AccessForm(LookupForm):
    access_code = forms.CharField(
        label=_("Access code"), max_length=32,
        help_text=_("The 8-character code shown when you applied and sent to you by e-mail."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_access_code(self) -> str:
        return normalize_code(self.cleaned_data["access_code"])


class ApplyForm(forms.Form):
    id_number = IdNumberField(
        help_text=_("As on your resident identity card, or your Hong Kong, Macao or Taiwan residence permit."),
    )
    name = forms.CharField(label=_("Name"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    hukou_city = forms.ChoiceField(
        label=_("Hukou city"),
        help_text=_("Where your household is registered; for a Hong Kong, Macao or Taiwan resident, the city that "
                    "issued the residence permit."),
    )
    phone = PhoneField()
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The access code is sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    insurance_type = forms.ChoiceField(label=_("Insurance"), choices=InsuranceType.choices, widget=forms.RadioSelect)
    origin_city = forms.ChoiceField(
        label=_("City you left"), help_text=_("Where you were insured until now; its agency checks your record.")
    )
    destination_city = forms.ChoiceField(
        label=_("City you moved to"), help_text=_("Where you are insured now; your application is lodged there.")
    )
    consent = forms.BooleanField(
        label=_("I confirm these details are mine and agree that both agencies use them and my contribution "
                "records to handle this transfer."),
    )

    def __init__(self, *args: object, every_city: Choices, served_cities: Choices, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        prompt = [("", _("Choose a city"))]
        self.fields["hukou_city"].choices = prompt + every_city
        self.fields["origin_city"].choices = prompt + served_cities
        self.fields["destination_city"].choices = prompt + served_cities
        # Some 340 cities: a box above each list narrows it as the worker types (static/js/select-filter.js).
        for name in ("hukou_city", "origin_city", "destination_city"):
            self.fields[name].widget = FilterableSelect(choices=self.fields[name].choices)

    def clean_hukou_city(self) -> City:
        return City.objects.get(code=self.cleaned_data["hukou_city"])

    # The worker names cities; the agencies follow from them.
    def clean_origin_city(self) -> Agency:
        return self._agency(self.cleaned_data["origin_city"])

    def clean_destination_city(self) -> Agency:
        return self._agency(self.cleaned_data["destination_city"])

    def _agency(self, city_code: str) -> Agency:
        agency = agency_for_city(city_code)
        if agency is None:
            raise forms.ValidationError(_("No agency serves this city at present; choose another."))
        return agency

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        origin, destination = cleaned.get("origin_city"), cleaned.get("destination_city")
        if origin and destination and origin.pk == destination.pk:
            self.add_error("destination_city", _("You stayed in the same city: no transfer is needed."))
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data: object, initial: object = None) -> list[object]:
        clean_one = super().clean
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [clean_one(item, initial) for item in files]


class WorkerFilesForm(forms.Form):
    """Documents from the worker: PDF, JPEG or PNG, checked by content before any of them is stored."""

    attachments = MultipleFileField(
        label=pgettext_lazy("files the worker sends", "Documents"), required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request: a lazy string formatted at import time would freeze one language.
        self.fields["attachments"].help_text = _("PDF, JPEG or PNG; up to %(count)s files of %(size)s MB each.") % {
            "count": MAX_ATTACHMENTS, "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        }

    def clean_attachments(self) -> list[object]:
        # Checked here too so that a bad file is refused before any other is stored.
        files = self.cleaned_data["attachments"]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("Send at most %(count)s files.") % {"count": MAX_ATTACHMENTS})
        for uploaded in files:
            if uploaded.size > settings.ATTACHMENT_MAX_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is larger than %(size)s MB.")
                    % {"name": uploaded.name, "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
                )
            uploaded.seek(0)
            head = uploaded.read(16)
            uploaded.seek(0)
            if sniff_content_type(head) is None:
                raise forms.ValidationError(_("%(name)s is not a PDF, JPEG or PNG file.") % {"name": uploaded.name})
        return files


class ProvideInfoForm(WorkerFilesForm):
    note = forms.CharField(
        label=_("Your answer"), max_length=EVENT_NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you are sending, or why something cannot be sent."),
    )
    field_order = ["note", "attachments"]


class MaterialForm(WorkerFilesForm):
    """Documents the worker sends unasked; the same field names as the answer, a message optional."""

    note = forms.CharField(
        label=_("Message (optional)"), max_length=EVENT_NOTE_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 3}), help_text=_("What the documents are, for the agency."),
    )
    field_order = ["attachments", "note"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].required = True
        self.fields["attachments"].error_messages["required"] = _("Choose at least one file to send.")


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"), max_length=32, help_text=_("Printed under the QR code of the agreement."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if not code.isascii() or not code.isalnum():
            raise forms.ValidationError(_("A verification code has only letters and digits."))
        return code


class AgencySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Province or city"), max_length=64, required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("e.g. 广东 or 深圳")}),
    )
    province = forms.ChoiceField(label=_("Province"), required=False)

    def __init__(self, *args: object, provinces: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("All provinces")), *provinces]
