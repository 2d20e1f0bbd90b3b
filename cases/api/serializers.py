"""The shapes of docs/api.md: input serializers validate, output serializers present; neither decides anything."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from cases import rules
from cases.ids import normalize, validate_id_number
from cases.models import (
    EVENT_NOTE_MAX_LENGTH,
    TRANSITION_RULES,
    Agreement,
    CaseEvent,
    CaseStatus,
    FundsStatus,
    Outcome,
    Side,
    TransferCase,
    Worker,
)
from cases.selectors import agency_for_city
from cases.selectors.funds import case_ledger
from cases.services import parse_money
from regions.models import MONEY, Agency, City, InsuranceType

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# What the row parser reads as a month (cases.services.contributions.MONTH_FORMS); answers always use YYYY-MM.
MONTH_INPUT_PATTERN = r"^\d{4}([-/.]\d{1,2}|\d{2})$"
MONEY_INPUT_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"
# Named once so the schema has one TransitionEnum (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
TRANSITION_NAMES = list(TRANSITION_RULES)


class ErrorSerializer(serializers.Serializer):
    """Every refusal that is not about a field: 401, 403, 404, 409, 429, and 400 for an unmet rule."""

    detail = serializers.CharField(help_text=_("What went wrong, in the caller's language."))
    code = serializers.CharField(
        required=False,
        help_text=_("A stable name for the refusal, e.g. missing_credit_rate, wrong_state, forbidden."),
    )


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2024-06"})
class MonthField(serializers.Field):
    def to_representation(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"


def money(**kwargs: object) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, coerce_to_string=True, **kwargs)


class LookupField(serializers.SlugRelatedField):
    """A reference by code or number that must name an existing row; anything else is a field error."""

    def __init__(self, *, normalize_input: bool = False, max_input_length: int = 32, **kwargs: object) -> None:
        self.normalize_input = normalize_input
        self.max_input_length = max_input_length
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> object:
        # A code sent as a JSON number (440300 rather than "440300") names the same row.
        if isinstance(data, int) and not isinstance(data, bool):
            data = str(data)
        if not isinstance(data, str) or len(data) > self.max_input_length:
            self.fail("invalid")
        return super().to_internal_value(normalize(data) if self.normalize_input else data.strip())


class OptionalTextField(serializers.CharField):
    """Optional text where null, an empty string and leaving the field out all mean "none"."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(required=False, allow_blank=True, allow_null=True, default="", **kwargs)

    def run_validation(self, data: object = serializers.empty) -> object:
        return super().run_validation("" if data is None else data)


# --- directory -------------------------------------------------------------------------------


# Filters: an empty value (?status=&q=) means no filter, as docs/api.md writes its examples.


class AgencyFilterSerializer(serializers.Serializer):
    province = serializers.RegexField(
        r"^(\d{2})?$", required=False, allow_blank=True, help_text=_("2-digit GB/T 2260 province code, e.g. 44.")
    )
    province_code = serializers.RegexField(
        r"^(\d{2})?$", required=False, allow_blank=True, help_text=_("Same as province.")
    )
    city_code = serializers.RegexField(
        r"^(\d{6})?$", required=False, allow_blank=True, help_text=_("6-digit GB/T 2260 city code, e.g. 440300.")
    )
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text=_("Part of the agency's or the city's name.")
    )


class AgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    city_code = serializers.CharField(source="city_id")
    city_name = serializers.CharField(source="city.name")
    province_code = serializers.CharField(source="city.province_id")
    province_name = serializers.CharField(source="city.province.name")
    address = serializers.CharField()
    phone = serializers.CharField()
    hours = serializers.CharField(help_text=_("Opening hours, as the agency gives them."))


# --- workers and contributions ---------------------------------------------------------------


