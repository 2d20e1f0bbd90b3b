"""Every write: keyword-only functions, each one transaction, each change audited."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from cases import notifications, rules
from cases.errors import BatchInvalid, NotPermitted, RuleBlocked, StateConflict
from cases.ids import normalize, parse_id_number
from cases.models import (
    OPEN_STATUSES,
    TRANSITION_RULES,
    Actor,
    CaseAttachment,
    CaseDuplicate,
    CaseEvent,
    CaseNote,
    CaseStatus,
    ContributionPeriod,
    Side,
    TransferCase,
    Worker,
    actor_may,
)
from cases.selectors import (
    CaseReport,
    base_bounds,
    calendar_overrides,
    case_by_reference_and_id_number,
    case_report,
    credit_rates,
    pooling_levels,
    worker_rule_periods,
)
from regions.models import Agency, City, InsuranceType
from regions.workdays import Deadline, add_workdays, workdays_between

# Crockford's alphabet: no I, L, O or U to misread over the phone.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_MONEY = Decimal("999999999999.99")
# Every field a transition may set (cases/models.py); nothing else is written back.
TRANSITION_FIELDS = [
    "status", "due_date", "due_estimated", "paused_days_left", "contribution_months", "pooled_fund_amount",
    "personal_account_principal", "personal_account_balance", "figures_detail", "agreement_number",
    "agreement_issued_at", "verification_code", "confirmation_number", "completed_at", "updated_at",
]


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def step_deadline(insurance_type: str, side: str, start: dt.date, days: int | None = None) -> Deadline:
    days = rules.step_working_days(insurance_type, side) if days is None else days
    return add_workdays(start, days, calendar_overrides(start))


# --- workers and contributions ---------------------------------------------------------------


def worker_register(
    *, id_number: str, name: str, hukou_city: City, phone: str = "", email: str = ""
) -> Worker:
    try:
        facts = parse_id_number(id_number)
    except ValidationError as error:
        # Keyed by field like every other refusal here, so callers can rely on message_dict.
        raise ValidationError({"id_number": error.error_list}) from None
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter the worker's name.")]})
    if Worker.objects.filter(id_number=facts.id_number).exists():
        raise ValidationError({"id_number": [_("A worker with this ID number is already registered.")]})
    worker = Worker(
        id_number=facts.id_number, name=name, gender=facts.gender, birth_date=facts.birth_date,
        hukou_city=hukou_city, phone=(phone or "").strip(), email=(email or "").strip(),
    )
    # Lengths and the e-mail address as the fields define them: PostgreSQL would refuse an over-long value
    # with a DataError instead of saying which field is wrong.
    worker.full_clean(exclude=["id_number"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            worker.save(force_insert=True)
            return worker
    except IntegrityError:
        raise ValidationError({"id_number": [_("A worker with this ID number is already registered.")]}) from None


def parse_month(value: object) -> dt.date:
    """'YYYY-MM' (or a date) to the first day of that month."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2024-06.")) from None


