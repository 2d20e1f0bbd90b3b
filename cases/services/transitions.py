"""Opening a case and running its named transitions: lock, permission, state, rules, event."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Length
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import ConcurrentTransition, can_proceed

from cases import notifications, rules
from cases.errors import NotPermitted, RuleBlocked, StateConflict
from cases.ids import normalize, parse_id_number
from cases.models import (
    OPEN_STATUSES,
    TRANSITION_RULES,
    Actor,
    Agreement,
    Applicant,
    CaseStatus,
    ContributionPeriod,
    Side,
    TransferCase,
    Worker,
    actor_may,
)
from cases.selectors import (
    calendar_overrides,
    case_report,
    pooling_levels,
)
from cases.services.common import random_code, record_event, step_deadline
from cases.services.duplicates import sync_duplicates
from cases.services.funds import funds_after_transition
from cases.services.workers import worker_register
from regions.models import Agency, City, InsuranceType
from regions.workdays import workdays_between

# Every field a transition may set (cases/models.py); nothing else is written back.
TRANSITION_FIELDS = [
    "status", "due_date", "due_estimated", "paused_days_left", "confirmation_number", "completed_at",
    "acceptance_code", "funds_status", "updated_at", "assignee", "worker", "outcome",
]
# The transitions a rule may block (cases/selectors/cases.py case_report): only these read the assessment here,
# so that a request runs the rules once (the case's answer reads the same assessment, or the frozen one).
CHECKED_TRANSITIONS = ("issue_agreement", "complete")
# Open online applications one ID number may have at once, all types together (docs/api.md): enough for the
# real worker to apply while an impostor's wait, few enough that nobody floods an agency under someone's number.
MAX_OPEN_APPLICATIONS_PER_ID_NUMBER = 3


def _new_reference(today: dt.date) -> str:
    while True:
        reference = f"TR-{today.year}-{random_code(6)}"
        if not TransferCase.objects.filter(reference=reference).exists():
            return reference


def _opening_checks(
    insurance_type: str, origin_agency: Agency, destination_agency: Agency, approved_transfer_reference: str,
    today: dt.date,
) -> str:
    """What any application must satisfy, online or at a counter; the approved-transfer reference, trimmed."""
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
    try:
        rules.require_transfer_needed(
            insurance_type, origin_agency.city_id, destination_agency.city_id, pooling_levels(today.year)
        )
    except rules.RuleViolation as violation:
        raise RuleBlocked(violation.message, violation.code) from None
    return approved_transfer_reference


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
    """Lodge an application at a clerk's counter, at either end; `note` goes on the opening event."""
    today = today or timezone.localdate()
    approved_transfer_reference = _opening_checks(
        insurance_type, origin_agency, destination_agency, approved_transfer_reference, today
    )
    if actor.agency_id in (origin_agency.pk, destination_agency.pk):
        lodged_at = origin_agency if actor.agency_id == origin_agency.pk else destination_agency
        channel = TransferCase.Channel.COUNTER
    else:
        raise RuleBlocked(_("You may open a case only when your agency is its origin or destination."), "not_a_party")
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