class PhoneField(PhoneNumberField):
    """A phone number read as the forms and the admin read it (phonenumbers, region CN), answered in E.164."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(region="CN", max_length=32, **kwargs)

    def to_internal_value(self, data: object) -> str:
        number = super().to_internal_value(data)
        return number.as_e164 if number else ""


class WorkerCreateSerializer(serializers.Serializer):
    id_number = serializers.CharField(
        max_length=32, validators=[validate_id_number],
        help_text=_("18-character resident ID number (GB 11643-1999), or a Hong Kong, Macao or Taiwan residence "
                    "permit number; spaces, hyphens, full-width digits and a lower-case x are accepted."),
    )
    name = serializers.CharField(max_length=64)
    hukou_city_code = LookupField(
        slug_field="code", queryset=City.objects.all(), help_text=_("6-digit code of the hukou city.")
    )
    phone = PhoneField(required=False, help_text=_("Optional; a Chinese number unless it starts with +."))
    email = serializers.EmailField(required=False, max_length=254)


class WorkerSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    name = serializers.CharField()
    gender = serializers.ChoiceField(choices=["male", "female"])
    birth_date = serializers.DateField()
    hukou_city_code = serializers.CharField(source="hukou_city_id")


class ContributionMonthsSerializer(serializers.Serializer):
    pension = serializers.IntegerField()
    medical = serializers.IntegerField()
    unemployment = serializers.IntegerField()


class WorkerDetailSerializer(WorkerSerializer):
    """The worker with what the rules say about them; the overview comes from the selector, through context."""

    benefit_receipt_province = serializers.SerializerMethodField(
        help_text=_("The 2-digit code of the province where the pension will be drawn (66号 Art. 6).")
    )
    benefit_receipt_province_name = serializers.SerializerMethodField()
    benefit_receipt_reason = serializers.SerializerMethodField(
        help_text=_(
            "Why (66号 Art. 6): hukou = the relationship is in the hukou province; current_ten_years = 10+ years "
            "where it is now; earlier_ten_years = the last earlier place with 10+ years; hukou_fallback = none "
            "of these; no_history = no pension contributions recorded."
        ),
    )
    contribution_months = serializers.SerializerMethodField(
        help_text=_("Paid months counted cumulatively across every city, per insurance type.")
    )

    @extend_schema_field(serializers.RegexField(r"^\d{2}$"))
    def get_benefit_receipt_province(self, worker: Worker) -> str:
        return self.context["overview"].benefit_place.province_code

    @extend_schema_field(serializers.CharField())
    def get_benefit_receipt_province_name(self, worker: Worker) -> str:
        return self.context["overview"].benefit_province_name

    @extend_schema_field(serializers.ChoiceField(choices=rules.BENEFIT_REASONS))
    def get_benefit_receipt_reason(self, worker: Worker) -> str:
        return self.context["overview"].benefit_place.reason

    @extend_schema_field(ContributionMonthsSerializer)
    def get_contribution_months(self, worker: Worker) -> dict:
        return ContributionMonthsSerializer(self.context["overview"].contribution_months).data


class ContributionRecordSerializer(serializers.Serializer):
    """One period as a client sends it; the service validates the whole batch and answers per row."""

    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices)
    city_code = serializers.RegexField(r"^\d{6}$", help_text=_("Must be the city of the caller's agency."))
    start_month = serializers.RegexField(MONTH_INPUT_PATTERN, help_text=_("First month, YYYY-MM."))
    end_month = serializers.RegexField(MONTH_INPUT_PATTERN, help_text=_("Last month, YYYY-MM; not in the future."))
    monthly_base = serializers.RegexField(MONEY_INPUT_PATTERN, help_text=_("Money as a string, e.g. \"8000.00\"."))
    personal_account_credit = serializers.RegexField(
        MONEY_INPUT_PATTERN, required=False, allow_null=True,
        # xgettext:no-python-format
        help_text=_("Credited to the personal account per month; by default 11% of the base before 2006, 8% after."),
    )
    paid = serializers.BooleanField(required=False, default=True, help_text=_("false records arrears."))


@extend_schema_field(ContributionRecordSerializer(many=True))
class RecordsField(serializers.ListField):
    """Rows pass through unparsed: contributions_record checks each and keys its errors by row index."""

    child = serializers.JSONField()

    def __init__(self, **kwargs: object) -> None:
        super().__init__(allow_empty=False, max_length=1000, **kwargs)


class ContributionBatchSerializer(serializers.Serializer):
    records = RecordsField()


class ContributionBatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("How many periods were stored."))


class ContributionFilterSerializer(serializers.Serializer):
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices, required=False, allow_blank=True)


class ContributionPeriodSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The period's number, for corrections and its history."))
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices)
    city_code = serializers.CharField(source="city_id")
    city_name = serializers.CharField(source="city.name")
    start_month = MonthField()
    end_month = MonthField()
    months = serializers.IntegerField(source="month_count")
    monthly_base = money()
    personal_account_credit = money(allow_null=True)
    paid = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()
    locked = serializers.BooleanField(help_text=_("true while an issued, valid agreement uses the period (409 on changes)."))
    versions = serializers.IntegerField(source="version_count", help_text=_("How many versions are kept, the first included."))


REASON_HELP = _("Why: kept with the version and shown to both agencies of an open case.")


class ContributionCorrectionSerializer(serializers.Serializer):
    """What a PATCH may send; contribution_correct checks the corrected period as a batch row is checked."""

    monthly_base = serializers.RegexField(MONEY_INPUT_PATTERN, required=False)
    personal_account_credit = serializers.RegexField(
        MONEY_INPUT_PATTERN, required=False, allow_null=True, help_text=_("null: the default share of the base.")
    )
    paid = serializers.BooleanField(required=False, help_text=_("true settles arrears."))
    start_month = serializers.RegexField(MONTH_INPUT_PATTERN, required=False)
    end_month = serializers.RegexField(MONTH_INPUT_PATTERN, required=False)
    reason = serializers.CharField(max_length=EVENT_NOTE_MAX_LENGTH, help_text=REASON_HELP)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=EVENT_NOTE_MAX_LENGTH, help_text=REASON_HELP)


class PeriodValuesSerializer(serializers.Serializer):
    monthly_base = money()
    personal_account_credit = money(allow_null=True)
    paid = serializers.BooleanField()
    start_month = MonthField()
    end_month = MonthField()
    city_code = serializers.CharField(source="city_id")
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices)


class PeriodVersionSerializer(serializers.Serializer):
    changed_at = serializers.DateTimeField(source="history_date")
    changed_by = serializers.CharField(
        source="history_user.username", allow_null=True, default=None,
        help_text=_("The user name; null for an import without a user."),
    )
    reason = serializers.CharField(source="history_change_reason", allow_null=True, allow_blank=True)
    deleted = serializers.SerializerMethodField()
    values = PeriodValuesSerializer(source="*")

    @extend_schema_field(serializers.BooleanField())
    def get_deleted(self, version: object) -> bool:
        return version.history_type == "-"


# --- cases -----------------------------------------------------------------------------------


class CaseCreateSerializer(serializers.Serializer):
    worker = LookupField(
        slug_field="id_number", queryset=Worker.objects.all(), normalize_input=True,
        help_text=_("The worker's ID number; the worker must be registered."),
    )
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices)
    origin_agency = LookupField(slug_field="code", queryset=Agency.objects.filter(is_active=True))
    destination_agency = LookupField(slug_field="code", queryset=Agency.objects.filter(is_active=True))
    approved_transfer_reference = OptionalTextField(
        max_length=64,
        help_text=_("Reference of a transfer approved by an organisation or HR department (66号 Art. 5), if any."),
    )


class CaseInsensitiveChoiceField(serializers.ChoiceField):
    """A choice in any letter case: ?overdue=True, as Python writes a boolean into a query string, is true."""

    def to_internal_value(self, data: object) -> object:
        return super().to_internal_value(data.lower() if isinstance(data, str) else data)


class CaseFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False, allow_blank=True)
    side = serializers.ChoiceField(
        choices=Side.choices, required=False, allow_blank=True,
        help_text=_("Cases where the caller's agency is this end."),
    )
    # A choice rather than a BooleanField, which would also take 1, yes, on… and an empty value the schema can't state.
    overdue = CaseInsensitiveChoiceField(
        choices=["true", "false"], required=False, allow_blank=True,
        help_text=_("true: only open cases past their due date; false: all others."),
    )
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=64,
        help_text=_("Part of the reference, the worker's name or ID number."),
    )


class CaseWorkerSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    name = serializers.CharField()


class CaseSummarySerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices)
    worker = CaseWorkerSerializer(
        allow_null=True,
        help_text=_("null until an online application is accepted: only then is the worker registered or matched."),
    )
    origin_agency = serializers.CharField(source="origin_agency.code")
    destination_agency = serializers.CharField(source="destination_agency.code")
    lodged_at = serializers.CharField(
        source="lodged_at.code", help_text=_("Code of the agency where the application was lodged.")
    )
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_null=True)
    application_date = serializers.DateField()
    due_date = serializers.DateField(allow_null=True)
    due_estimated = serializers.BooleanField(
        help_text=_("The due date counts weekdays for a year whose official holidays are not yet entered.")
    )
    overdue = serializers.BooleanField(source="overdue_today")


class FiguresSerializer(serializers.Serializer):
    contribution_months = serializers.IntegerField()
    pooled_fund_amount = money(allow_null=True)
    personal_account_principal = money(allow_null=True)
    personal_account_balance = money(
        allow_null=True, help_text=_("null while a credited interest rate the balance needs is missing.")
    )
    frozen = serializers.BooleanField(help_text=_("true once the agreement froze them; false for a live quote."))


class TransferSerializer(serializers.Serializer):
    pooled_fund = money(allow_null=True)
    personal_account = money(allow_null=True)
    total = money(allow_null=True, help_text=_("The sum of the two rounded parts; null while a credited rate is missing."))


class AgreementSerializer(serializers.Serializer):
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    verification_code = serializers.CharField()
    status = serializers.ChoiceField(choices=Agreement.Status.choices)


class AgreementListItemSerializer(AgreementSerializer):
    superseded_by = serializers.CharField(
        source="superseded_by.number", allow_null=True, default=None,
        help_text=_("The number of the agreement that replaced this one, once void and issued again."),
    )


class AcceptanceSerializer(serializers.Serializer):
    number = serializers.CharField(source="confirmation_number")
    issued_at = serializers.DateTimeField(source="completed_at")
    verification_code = serializers.CharField(source="acceptance_code")


class DuplicateSerializer(serializers.Serializer):
    city_code = serializers.CharField(
        source="second_city_id", help_text=_("The other pooling area's city that was paid for the same months.")
    )
    first_city_code = serializers.CharField(
        source="first_city_id", help_text=_("The city on the origin side where the origin is involved.")
    )
    start_month = MonthField()
    end_month = MonthField()
    resolved = serializers.BooleanField()
    kept_city_code = serializers.CharField(source="kept_city_id", allow_null=True)
    refund_amount = money(allow_null=True)


class RemittanceSerializer(serializers.Serializer):
    pooled_fund = money()
    personal_account = money()
    total = money()
    bank_reference = serializers.CharField()
    value_date = serializers.DateField()
    recorded_at = serializers.DateTimeField()


class ReceiptSerializer(serializers.Serializer):
    amount = money()
    received_on = serializers.DateField()
    bank_reference = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class FundsSerializer(serializers.Serializer):
    """The ledger of cases/selectors/funds.py: what the origin remitted and what the destination received."""

    status = serializers.ChoiceField(choices=FundsStatus.choices)
    remittance = RemittanceSerializer(allow_null=True)
    received_total = money()
    receipts = ReceiptSerializer(many=True)
    difference = money(help_text=_("received_total − the remitted total: negative while money is outstanding."))
    refunded_total = money(help_text=_("Refunds to the worker of resolved duplicate months."))
    credited = money(help_text=_("What the destination credits: received less the refunds taken out of it."))


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    transition = serializers.CharField(help_text=_(
        "A transition name, or open / resolve_duplicate / add_material (documents from the worker) / "
        "record_remittance / record_receipt, or "
        "contributions_recorded / contribution_corrected / contribution_deleted when the worker's history of the "
        "case's type changed, or due_date_recomputed when the official calendar of its year was entered."
    ))
    from_ = serializers.CharField(source="from_status", help_text=_("Empty for the opening event."))
    to = serializers.CharField(source="to_status")
    actor = serializers.CharField(source="actor_label", help_text=_("User name, or \"worker\"."))
    agency = serializers.CharField(
        source="agency.code", allow_null=True, help_text=_("The acting agency's code; null for the worker.")
    )
    note = serializers.CharField()

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so the field is declared as from_ and renamed here.
        return {("from" if name == "from_" else name): field for name, field in super().get_fields().items()}


class BlockerSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=TRANSITION_NAMES)
    message = serializers.CharField()


class ApplicantSerializer(serializers.Serializer):
    name = serializers.CharField()
    hukou_city_code = serializers.CharField(source="hukou_city_id")
    phone = serializers.CharField()
    email = serializers.CharField()
    name_matches_registered = serializers.SerializerMethodField(
        help_text=_("Whether the register holds this ID number under the same name; null when it is not registered.")
    )

    def get_name_matches_registered(self, applicant: object) -> bool | None:
        registered = self.context.get("registered_name")
        return None if registered is None else registered == applicant.name


class CaseSerializer(CaseSummarySerializer):
    """A case with the figures, transitions and blockers the selectors computed, passed in through context."""

    applicant = serializers.SerializerMethodField(
        help_text=_("What an online applicant gave, for the clerks to check; null for a case lodged at a counter.")
    )
    outcome_reason = serializers.SerializerMethodField()
    approved_transfer_reference = serializers.CharField()
    assignee = serializers.CharField(
        source="assignee.username", allow_null=True,
        help_text=_("User name of the clerk handling the case in the agency whose turn it is; null when nobody is."),
    )
    figures = serializers.SerializerMethodField(
        help_text=_("The live quote before the agreement, the frozen figures after it.")
    )
    transfer = serializers.SerializerMethodField(
        help_text=_("What moves: the live quote before the agreement, frozen after it; all 0.00 for a temporary account.")
    )
    agreement = serializers.SerializerMethodField(help_text=_("The latest agreement issued, void or not."))
    agreements = serializers.SerializerMethodField(help_text=_("Every agreement of the case, oldest first."))
    acceptance = serializers.SerializerMethodField()
    duplicates = DuplicateSerializer(many=True)
    funds = serializers.SerializerMethodField(
        help_text=_("null before the agreement; a temporary account's status is not_required.")
    )
    available_transitions = serializers.SerializerMethodField(
        help_text=_("The transitions the caller may run now: side, role, state and rules all allow them.")
    )
    blockers = serializers.SerializerMethodField(help_text=_("Transitions a rule blocks now, with the rule's message."))
    events = EventSerializer(many=True)

    @extend_schema_field(ApplicantSerializer(allow_null=True))
    def get_applicant(self, case: TransferCase) -> dict | None:
        applicant = getattr(case, "applicant", None) if case.channel == TransferCase.Channel.ONLINE else None
        if applicant is None:
            return None
        context = {"registered_name": self.context.get("registered_name")}
        return ApplicantSerializer(applicant, context=context).data

    @extend_schema_field(FiguresSerializer(allow_null=True))
    def get_figures(self, case: TransferCase) -> dict | None:
        report = self.context["report"]
        if report.figures is None:
            return None
        return FiguresSerializer({**report.figures.as_dict(), "frozen": report.frozen}).data

    @extend_schema_field(serializers.CharField())
    def get_outcome_reason(self, case: TransferCase) -> str:
        reason = self.context["report"].assessment.outcome_reason
        return reason.text if reason else ""

    @extend_schema_field(TransferSerializer())
    def get_transfer(self, case: TransferCase) -> dict:
        transfer = self.context["report"].transfer
        return TransferSerializer(
            {"pooled_fund": transfer.pooled_fund, "personal_account": transfer.personal_account, "total": transfer.total}
        ).data

    @extend_schema_field(FundsSerializer(allow_null=True))
    def get_funds(self, case: TransferCase) -> dict | None:
        ledger = case_ledger(case)
        return None if ledger is None else FundsSerializer(ledger).data

    @extend_schema_field(AgreementSerializer(allow_null=True))
    def get_agreement(self, case: TransferCase) -> dict | None:
        latest = case.latest_agreement
        return AgreementSerializer(latest).data if latest is not None else None

    @extend_schema_field(AgreementListItemSerializer(many=True))
    def get_agreements(self, case: TransferCase) -> list[dict]:
        return AgreementListItemSerializer(case.agreement_list, many=True).data

    @extend_schema_field(AcceptanceSerializer(allow_null=True))
    def get_acceptance(self, case: TransferCase) -> dict | None:
        return AcceptanceSerializer(case).data if case.confirmation_number else None

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=TRANSITION_NAMES)))
    def get_available_transitions(self, case: TransferCase) -> list[str]:
        return self.context["available_transitions"]

    @extend_schema_field(BlockerSerializer(many=True))
    def get_blockers(self, case: TransferCase) -> list[dict]:
        blockers = self.context["report"].blockers
        return BlockerSerializer([{"transition": k, "message": v} for k, v in blockers.items()], many=True).data


class TransitionSerializer(serializers.Serializer):
    note = OptionalTextField(
        max_length=EVENT_NOTE_MAX_LENGTH,
        help_text=_("The reason, required by request_info, reject and return_to_origin; sent to the other party."),
    )


class AcceptApplicationSerializer(TransitionSerializer):
    identity_checked = serializers.BooleanField(
        required=False, default=False,
        help_text=_("accept_application: true once the clerk has checked the identity document; required."),
    )
    confirmed_name = OptionalTextField(
        max_length=64,
        help_text=_("accept_application, when the ID number is registered under another name: the registered name, "
                    "or the applicant's, which then corrects the register."),
    )


class DuplicateResolveSerializer(serializers.Serializer):
    keep_city_code = serializers.RegexField(
        r"^\d{6}$", help_text=_("The city whose relationship is kept for the duplicated months.")
    )


@extend_schema_field({"type": "string", "pattern": MONEY_INPUT_PATTERN, "example": "1234.50"})
class MoneyInput(serializers.Field):
    """An amount as docs/api.md writes money ("1234.50"); a float, a negative or a third decimal is refused."""

    def to_internal_value(self, data: object) -> Decimal:
        try:
            return parse_money(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def to_representation(self, value: Decimal) -> str:
        return str(value)


class NotFutureDateField(serializers.DateField):
    def to_internal_value(self, value: object) -> dt.date:
        day = super().to_internal_value(value)
        if day > timezone.localdate():
            raise serializers.ValidationError(_("The date is in the future."))
        return day


BANK_REFERENCE_HELP = _("The bank's reference of the transfer.")


class RemittanceCreateSerializer(serializers.Serializer):
    pooled_fund = MoneyInput(help_text=_("Must equal the pooled fund that moves."))
    personal_account = MoneyInput(help_text=_("Must equal the personal account that moves."))
    bank_reference = serializers.CharField(max_length=64, help_text=BANK_REFERENCE_HELP)
    value_date = NotFutureDateField(help_text=_("The transfer's value date; not in the future."))


class ReceiptCreateSerializer(serializers.Serializer):
    amount = MoneyInput(help_text=_("What arrived; several receipts add up to the remittance."))
    received_on = NotFutureDateField(help_text=_("Not in the future."))
    bank_reference = serializers.CharField(max_length=64, help_text=BANK_REFERENCE_HELP)

    def validate_amount(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError(_("Enter an amount of more than zero."))
        return value


# --- public: the worker's status, agreement verification -------------------------------------


class ApplicationSerializer(serializers.Serializer):
    """The public page's fields (/apply/), by code."""

    id_number = serializers.CharField(
        max_length=32, validators=[validate_id_number],
        help_text=_("18-character resident ID number, or a Hong Kong, Macao or Taiwan residence permit number."),
    )
    name = serializers.CharField(max_length=64)
    hukou_city_code = LookupField(
        slug_field="code", queryset=City.objects.all(),
        help_text=_("The hukou city; for a Hong Kong, Macao or Taiwan resident, the city of the residence permit."),
    )
    phone = PhoneField()
    email = serializers.EmailField(max_length=254, help_text=_("The access code is sent here."))
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices)
    origin_city_code = serializers.RegexField(r"^\d{6}$", help_text=_("The city the worker left."))
    destination_city_code = serializers.RegexField(
        r"^\d{6}$", help_text=_("The city the worker moved to; the application is lodged at its agency.")
    )
    consent = serializers.BooleanField(help_text=_("Must be true: the applicant agrees that both agencies use the data."))

    def validate_consent(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError(_("The applicant must consent to the use of their data."))
        return value

    def _agency(self, code: str) -> Agency:
        agency = agency_for_city(code)
        if agency is None:
            raise serializers.ValidationError(_("No agency serves this city at present."))
        return agency

    def validate_origin_city_code(self, value: str) -> Agency:
        return self._agency(value)

    def validate_destination_city_code(self, value: str) -> Agency:
        return self._agency(value)


class ApplicationCreatedSerializer(serializers.Serializer):
    reference = serializers.CharField()
    access_code = serializers.CharField(help_text=_("Shown once: with the ID number it lets the worker act online."))
    status = serializers.ChoiceField(choices=CaseStatus.choices, help_text=_("Always applied."))


class StatusLookupSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=32)
    id_number = serializers.CharField(max_length=32)