def parse_money(value: object, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise ValidationError(_("This field is required."))
        return None
    if isinstance(value, float | bool):
        raise ValidationError(_("Give the amount as a string with two decimals, e.g. \"1234.50\"."))
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(_("Enter an amount such as 1234.50.")) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("Enter an amount of zero or more."))
    if amount > MAX_MONEY:
        raise ValidationError(_("The amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("Use at most two decimals."))
    return amount.quantize(Decimal("0.01"))


def _period_from_record(
    record: Mapping[str, object], cities: Mapping[str, City], allowed_city: str | None, today: dt.date
) -> tuple[ContributionPeriod | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}

    def take(name: str, parse: Callable[[object], object]) -> None:
        try:
            values[name] = parse(record.get(name))
        except ValidationError as error:
            errors[name] = list(error.messages)

    if not isinstance(record, Mapping):
        return None, {"non_field_errors": [_("Each record must be an object.")]}
    take("insurance_type", lambda v: v if v in InsuranceType.values else _raise(
        _("Choose pension, medical or unemployment.")))
    take("city_code", lambda v: cities[str(v)] if str(v) in cities else _raise(_("Unknown city code.")))
    take("start_month", parse_month)
    take("end_month", parse_month)
    take("monthly_base", parse_money)
    take("personal_account_credit", lambda v: parse_money(v, required=False))
    paid = record.get("paid", True)
    if not isinstance(paid, bool):
        errors["paid"] = [_("Must be true or false.")]
    if "city_code" in values and allowed_city is not None and values["city_code"].code != allowed_city:
        errors.setdefault("city_code", []).append(_("A clerk records periods only for their own agency's city."))
    start, end = values.get("start_month"), values.get("end_month")
    if start and end:
        if end < start:
            errors.setdefault("end_month", []).append(_("The last month is before the first month."))
        if end > today.replace(day=1):
            errors.setdefault("end_month", []).append(_("The last month lies in the future."))
        if start.year < 1950:
            errors.setdefault("start_month", []).append(_("The first month is implausibly early."))
    if errors:
        return None, errors
    return ContributionPeriod(
        insurance_type=values["insurance_type"], city=values["city_code"], start_month=start, end_month=end,
        monthly_base=values["monthly_base"], personal_account_credit=values["personal_account_credit"],
        paid=paid,
    ), {}


def _raise(message: str) -> None:
    raise ValidationError(message)


def _overlaps(a: ContributionPeriod, b: ContributionPeriod) -> bool:
    return (
        a.insurance_type == b.insurance_type and a.city_id == b.city_id
        and a.start_month <= b.end_month and b.start_month <= a.end_month
    )


@transaction.atomic
def contributions_record(
    *, actor: Actor | None, worker: Worker, records: Sequence[Mapping[str, object]], user: object = None,
    today: dt.date | None = None,
) -> list[ContributionPeriod]:
    """Record a batch of periods: all or nothing, errors keyed by row index.

    `actor` None is a trusted import (demo data, administrators); a clerk may
    record only for the city of their own agency.
    """
    today = today or timezone.localdate()
    # Serialise batches for one worker so two can't both pass the overlap check.
    Worker.objects.select_for_update().filter(pk=worker.pk).first()
    allowed_city: str | None = None
    if actor is not None:
        if actor.agency_id is None:
            raise NotPermitted(_("Only a clerk of an agency may record contributions."))
        allowed_city = Agency.objects.values_list("city_id", flat=True).get(pk=actor.agency_id)
    if not records:
        raise BatchInvalid({0: {"non_field_errors": [_("Give at least one period.")]}})
    codes = {str(r.get("city_code")) for r in records if isinstance(r, Mapping)}
    cities = City.objects.in_bulk(list(codes), field_name="code")
    existing = list(ContributionPeriod.objects.filter(worker=worker))
    bounds = base_bounds({c[:2] for c in cities})
    row_errors: dict[int, dict[str, list[str]]] = {}
    accepted: list[ContributionPeriod] = []
    for index, record in enumerate(records):
        period, errors = _period_from_record(record, cities, allowed_city, today)
        if period is not None:
            period.worker = worker
            if any(_overlaps(period, other) for other in existing + accepted):
                errors["start_month"] = [_("This period overlaps one already recorded for this type and city.")]
            bound_errors = rules.base_bound_errors(
                period.as_rule_period(), bounds.get(period.city_id[:2], {})
            )
            if bound_errors:
                errors["monthly_base"] = bound_errors
        if errors:
            row_errors[index] = errors
        else:
            accepted.append(period)
    if row_errors:
        raise BatchInvalid(row_errors)
    recorder = user if getattr(user, "is_authenticated", False) else None
    for period in accepted:
        period.recorded_by = recorder
    created = ContributionPeriod.objects.bulk_create(accepted)
    contributions_changed(worker=worker)
    return created


def contributions_changed(*, worker: Worker) -> None:
    """Recompute the duplicates of the worker's open cases after their history changed."""
    for case in TransferCase.objects.open().filter(worker=worker).select_related("origin_agency"):
        _sync_duplicates(case)


# --- cases -----------------------------------------------------------------------------------


def _new_reference(today: dt.date) -> str:
    while True:
        reference = f"TR-{today.year}-{random_code(6)}"
        if not TransferCase.objects.filter(reference=reference).exists():
            return reference


def case_open(
    *,
    actor: Actor,
    worker: Worker,
    insurance_type: str,
    origin_agency: Agency,
    destination_agency: Agency,
    approved_transfer_reference: str = "",
    note: str = "",
    today: dt.date | None = None,
) -> TransferCase:
    """Lodge an application at either end (or online by the worker); `note` goes on the opening event."""
    today = today or timezone.localdate()
    approved_transfer_reference = (approved_transfer_reference or "").strip()
    if insurance_type not in InsuranceType.values:
        raise RuleBlocked(_("Work-injury and maternity insurance do not transfer."), "insurance_type")
    limit = TransferCase._meta.get_field("approved_transfer_reference").max_length
    if len(approved_transfer_reference) > limit:
        # Said here rather than by PostgreSQL, which would refuse the row with a DataError.
        raise RuleBlocked(
            _("The approved-transfer reference has at most %(limit)s characters.") % {"limit": limit},
            "approved_transfer_reference",
        )
    if origin_agency.pk == destination_agency.pk:
        raise RuleBlocked(_("The origin and destination agencies must differ."), "same_agency")
    for agency in (origin_agency, destination_agency):
        if not agency.is_active:
            raise RuleBlocked(
                _("%(agency)s no longer handles transfers; choose the agency that took over its work.")
                % {"agency": agency.name},
                "inactive_agency",
            )
    if actor.is_worker:
        lodged_at, channel = destination_agency, TransferCase.Channel.ONLINE
    elif actor.agency_id in (origin_agency.pk, destination_agency.pk):
        lodged_at = origin_agency if actor.agency_id == origin_agency.pk else destination_agency
        channel = TransferCase.Channel.COUNTER
    else:
        raise RuleBlocked(_("You may open a case only when your agency is its origin or destination."), "not_a_party")
    try:
        rules.require_transfer_needed(
            insurance_type, origin_agency.city_id, destination_agency.city_id, pooling_levels(today.year)
        )
    except rules.RuleViolation as violation:
        raise RuleBlocked(violation.message, violation.code) from None
    outcome = rules.transfer_outcome(
        insurance_type=insurance_type,
        destination_province=destination_agency.city_id[:2],
        hukou_province=worker.hukou_province_code,
        gender=worker.gender,
        birth_date=worker.birth_date,
        application_date=today,
        approved_transfer_reference=approved_transfer_reference,
    )
    deadline = step_deadline(insurance_type, Side.ORIGIN, today)
    already_open = _("This worker already has an open case for this insurance type.")
    if TransferCase.objects.filter(worker=worker, insurance_type=insurance_type, status__in=OPEN_STATUSES).exists():
        raise RuleBlocked(already_open, "already_open")
    try:
        with transaction.atomic():
            case = TransferCase.objects.create(
                reference=_new_reference(today),
                worker=worker,
                insurance_type=insurance_type,
                origin_agency=origin_agency,
                destination_agency=destination_agency,
                lodged_at=lodged_at,
                channel=channel,
                approved_transfer_reference=approved_transfer_reference,
                application_date=today,
                outcome=outcome.code,
                due_date=deadline.date,
                due_estimated=deadline.estimated,
            )
            event = _record_event(case, actor, "open", "", CaseStatus.SUBMITTED, note.strip(), lodged_at.pk)
            _sync_duplicates(case)
    except IntegrityError:
        # The partial unique index caught a concurrent application for the same worker and type.
        raise RuleBlocked(already_open, "already_open") from None
    transaction.on_commit(lambda: notifications.transition_made(event.pk))
    return case


def case_issue_access_code(*, case: TransferCase) -> str:
    """A one-time code the worker needs, with the ID number, to act on the case online."""
    code = random_code(8)
    case.access_code_hash = make_password(code)
    case.save(update_fields=["access_code_hash", "updated_at"])
    return code


def case_check_access_code(case: TransferCase, id_number: str, access_code: str) -> bool:
    return (
        bool(case.access_code_hash)
        and case.worker.id_number == normalize(id_number)
        and check_password(normalize(access_code), case.access_code_hash)
    )


def _record_event(
    case: TransferCase, actor: Actor, name: str, from_status: str, to_status: str, note: str, agency_id: int | None
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, transition=name, from_status=from_status, to_status=to_status, actor_id=actor.user_id,
        actor_label=actor.label, agency_id=agency_id, note=note,
    )


def _next_number(prefix: str, field: str, agency: Agency) -> str:
    # Lock the agency row so two agreements issued at once cannot take the same number.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    # Follow the highest number, not the count: an agreement issued again after a return takes a new number
    # and frees its old one, so a count would hand out a number that is still taken.
    last = (
        TransferCase.objects.filter(**{f"{field}__startswith": prefix})
        .order_by(Length(field).desc(), f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    taken = int(last[len(prefix):]) if last and last[len(prefix):].isdigit() else 0
    return f"{prefix}{taken + 1:05d}"


def _unique_verification_code() -> str:
    while True:
        code = random_code(12)
        if not TransferCase.objects.filter(verification_code=code).exists():
            return code


def case_transition(
    *, case: TransferCase, actor: Actor, name: str, note: str = "", today: dt.date | None = None
) -> TransferCase:
    """Run one named transition: lock, permission, state, rules, transition, event, notification."""
    today = today or timezone.localdate()
    if name not in TRANSITION_RULES:
        raise StateConflict(_("Unknown transition “%(name)s”.") % {"name": name}, "unknown_transition")
    rule = TRANSITION_RULES[name]
    note = (note or "").strip()
    try:
        with transaction.atomic():
            locked = TransferCase.objects.select_for_update().select_related(
                "worker", "origin_agency", "destination_agency"
            ).get(pk=case.pk)
            if not actor_may(locked, actor, name):
                raise NotPermitted(_("Your agency's side or your role may not run “%(label)s” on this case.")
                                   % {"label": rule.label}, "forbidden")
            method = getattr(locked, name)
            if not can_proceed(method):
                raise StateConflict(
                    _("“%(label)s” is not possible while the case is “%(status)s”.")
                    % {"label": rule.label, "status": locked.get_status_display()},
                    "wrong_state",
                )
            if rule.reason_required and not note:
                raise RuleBlocked(_("Give a reason: it is sent to the other party."), "reason_required")
            report = case_report(locked, today=today)
            if name in report.blockers:
                raise RuleBlocked(report.blockers[name], name)
            from_status = locked.status
            method(**_transition_arguments(locked, name, report, today))
            locked.save(update_fields=TRANSITION_FIELDS)
            event = _record_event(locked, actor, name, from_status, locked.status, note, actor.agency_id)
    except ConcurrentTransition:
        raise StateConflict(_("Someone else changed this case at the same moment; reload it."), "concurrent") from None
    transaction.on_commit(lambda: notifications.transition_made(event.pk))
    return locked


def _transition_arguments(case: TransferCase, name: str, report: CaseReport, today: dt.date) -> dict[str, object]:
    if name == "request_info":
        overrides = calendar_overrides(today)
        return {"days_left": workdays_between(today, case.due_date, overrides) if case.due_date else 0}
    if name == "provide_info":
        deadline = step_deadline(case.insurance_type, Side.ORIGIN, today, days=case.paused_days_left)
        return {"due_date": deadline.date, "due_estimated": deadline.estimated}
    if name == "return_to_origin":
        deadline = step_deadline(case.insurance_type, Side.ORIGIN, today)
        return {"due_date": deadline.date, "due_estimated": deadline.estimated}
    if name == "issue_agreement":
        deadline = step_deadline(case.insurance_type, Side.DESTINATION, today)
        return {
            "figures": report.figures,
            "number": _next_number(f"XY-{case.origin_agency.code}-{today.year}-", "agreement_number", case.origin_agency),
            "verification_code": _unique_verification_code(),
            "issued_at": timezone.now(),
            "due_date": deadline.date,
            "due_estimated": deadline.estimated,
        }
    if name == "complete":
        return {
            "number": _next_number(
                f"JS-{case.destination_agency.code}-{today.year}-", "confirmation_number", case.destination_agency
            ),
            "completed_at": timezone.now(),
        }
    return {}


# --- duplicates ------------------------------------------------------------------------------


def _sync_duplicates(case: TransferCase) -> None:
    """Recompute the open duplicates of a case; resolved ones stand as decided."""
    levels = pooling_levels()
    periods = worker_rule_periods(case.worker_id, case.insurance_type)
    origin_area = rules.pooling_area(case.insurance_type, case.origin_agency.city_id, levels)
    found = rules.find_duplicates(periods, case.insurance_type, levels, origin_area)
    resolved = {
        (d.first_city_id, d.second_city_id, d.start_month, d.end_month)
        for d in case.duplicates.filter(kept_city__isnull=False)
    }
    case.duplicates.filter(kept_city__isnull=True).delete()
    fresh = []
    for duplicate in found:
        start = dt.date(*rules.month_of(duplicate.first_month), 1)
        end = dt.date(*rules.month_of(duplicate.last_month), 1)
        key = (duplicate.first_city, duplicate.second_city, start, end)
        if key not in resolved:
            fresh.append(CaseDuplicate(
                case=case, first_city_id=duplicate.first_city, second_city_id=duplicate.second_city,
                start_month=start, end_month=end,
            ))
    CaseDuplicate.objects.bulk_create(fresh)


def duplicates_resolve(
    *, case: TransferCase, actor: Actor, keep_city_code: str, user: object = None, today: dt.date | None = None
) -> TransferCase:
    """The destination records which relationship it keeps; the other's credits are refunded."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = TransferCase.objects.select_for_update().select_related("origin_agency").get(pk=case.pk)
        if actor.is_worker or Side.DESTINATION not in actor.sides(locked):
            raise NotPermitted(_("Only the destination agency resolves duplicate contributions."), "forbidden")
        if not locked.is_open:
            raise StateConflict(_("The case is closed."), "wrong_state")
        pending = [d for d in locked.duplicates.filter(kept_city__isnull=True)
                   if keep_city_code in (d.first_city_id, d.second_city_id)]
        if not pending:
            raise RuleBlocked(
                _("No unresolved duplicate involves the city %(code)s.") % {"code": keep_city_code}, "keep_city_code"
            )
        periods = worker_rule_periods(locked.worker_id, locked.insurance_type)
        rates = credit_rates()
        for duplicate in pending:
            duplicate.kept_city_id = keep_city_code
            released = duplicate.released_city_id
            released_periods = [p for p in periods if p.city_code == released]
            try:
                refund = rules.duplicate_refund(
                    released_periods,
                    rules.month_index(duplicate.start_month.year, duplicate.start_month.month),
                    rules.month_index(duplicate.end_month.year, duplicate.end_month.month),
                    rates, today.year,
                )
            except rules.RuleViolation as violation:
                raise RuleBlocked(violation.message, violation.code) from None
            duplicate.refund_amount = refund
            duplicate.resolved_by = user if getattr(user, "is_authenticated", False) else None
            duplicate.resolved_at = timezone.now()
            duplicate.save(update_fields=["kept_city", "refund_amount", "resolved_by", "resolved_at"])
            _record_event(
                locked, actor, "resolve_duplicate", locked.status, locked.status,
                _("%(start)s–%(end)s: relationship kept in %(kept)s; %(released)s refunds %(refund)s.") % {
                    "start": f"{duplicate.start_month:%Y-%m}", "end": f"{duplicate.end_month:%Y-%m}",
                    "kept": keep_city_code, "released": released, "refund": refund,
                },
                actor.agency_id,
            )
    return locked


# --- notes, attachments, the worker's status lookup ------------------------------------------

ATTACHMENT_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def case_add_note(*, case: TransferCase, actor: Actor, user: object, text: str) -> CaseNote:
    """A message between the two agencies; the worker never sees it."""
    if actor.is_worker or not actor.sides(case):
        raise NotPermitted(_("Only the two agencies of a case exchange notes."), "forbidden")
    text = (text or "").strip()
    if not text:
        raise RuleBlocked(_("Write something first."), "empty_note")
    return CaseNote.objects.create(case=case, author=user, agency_id=actor.agency_id, text=text)


def sniff_content_type(head: bytes) -> str | None:
    """The type by the file's first bytes, whatever its name or the browser claims."""
    for content_type, signatures in ATTACHMENT_SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    return None


def case_add_attachment(
    *, case: TransferCase, actor: Actor, uploaded_file: object, user: object = None
) -> CaseAttachment:
    """Store a PDF, JPEG or PNG up to ATTACHMENT_MAX_BYTES, checked by content, for either agency or the worker."""
    if not actor.is_worker and not actor.sides(case):
        raise NotPermitted(_("Only the parties of a case add attachments."), "forbidden")
    if not case.is_open:
        raise StateConflict(_("The case is closed."), "wrong_state")
    size = getattr(uploaded_file, "size", 0) or 0
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise RuleBlocked(
            _("The file is larger than %(limit)s MB.") % {"limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            "too_large",
        )
    if size == 0:
        raise RuleBlocked(_("The file is empty."), "empty_file")
    uploaded_file.seek(0)
    content_type = sniff_content_type(uploaded_file.read(16))
    uploaded_file.seek(0)
    if content_type is None:
        raise RuleBlocked(_("Only PDF, JPEG and PNG files are accepted."), "file_type")
    attachment = CaseAttachment(
        case=case, original_name=str(getattr(uploaded_file, "name", "file"))[-255:], content_type=content_type,
        size=size, uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        agency_id=actor.agency_id, uploaded_by_worker=actor.is_worker,
    )
    attachment.file.save(attachment.original_name, uploaded_file, save=False)
    attachment.save()
    return attachment


class TooManyAttempts(Exception):
    def __init__(self, retry_at: dt.datetime) -> None:
        super().__init__("too many failed status lookups")
        self.retry_at = retry_at


def _failure_key(client_address: str) -> str:
    return f"status-lookup-failures:{client_address}"


def status_lookup(*, reference: str, id_number: str, client_address: str) -> TransferCase | None:
    """The worker's own case by reference and ID number, or None; both mismatches look the same.

    After STATUS_LOOKUP_MAX_FAILURES failures from one address within the window, refuse
    (shared cache in production, so every worker process counts the same failures).
    """
    failures = _recent_failures(client_address)
    case = case_by_reference_and_id_number(reference, id_number)
    if case is None:
        _count_failure(client_address, failures)
    return case


def _recent_failures(client_address: str) -> list[float]:
    """The address's failures within the window; TooManyAttempts once it has used them all up."""
    cutoff = timezone.now().timestamp() - settings.STATUS_LOOKUP_WINDOW_SECONDS
    failures: list[float] = [t for t in cache.get(_failure_key(client_address), []) if t > cutoff]
    if len(failures) >= settings.STATUS_LOOKUP_MAX_FAILURES:
        retry_at = dt.datetime.fromtimestamp(failures[0] + settings.STATUS_LOOKUP_WINDOW_SECONDS, tz=dt.UTC)
        raise TooManyAttempts(retry_at)
    return failures


def _count_failure(client_address: str, failures: list[float]) -> None:
    cache.set(
        _failure_key(client_address), [*failures, timezone.now().timestamp()], settings.STATUS_LOOKUP_WINDOW_SECONDS
    )


# --- worker portal: online application and the worker acting on their case -------------------
# Every failure here that could tell a visitor something about someone else's ID number counts
# toward the same per-address limit as the status lookup.


@dataclass(frozen=True)
class OnlineApplication:
    case: TransferCase
    access_code: str


def case_worker_access(*, reference: str, id_number: str, access_code: str, client_address: str) -> TransferCase | None:
    """The case when reference, ID number and access code all match, else None (counted as a failure)."""
    failures = _recent_failures(client_address)
    case = case_by_reference_and_id_number(reference, id_number)
    if case is None or not case_check_access_code(case, id_number, access_code):
        _count_failure(client_address, failures)
        return None
    return case


def _application_note(worker: Worker, *, name: str, hukou_city: City, phone: str, email: str) -> str:
    """For the clerks: what the applicant gave that differs from the record, which stays as it is."""
    given = {
        _("name"): (name, worker.name),
        _("hukou city"): (hukou_city.code, worker.hukou_city_id),
        _("phone"): (phone, worker.phone),
        _("e-mail"): (email, worker.email),
    }
    differences = [f"{label}: {value}" for label, (value, recorded) in given.items() if value and value != recorded]
    if not differences:
        return ""
    return _("Applied online with details that differ from the worker's record: %(details)s.") % {
        "details": "; ".join(differences)
    }


def case_apply_online(
    *,
    id_number: str,
    name: str,
    hukou_city: City,
    phone: str,
    email: str,
    insurance_type: str,
    origin_agency: Agency,
    destination_agency: Agency,
    client_address: str,
    act_url: str = "",
    today: dt.date | None = None,
) -> OnlineApplication:
    """A worker's own application, lodged at the destination (66号 Art. 8), with an access code.

    A worker already on record keeps their record unchanged and the applicant learns nothing
    about it; the clerks see any differing details on the opening event.
    """
    failures = _recent_failures(client_address)
    facts = parse_id_number(id_number)
    name, phone, email = name.strip(), phone.strip(), email.strip()
    try:
        with transaction.atomic():
            worker = Worker.objects.filter(id_number=facts.id_number).first()
            note = ""
            if worker is None:
                worker = worker_register(
                    id_number=facts.id_number, name=name, hukou_city=hukou_city, phone=phone, email=email
                )
            else:
                with translation.override(settings.LANGUAGE_CODE):
                    note = _application_note(worker, name=name, hukou_city=hukou_city, phone=phone, email=email)
            case = case_open(
                actor=Actor.worker(), worker=worker, insurance_type=insurance_type, origin_agency=origin_agency,
                destination_agency=destination_agency, note=note, today=today,
            )
            access_code = case_issue_access_code(case=case)
    except RuleBlocked as blocked:
        if blocked.code == "already_open":
            _count_failure(client_address, failures)
        raise
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: notifications.access_code_issued(
        email=email, reference=case.reference, access_code=access_code, act_url=act_url, language=language,
    ))
    return OnlineApplication(case=case, access_code=access_code)


def case_worker_provide_info(*, case: TransferCase, note: str, files: Sequence[object] = ()) -> TransferCase:
    """The worker's answer to a request for information: the transition, then the documents, together."""
    actor = Actor.worker()
    with transaction.atomic():
        # The transition locks the case and checks its state before any file is stored.
        case = case_transition(case=case, actor=actor, name="provide_info", note=note)
        for uploaded_file in files:
            case_add_attachment(case=case, actor=actor, uploaded_file=uploaded_file)
    return case