def case_open_application(
    *,
    id_number: str,
    name: str,
    hukou_city: City,
    phone: str,
    email: str,
    insurance_type: str,
    origin_agency: Agency,
    destination_agency: Agency,
    today: dt.date | None = None,
) -> TransferCase:
    """An online application, lodged at the destination (66号 Art. 8), waiting in `applied` for a clerk there.

    It registers or changes no worker: what the applicant typed stays on the case (Applicant) until a clerk of
    the lodging agency has checked the identity document and accepts it (docs/domain.md §3). The outcome is the
    applicant's as given; acceptance works it out again from the register.
    """
    today = today or timezone.localdate()
    _opening_checks(insurance_type, origin_agency, destination_agency, "", today)
    facts = parse_id_number(id_number)
    applicant = Applicant(
        id_number=facts.id_number, name=(name or "").strip(), hukou_city=hukou_city,
        phone=str(phone or "").strip(), email=(email or "").strip(),
    )
    # Lengths, the phone number and the e-mail address as the fields define them, for the API as for the page.
    applicant.full_clean(exclude=["case", "id_number"], validate_unique=False, validate_constraints=False)
    outcome = rules.transfer_outcome(
        insurance_type=insurance_type,
        destination_province=destination_agency.city_id[:2],
        hukou_province=applicant.hukou_province_code,
        gender=facts.gender,
        birth_date=facts.birth_date,
        application_date=today,
        approved_transfer_reference="",
    )
    # The lodging agency's step, with the destination's working days for the type (docs/domain.md §4).
    deadline = step_deadline(insurance_type, Side.DESTINATION, today)
    with transaction.atomic():
        _lock_id_number(facts.id_number)
        waiting = Applicant.objects.filter(id_number=facts.id_number, case__status=CaseStatus.APPLIED).count()
        if waiting >= MAX_OPEN_APPLICATIONS_PER_ID_NUMBER:
            raise RuleBlocked(
                _("This ID number already has %(count)s online applications waiting to be accepted; wait for an "
                  "agency to deal with them, or apply at an agency's counter.") % {"count": waiting},
                "too_many_applications",
            )
        case = TransferCase.objects.create(
            reference=_new_reference(today),
            insurance_type=insurance_type,
            origin_agency=origin_agency,
            destination_agency=destination_agency,
            lodged_at=destination_agency,
            channel=TransferCase.Channel.ONLINE,
            status=CaseStatus.APPLIED,
            application_date=today,
            outcome=outcome.code,
            due_date=deadline.date,
            due_estimated=deadline.estimated,
        )
        applicant.case = case
        applicant.save(force_insert=True)
        event = record_event(case, Actor.worker(), "open", "", CaseStatus.APPLIED, "", destination_agency.pk)
        # Through the outbox, in this transaction: the mail leaves only if the application stands.
        notifications.transition_made(event.pk)
    return case


def _lock_id_number(id_number: str) -> None:
    """Applications under one ID number one at a time until commit, so that two at once cannot both be the third.

    There may be no row to lock (nobody registered): PostgreSQL's transaction-level advisory lock, keyed by the
    number's 17 digits. SQLite writes one transaction at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(id_number[:17])])


def _server_language(text: str, values: dict[str, str]) -> str:
    """An event's note in the site's language, whoever's page wrote it: the audit trail reads in one language.

    `text` is marked with gettext_noop where it is written, so that makemessages finds it.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _(text) % values


def _match_applicant(case: TransferCase, *, identity_checked: bool, confirmed_name: str) -> tuple[Worker, str]:
    """The worker an accepted application is about, registered or matched now, and what the register gained.

    A name that differs from the registered one is never dropped nor overwritten silently: the clerk, who
    has the identity document in front of them, says which is right, and a correction is written in the event.
    """
    if identity_checked is not True:
        raise RuleBlocked(
            _("Check the applicant's identity document against the application and confirm that you did."),
            "identity_not_checked",
        )
    applicant = case.applicant
    worker = Worker.objects.select_for_update().filter(id_number=applicant.id_number).first()
    if worker is None:
        try:
            worker = worker_register(
                id_number=applicant.id_number, name=applicant.name, hukou_city=applicant.hukou_city,
                phone=str(applicant.phone or ""), email=applicant.email,
            )
        except ValidationError as error:
            raise RuleBlocked(" ".join(error.messages), "invalid_applicant") from None
        return worker, _server_language(gettext_noop("Worker registered from the application, identity document checked."), {})
    if worker.name == applicant.name:
        return worker, ""
    confirmed = (confirmed_name or "").strip()
    names = {"registered": worker.name, "applicant": applicant.name}
    if confirmed == worker.name:
        return worker, _server_language(
            gettext_noop("The applicant gave the name %(applicant)s; the identity document shows the registered name "
            "%(registered)s, which stays."), names,
        )
    if confirmed == applicant.name:
        worker.name = applicant.name
        worker.save(update_fields=["name"])
        return worker, _server_language(
            gettext_noop("Register corrected after checking the identity document: name %(registered)s → %(applicant)s."), names
        )
    raise RuleBlocked(
        _("This ID number is registered under the name %(registered)s, the applicant gave %(applicant)s: confirm "
          "the name the identity document shows, one of the two.") % names,
        "confirm_name",
    )