# The public status lookup is the busiest answer: its two serializers build their dict directly, without DRF's
# copy of every declared field on every request (~15 % of the lookup's CPU, docs/bench.md). The declared fields
# still document the answer (docs/api.md, the OpenAPI schema); tests/api/test_status_serializer.py checks that
# both ways give the same answer.
_AT = serializers.DateTimeField()


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status = serializers.ChoiceField(source="to_status", choices=CaseStatus.choices)
    status_label = serializers.CharField(source="to_status_label")

    def to_representation(self, event: CaseEvent) -> dict:
        return {"at": _AT.to_representation(event.at), "status": event.to_status,
                "status_label": str(event.to_status_label)}


class StatusSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices)
    origin_agency_name = serializers.CharField(source="origin_agency.name")
    destination_agency_name = serializers.CharField(source="destination_agency.name")
    due_date = serializers.DateField(allow_null=True)
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, case: TransferCase) -> list[dict]:
        return TimelineEntrySerializer(self.context["timeline"], many=True).data

    def to_representation(self, case: TransferCase) -> dict:
        return {
            "reference": case.reference, "status": case.status, "status_label": str(case.status_label),
            "insurance_type": case.insurance_type, "origin_agency_name": case.origin_agency.name,
            "destination_agency_name": case.destination_agency.name,
            "due_date": case.due_date.isoformat() if case.due_date is not None else None,
            "timeline": self.get_timeline(case),
        }


class VerificationSerializer(serializers.Serializer):
    document = serializers.ChoiceField(choices=["agreement", "acceptance"])
    agreement_number = serializers.CharField(source="number", help_text=_("The document's number."))
    issued_at = serializers.DateTimeField()
    issuing_agency_name = serializers.CharField(source="issuing_agency")
    insurance_type = serializers.ChoiceField(choices=InsuranceType.choices)
    worker_masked_id = serializers.CharField(source="masked_id", help_text=_("e.g. 4403**********1234"))
    status = serializers.ChoiceField(choices=Agreement.Status.choices)
    superseded_by = serializers.CharField(
        allow_null=True, help_text=_("The number of the agreement that replaced a void one, if any.")
    )
    transfer_total = money(allow_null=True, help_text=_("What moves, so that an altered copy is caught."))
