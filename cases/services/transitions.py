"""Opening a case and running its named transitions: lock, permission, state, rules, event."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from cases import notifications, rules
from cases.errors import NotPermitted, RuleBlocked, StateConflict
from cases.ids import normalize
from cases.models import (
    OPEN_STATUSES,
    TRANSITION_RULES,
    Actor,
    CaseStatus,
    Side,
    TransferCase,
    Worker,
    actor_may,
)
from cases.selectors import (
    CaseReport,
    calendar_overrides,
    case_report,
    pooling_levels,
)
from cases.services.common import random_code, record_event, step_deadline
from cases.services.duplicates import sync_duplicates
from regions.models import Agency, InsuranceType
from regions.workdays import workdays_between

# Every field a transition may set (cases/models.py); nothing else is written back.
TRANSITION_FIELDS = [
    "status", "due_date", "due_estimated", "paused_days_left", "contribution_months", "pooled_fund_amount",
    "personal_account_principal", "personal_account_balance", "figures_detail", "agreement_number",
    "agreement_issued_at", "verification_code", "confirmation_number", "completed_at", "updated_at",
]



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
            event = record_event(case, actor, "open", "", CaseStatus.SUBMITTED, note.strip(), lodged_at.pk)
            sync_duplicates(case)
            notifications.transition_made(event.pk)
    except IntegrityError:
        # The partial unique index caught a concurrent application for the same worker and type.
        raise RuleBlocked(already_open, "already_open") from None
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
            event = record_event(locked, actor, name, from_status, locked.status, note, actor.agency_id)
            notifications.transition_made(event.pk)
    except ConcurrentTransition:
        raise StateConflict(_("Someone else changed this case at the same moment; reload it."), "concurrent") from None
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