def _decline_the_others(case: TransferCase, actor: Actor) -> list[int]:
    """Accepting one application declines the others waiting for the same ID number and type; their events."""
    others = (
        TransferCase.objects.select_for_update(of=("self",))
        .filter(status=CaseStatus.APPLIED, insurance_type=case.insurance_type,
                applicant__id_number=case.applicant.id_number)
        .exclude(pk=case.pk)
        .order_by("pk")
    )
    note = _server_language(
        gettext_noop(
            "Declined automatically: another application for the same ID number and insurance type was accepted."
        ),
        {},
    )
    events = []
    for other in others:
        other.decline_application()
        other.save(update_fields=TRANSITION_FIELDS)
        events.append(
            record_event(other, actor, "decline_application", CaseStatus.APPLIED, other.status, note, actor.agency_id)
        )
    return [event.pk for event in events]


def case_issue_access_code(*, case: TransferCase) -> str:
    """A one-time code the worker needs, with the ID number, to act on the case online."""
    code = random_code(8)
    case.access_code_hash = make_password(code)
    case.save(update_fields=["access_code_hash", "updated_at"])
    return code


def case_check_access_code(case: TransferCase, id_number: str, access_code: str) -> bool:
    return (
        bool(case.access_code_hash)
        and case.person.id_number == normalize(id_number)
        and check_password(normalize(access_code), case.access_code_hash)
    )


def _next_number(prefix: str, model: type[models.Model], field: str, agency: Agency) -> str:
    # Lock the agency row so two agreements issued at once cannot take the same number.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    # Follow the highest number, not the count, so that a number is never handed out twice.
    last = (
        model.objects.filter(**{f"{field}__startswith": prefix})
        .order_by(Length(field).desc(), f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    taken = int(last[len(prefix):]) if last and last[len(prefix):].isdigit() else 0
    return f"{prefix}{taken + 1:05d}"


def _unique_verification_code() -> str:
    """One code space for agreements and acceptance confirmations: /verify/ answers for either."""
    while True:
        code = random_code(12)
        if not (
            Agreement.objects.filter(verification_code=code).exists()
            or TransferCase.objects.filter(acceptance_code=code).exists()
        ):
            return code


def case_transition(
    *, case: TransferCase, actor: Actor, name: str, note: str = "", today: dt.date | None = None,
    identity_checked: bool = False, confirmed_name: str = "",
) -> TransferCase:
    """Run one named transition: lock, permission, state, rules, transition, event, notification.

    `identity_checked` and `confirmed_name` are accept_application's: the clerk's word that they checked the
    identity document, and the name it shows when the register and the application differ.
    """
    today = today or timezone.localdate()
    if name not in TRANSITION_RULES:
        raise StateConflict(_("Unknown transition “%(name)s”.") % {"name": name}, "unknown_transition")
    rule = TRANSITION_RULES[name]
    note = (note or "").strip()
    try:
        with transaction.atomic():
            locked = TransferCase.objects.select_for_update(of=("self",)).select_related(
                "worker", "origin_agency__city__province", "destination_agency", "applicant"
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
            report = case_report(locked, today=today) if name in CHECKED_TRANSITIONS else None
            if report is not None and name in report.blockers:
                raise RuleBlocked(report.blockers[name], name)
            from_status, holder = locked.status, locked.turn_agency_id()
            arguments = _transition_arguments(locked, name, today)
            if name == "accept_application":
                worker, change = _match_applicant(locked, identity_checked=identity_checked, confirmed_name=confirmed_name)
                arguments.update(_acceptance_arguments(locked, worker, today))
                note = "\n".join(part for part in (note, change) if part)
            method(**arguments)
            if locked.turn_agency_id() != holder:
                # The assignee was a clerk of the agency that held the case (cases/services/assignment.py).
                locked.assignee = None
            funds_after_transition(locked, name, report)
            locked.save(update_fields=TRANSITION_FIELDS)
            if name == "issue_agreement":
                _issue(locked, report.assessment, today)
            elif name == "return_to_origin":
                agreement_void(case=locked, reason=note)
            event = record_event(locked, actor, name, from_status, locked.status, note, actor.agency_id)
            if name == "accept_application":
                sync_duplicates(locked)
                for declined in _decline_the_others(locked, actor):
                    notifications.transition_made(declined)
            notifications.transition_made(event.pk)
    except ConcurrentTransition:
        raise StateConflict(_("Someone else changed this case at the same moment; reload it."), "concurrent") from None
    except IntegrityError:
        if name != "accept_application":
            raise
        # The partial unique index caught another case of the worker's, opened for the type at the same moment.
        raise RuleBlocked(_("This worker already has an open case for this insurance type."), "already_open") from None
    return locked


def _acceptance_arguments(case: TransferCase, worker: Worker, today: dt.date) -> dict[str, object]:
    """The matched worker, the outcome worked out from the register, and the origin's step from today."""
    if TransferCase.objects.filter(
        worker=worker, insurance_type=case.insurance_type, status__in=OPEN_STATUSES
    ).exclude(pk=case.pk).exists():
        raise RuleBlocked(
            _("This worker already has an open case for this insurance type: decline this application."),
            "already_open",
        )
    outcome = rules.transfer_outcome(
        insurance_type=case.insurance_type,
        destination_province=case.destination_agency.city_id[:2],
        hukou_province=worker.hukou_province_code,
        gender=worker.gender,
        birth_date=worker.birth_date,
        application_date=case.application_date,
        approved_transfer_reference=case.approved_transfer_reference,
    )
    deadline = step_deadline(case.insurance_type, Side.ORIGIN, today)
    return {"worker": worker, "outcome": outcome.code, "due_date": deadline.date, "due_estimated": deadline.estimated}


def _issue(case: TransferCase, assessment: rules.Assessment, today: dt.date) -> Agreement:
    """A new numbered agreement that freezes the assessment whole, supersedes the case's last, locks its periods."""
    previous = Agreement.objects.filter(case=case).order_by("-issued_at", "-pk").first()
    agreement = Agreement.objects.create(
        case=case,
        number=_next_number(f"XY-{case.origin_agency.code}-{today.year}-", Agreement, "number", case.origin_agency),
        verification_code=_unique_verification_code(),
        issued_at=timezone.now(),
        frozen_assessment=assessment.to_json(),
    )
    if previous is not None:
        Agreement.objects.filter(pk=previous.pk).update(superseded_by=agreement)
    # docs/domain.md §6 "Corrections": a period a valid agreement used is corrected only after return_to_origin.
    ContributionPeriod.objects.filter(pk__in=assessment.period_ids).update(locked=True)
    return agreement


def agreement_void(*, case: TransferCase, reason: str) -> Agreement | None:
    """return_to_origin: the standing agreement becomes void and the periods only it used are unlocked."""
    agreement = Agreement.objects.select_for_update().filter(case=case, status=Agreement.Status.VALID).first()
    if agreement is None:
        return None
    agreement.status, agreement.voided_at, agreement.void_reason = Agreement.Status.VOID, timezone.now(), reason
    agreement.save(update_fields=["status", "voided_at", "void_reason"])
    still_used = {
        pk
        for other in Agreement.objects.filter(case__worker_id=case.worker_id, status=Agreement.Status.VALID)
        for pk in other.assessment.period_ids
    }
    ContributionPeriod.objects.filter(pk__in=set(agreement.assessment.period_ids) - still_used).update(locked=False)
    return agreement


def _transition_arguments(case: TransferCase, name: str, today: dt.date) -> dict[str, object]:
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
        return {"due_date": deadline.date, "due_estimated": deadline.estimated}
    if name == "complete":
        return {
            "number": _next_number(
                f"JS-{case.destination_agency.code}-{today.year}-", TransferCase, "confirmation_number",
                case.destination_agency,
            ),
            "completed_at": timezone.now(),
            "acceptance_code": _unique_verification_code(),
        }
    return {}


