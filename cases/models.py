from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, Round
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from cases import rules
from cases.ids import mask, validate_id_number
from cases.people import person_name
from regions.directory import agencies_by_id
from regions.models import MONEY, Agency, AgencyMembership, City, InsuranceType


@cache
def _choice_labels(field: models.Field, language: str | None) -> dict[object, str]:
    return {make_hashable(value): str(label) for value, label in field.flatchoices}


class ChoiceLabels:
    """get_FOO_display from a table of labels built once per field and language.

    Django's own rebuilds the field's table of lazy labels on every call, which translates every choice
    again: 900 translations on one worklist page (docs/bench.md).
    """

    def _get_FIELD_display(self, field: models.Field) -> str:
        value = getattr(self, field.attname)
        return _choice_labels(field, get_language()).get(make_hashable(value), value)


class CaseStatus(models.TextChoices):
    APPLIED = "applied", _("Applied online")
    SUBMITTED = "submitted", _("Submitted")
    VERIFYING = "verifying", _("Verifying")
    INFO_REQUESTED = "info_requested", _("Information requested")
    AGREEMENT_ISSUED = "agreement_issued", _("Agreement issued")
    RECEIVING = "receiving", _("Receiving")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The longest note a transition may carry, whoever writes it (clerk page, worker page or API).
EVENT_NOTE_MAX_LENGTH = 2000
TERMINAL_STATUSES = (CaseStatus.COMPLETED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN)
# While the case is in one of these, its latest agreement is valid (return_to_origin voids it on the way back).
AGREEMENT_STATUSES = (CaseStatus.AGREEMENT_ISSUED, CaseStatus.RECEIVING, CaseStatus.COMPLETED)
OPEN_STATUSES = tuple(s for s in CaseStatus if s not in TERMINAL_STATUSES)
# Whose move it is in each state (docs/domain.md §3); info_requested waits on the worker.
# TransferCase.awaiting_agency stores the same in the database: a state added to either tuple (or a new
# turn, such as an online application's lodging agency) changes that column's expression, and Django cannot
# alter a generated column in place, so its migration removes and re-adds the field.
# An online application waits on the agency it was lodged at (docs/domain.md §3), whichever end that is.
LODGING_TURN = (CaseStatus.APPLIED,)
ORIGIN_TURN = (CaseStatus.SUBMITTED, CaseStatus.VERIFYING)
DESTINATION_TURN = (CaseStatus.AGREEMENT_ISSUED, CaseStatus.RECEIVING)
# The destination still has money to check: not received in full, or more than was remitted.
FUNDS_TO_RECEIVE = ("remitted", "discrepancy")
# A due date no case has: the stored sort key of a case without one (paused or closed), so that they sort
# last in an index that needs no NULL handling.
NO_DUE_DATE = dt.date(9999, 12, 31)


class Side(models.TextChoices):
    ORIGIN = "origin", _("Origin")
    DESTINATION = "destination", _("Destination")


class Outcome(models.TextChoices):
    FULL_TRANSFER = rules.FULL_TRANSFER, _("Full transfer")
    TEMPORARY_ACCOUNT = rules.TEMPORARY_ACCOUNT, _("Temporary contribution account")


class FundsStatus(models.TextChoices):
    """Where the money of a full transfer stands (docs/domain.md §5 "Funds transfer and reconciliation")."""

    NOT_REQUIRED = "not_required", _("No funds move")
    AWAITING_REMITTANCE = "awaiting_remittance", _("Awaiting remittance")
    REMITTED = "remitted", _("Remitted, not yet received in full")
    RECEIVED = "received", _("Received in full")
    DISCREPANCY = "discrepancy", _("More received than remitted")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


@dataclass(frozen=True)
class Actor:
    """Who runs a transition: a clerk acting for their agency, or the worker themself."""

    user_id: int | None
    agency_id: int | None
    role: str | None
    is_worker: bool = False
    label: str = ""

    @classmethod
    def for_user(cls, user: object) -> Actor:
        if not getattr(user, "is_authenticated", False):
            return cls(user_id=None, agency_id=None, role=None)
        try:
            membership: AgencyMembership | None = user.membership  # type: ignore[attr-defined]
        except AgencyMembership.DoesNotExist:
            membership = None
        return cls(
            user_id=user.pk,  # type: ignore[attr-defined]
            agency_id=membership.agency_id if membership else None,
            role=membership.role if membership else None,
            label=user.get_username(),  # type: ignore[attr-defined]
        )

    @classmethod
    def worker(cls) -> Actor:
        return cls(user_id=None, agency_id=None, role=None, is_worker=True, label="worker")

    @property
    def is_supervisor(self) -> bool:
        return self.role == AgencyMembership.Role.SUPERVISOR

    def sides(self, case: TransferCase) -> set[str]:
        if self.agency_id is None:
            return set()
        sides = set()
        if case.origin_agency_id == self.agency_id:
            sides.add(Side.ORIGIN)
        if case.destination_agency_id == self.agency_id:
            sides.add(Side.DESTINATION)
        return sides


@dataclass(frozen=True)
class TransitionRule:
    name: str
    label: str
    sides: frozenset[str]
    supervisor_only: bool = False
    worker_may: bool = False
    reason_required: bool = False
    terminal: bool = False
    # Only a clerk of the agency the application was lodged at (accepting or declining an online one).
    lodging_only: bool = False


BOTH_SIDES = frozenset({Side.ORIGIN, Side.DESTINATION})
TRANSITION_RULES: dict[str, TransitionRule] = {
    rule.name: rule
    for rule in (
        TransitionRule("accept_application", _("Accept application"), BOTH_SIDES, lodging_only=True),
        TransitionRule(
            "decline_application", _("Decline application"), BOTH_SIDES, lodging_only=True, reason_required=True,
            terminal=True,
        ),
        TransitionRule("start_verification", _("Start verification"), frozenset({Side.ORIGIN})),
        TransitionRule("request_info", _("Request information"), frozenset({Side.ORIGIN}), reason_required=True),
        TransitionRule("provide_info", _("Information provided"), BOTH_SIDES, worker_may=True),
        TransitionRule(
            "reject", _("Reject"), frozenset({Side.ORIGIN}), supervisor_only=True, reason_required=True, terminal=True
        ),
        TransitionRule("issue_agreement", _("Issue transfer agreement"), frozenset({Side.ORIGIN}), supervisor_only=True),
        TransitionRule("register_agreement", _("Register agreement"), frozenset({Side.DESTINATION})),
        TransitionRule("return_to_origin", _("Return to origin"), frozenset({Side.DESTINATION}), reason_required=True),
        TransitionRule(
            "complete", _("Complete acceptance"), frozenset({Side.DESTINATION}), supervisor_only=True, terminal=True
        ),
        TransitionRule("withdraw", _("Withdraw"), BOTH_SIDES, worker_may=True, terminal=True),
    )
}


# Events that are no transition, by the name they are recorded under (the API's event "transition").
EVENT_LABELS = {
    "open": _("Application lodged"),
    "resolve_duplicate": _("Duplicate months resolved"),
    "add_material": _("The worker sent more material"),
    "contributions_recorded": _("Contribution periods recorded"),
    "contribution_corrected": _("Contribution period corrected"),
    "contribution_deleted": _("Contribution period deleted"),
    "due_date_recomputed": _("Due date recomputed on the official calendar"),
    # Between the clerks of an agency: never on the worker's timeline (cases/selectors/portal.py).
    "assign": _("Assigned"),
    "unassign": _("Assignment removed"),
    "record_remittance": _("Funds remitted"),
    "record_receipt": _("Funds received"),
}


def event_label(name: str) -> str:
    """What the timeline, the admin and the exports call an event."""
    if name in TRANSITION_RULES:
        return str(TRANSITION_RULES[name].label)
    return str(EVENT_LABELS.get(name, name))


def status_label(status: str) -> str:
    return CaseStatus(status).label if status in CaseStatus.values else status


def actor_may(case: TransferCase, actor: Actor, name: str) -> bool:
    """Side and role only, whatever the state: a refusal here is a 403, a wrong state a 409."""
    rule = TRANSITION_RULES[name]
    if actor.is_worker:
        return rule.worker_may
    if not rule.sides & actor.sides(case):
        return False
    # An application not yet accepted is the lodging agency's alone: the other end sees it and waits.
    if (rule.lodging_only or case.status == CaseStatus.APPLIED) and actor.agency_id != case.lodged_at_id:
        return False
    return actor.is_supervisor or not rule.supervisor_only


def worker_may_add_material(case: TransferCase) -> bool:
    """The worker may send documents at any open step, asked for or not."""
    return case.is_open


def _permission(name: str) -> Callable[[TransferCase, Actor], bool]:
    return lambda case, actor: actor_may(case, actor, name)


class WorkerQuerySet(models.QuerySet):
    def visible_to(self, user: object) -> WorkerQuerySet:
        """The one definition of the workers a clerk may read (docs/api.md "Corrections and arrears").

        A worker is visible to an agency that has a case with them (at either end, in any state), in whose
        city a period of theirs is recorded (paid or not), or that registered them.
        """
        agency_id = Actor.for_user(user).agency_id
        if agency_id is None:
            return self.none()
        return self.filter(
            Q(registered_by_agency_id=agency_id)
            | Exists(TransferCase.objects.filter(of_agency(agency_id), worker=OuterRef("pk")))
            | Exists(ContributionPeriod.objects.filter(worker=OuterRef("pk"), city__agencies=agency_id))
        )


class Worker(ChoiceLabels, models.Model):
    id_number = models.CharField(_("ID number"), max_length=18, unique=True, validators=[validate_id_number])
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    hukou_city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="+", verbose_name=_("hukou city")
    )
    # One validation for every path that takes a phone number (forms, API, admin): the phonenumbers library,
    # numbers without a country prefix read as Chinese; stored in E.164.
    phone = PhoneNumberField(_("phone"), region="CN", blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by_agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("registered by"),
        help_text=_("The agency whose clerk registered the worker; empty for an online application."),
    )

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("insured worker")
        verbose_name_plural = _("insured workers")
        ordering = ["id_number"]
        # A name search of one or two characters (most Chinese names have two or three) is a prefix search;
        # longer ones use the trigram indexes that migration 0005 adds on PostgreSQL (cases/selectors/lists.py).
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["name"], name="worker_name_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(id_number=models.functions.Upper("id_number")), name="worker_id_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_id})"

    @property
    def masked_id(self) -> str:
        return mask(self.id_number)

    @property
    def hukou_province_code(self) -> str:
        return self.hukou_city_id[:2]


class ContributionPeriod(ChoiceLabels, models.Model):
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="periods", verbose_name=_("worker"))
    insurance_type = models.CharField(_("insurance type"), max_length=16, choices=InsuranceType.choices)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    start_month = models.DateField(_("first month"))
    end_month = models.DateField(_("last month"))
    monthly_base = models.DecimalField(_("monthly base"), **MONEY, validators=[MinValueValidator(0)])
    personal_account_credit = models.DecimalField(
        _("personal account credit per month"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)],
        # xgettext:no-python-format (the percent signs are literal)
        help_text=_("Leave empty to use 11% of the base before 2006 and 8% from 2006."),
    )
    paid = models.BooleanField(_("paid"), default=True, help_text=_("Unpaid months are arrears."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Set while an issued, valid agreement uses the period (docs/domain.md §6 "Corrections"): the figures it
    # froze must keep matching the record, so the period is corrected only after return_to_origin.
    locked = models.BooleanField(_("locked by an agreement"), default=False, editable=False)

    # Every version, with who changed it, when and why (docs/domain.md §6 "Corrections"). The reason is free text
    # of a note's length, not the library's 100 characters.
    history = HistoricalRecords(
        history_change_reason_field=models.TextField(null=True), user_related_name="+",
        verbose_name=_("contribution period version"),
    )

    class Meta:
        verbose_name = _("contribution period")
        verbose_name_plural = _("contribution periods")
        ordering = ["worker", "insurance_type", "start_month"]
        indexes = [models.Index(fields=["worker", "insurance_type", "city"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_month__gte=F("start_month")), name="period_end_after_start"),
            models.CheckConstraint(condition=Q(monthly_base__gte=0), name="period_base_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_insurance_type_display()} {self.city_id} {self.start_month:%Y-%m}–{self.end_month:%Y-%m}"

    @property
    def month_count(self) -> int:
        return (self.end_month.year - self.start_month.year) * 12 + self.end_month.month - self.start_month.month + 1

    def clean(self) -> None:
        """The checks the contributions service makes, for administrators correcting a history by hand."""
        if self.start_month:
            self.start_month = self.start_month.replace(day=1)
        if self.end_month:
            self.end_month = self.end_month.replace(day=1)
        if self.start_month and self.end_month and self.end_month < self.start_month:
            raise ValidationError({"end_month": _("The last month is before the first month.")})
        if self.worker_id and self.city_id and self.start_month and self.end_month:
            overlapping = ContributionPeriod.objects.filter(
                worker_id=self.worker_id, insurance_type=self.insurance_type, city_id=self.city_id,
                start_month__lte=self.end_month, end_month__gte=self.start_month,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    {"start_month": _("This period overlaps one already recorded for this type and city.")}
                )

    def as_rule_period(self) -> rules.Period:
        return rules.Period(
            insurance_type=self.insurance_type,
            city_code=self.city_id,
            first_month=rules.month_index(self.start_month.year, self.start_month.month),
            last_month=rules.month_index(self.end_month.year, self.end_month.month),
            monthly_base=self.monthly_base,
            credit=self.personal_account_credit,
            paid=self.paid,
            id=self.pk,
        )


# The lists' conditions, each defined once: the querysets filter with them, the worklist and the
# dashboard count with them (Count(filter=…)), so a tab's count and its rows cannot disagree.


def of_agency(agency_id: int) -> Q:
    """The cases of an agency, at either end."""
    return Q(origin_agency_id=agency_id) | Q(destination_agency_id=agency_id)


def awaiting_move_of(agency_id: int) -> Q:
    """The cases whose next step belongs to this agency (one index range on the stored column)."""
    return Q(awaiting_agency=agency_id)


def overdue_on(today: dt.date) -> Q:
    """Open cases past their due date (TransferCase.is_overdue says the same of one case).

    On the stored sort key, which the lists' indexes hold: a case without a due date sorts as NO_DUE_DATE.
    """
    return Q(due_sort__lt=today, status__in=OPEN_STATUSES)


def attach_agencies(cases: list[TransferCase]) -> None:
    """Each case's origin, destination and lodging agency, each with its city and province, from the process's
    directory (regions/directory.py): no query."""
    wanted = {getattr(case, field) for case in cases for field in CASE_AGENCY_FIELDS} - {None}
    agencies = agencies_by_id(wanted)
    for case in cases:
        for field in CASE_AGENCY_FIELDS:
            agency_id = getattr(case, field)
            if agency_id in agencies:
                setattr(case, field.removesuffix("_id"), agencies[agency_id])


CASE_AGENCY_FIELDS = ("origin_agency_id", "destination_agency_id", "lodged_at_id")


class TransferCaseQuerySet(models.QuerySet):
    def visible_to(self, user: object) -> TransferCaseQuerySet:
        """The one definition of what a clerk may see: cases of their own agency, at either end."""
        agency_id = Actor.for_user(user).agency_id
        if agency_id is None:
            return self.none()
        return self.of_agency(agency_id)

    def of_agency(self, agency_id: int) -> TransferCaseQuerySet:
        return self.filter(of_agency(agency_id))

    # The agencies (with their cities and provinces) come from the process's directory, not as joins: with three
    # agencies and two cities joined, PostgreSQL spent ~24 ms planning each list query at 1,000,000 cases (the
    # table has some thirty indexes, each a path for every join order), ~0.4 ms without (docs/bench.md).
    _with_agencies = False

    def with_agencies(self) -> TransferCaseQuerySet:
        clone = self._chain()
        clone._with_agencies = True
        return clone

    def with_list_related(self) -> TransferCaseQuerySet:
        return self.select_related("worker", "applicant", "assignee").with_agencies()

    def _clone(self) -> TransferCaseQuerySet:
        clone = super()._clone()
        clone._with_agencies = self._with_agencies
        return clone

    def _fetch_all(self) -> None:
        fetched = self._result_cache is None
        super()._fetch_all()
        if fetched and self._with_agencies and self._result_cache and isinstance(self._result_cache[0], TransferCase):
            attach_agencies(self._result_cache)

    def open(self) -> TransferCaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def update(self, **kwargs: object) -> int:
        # A status changes only through a transition, which writes its event in the same transaction; on
        # PostgreSQL a deferred trigger refuses one without (migration 0008), this refuses it earlier, everywhere.
        if "status" in kwargs:
            raise TypeError("A case's status changes only through a transition (cases.services.case_transition).")
        return super().update(**kwargs)

    def overdue(self, today: dt.date | None = None) -> TransferCaseQuerySet:
        return self.filter(overdue_on(today or timezone.localdate()))

    def not_overdue(self, today: dt.date | None = None) -> TransferCaseQuerySet:
        """Closed cases, and open ones still within their time (or paused)."""
        return self.exclude(overdue_on(today or timezone.localdate()))

    def awaiting(self, agency_id: int) -> TransferCaseQuerySet:
        return self.filter(awaiting_move_of(agency_id))


class TransferCase(ChoiceLabels, ConcurrentTransitionMixin, models.Model):
    class Channel(models.TextChoices):
        COUNTER = "counter", _("At an agency counter")
        ONLINE = "online", _("Online by the worker")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    # Empty while an online application waits in `applied`, and for good when it is declined or withdrawn there:
    # the worker is registered or matched only when a clerk accepts it (the applicant's details are on Applicant).
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name=_("worker")
    )
    insurance_type = models.CharField(_("insurance type"), max_length=16, choices=InsuranceType.choices)
    origin_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="outgoing_cases", verbose_name=_("origin agency")
    )
    destination_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="incoming_cases", verbose_name=_("destination agency")
    )
    lodged_at = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("lodged at")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.COUNTER)
    approved_transfer_reference = models.CharField(
        _("approved-transfer reference"), max_length=64, blank=True,
        help_text=_("Reference of a transfer approved by an organisation or HR department, if any."),
    )
    status = FSMField(_("status"), default=CaseStatus.SUBMITTED, choices=CaseStatus.choices, protected=True)
    application_date = models.DateField(_("application date"))
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)

    due_date = models.DateField(_("due date"), null=True, blank=True)
    # The lists sort on these stored columns and their indexes serve them (cases/selectors/lists.py): the
    # database computes them from the row, so no writer (service, admin, bulk import) can let them drift.
    due_sort = models.GeneratedField(
        expression=Coalesce("due_date", Value(NO_DUE_DATE)), output_field=models.DateField(), db_persist=True,
        verbose_name=_("due date for sorting"),
    )
    awaiting_agency = models.GeneratedField(
        expression=models.Case(
            When(status__in=LODGING_TURN, then=F("lodged_at")),
            When(status__in=ORIGIN_TURN, then=F("origin_agency")),
            When(status__in=DESTINATION_TURN, then=F("destination_agency")),
            default=None,
        ),
        output_field=models.BigIntegerField(null=True), db_persist=True,
        verbose_name=_("agency whose move it is"),
    )
    due_estimated = models.BooleanField(_("due date estimated"), default=False)
    # Working days left on the step's clock while it is paused for information; negative when the
    # step was already overdue, so that pausing and resuming cannot wipe out the delay.
    paused_days_left = models.SmallIntegerField(_("working days left (paused)"), null=True, blank=True)

    # The figures live in the case's agreements (Agreement.assessment), frozen whole when each is issued.
    confirmation_number = models.CharField(_("acceptance number"), max_length=32, unique=True, null=True, blank=True)
    # The acceptance confirmation's own code, checked at /verify/ like an agreement's (docs/domain.md §7).
    acceptance_code = models.CharField(
        _("acceptance verification code"), max_length=16, unique=True, null=True, blank=True, editable=False
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Kept by the funds services (cases/services/funds.py) beside the remittance and receipts they record, so that
    # the worklist's money tabs are served by partial indexes; empty while no agreement stands.
    funds_status = models.CharField(
        _("funds"), max_length=20, choices=FundsStatus.choices, blank=True, default="", editable=False
    )

    access_code_hash = models.CharField(_("worker access code (hashed)"), max_length=128, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The clerk of the agency whose turn it is who handles the case (docs/domain.md "The clerks' day"); a step that
    # hands the turn to the other agency, or closes the case, clears it (cases/services/assignment.py).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assigned to"),
    )
    # When anyone last wrote on the case (an event or a note by a clerk or the worker), and when each agency's side
    # did: the inbox compares them with the reader's CaseView (cases/selectors/inbox.py). Written by the services.
    activity_at = models.DateTimeField(_("last activity"), null=True, blank=True, editable=False)
    origin_activity_at = models.DateTimeField(_("last activity of the origin"), null=True, blank=True, editable=False)
    destination_activity_at = models.DateTimeField(
        _("last activity of the destination"), null=True, blank=True, editable=False
    )

    objects = TransferCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer case")
        verbose_name_plural = _("transfer cases")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "insurance_type"], condition=Q(status__in=OPEN_STATUSES),
                name="case_one_open_per_worker_and_type",
            ),
            models.CheckConstraint(condition=~Q(origin_agency=F("destination_agency")), name="case_agencies_differ"),
        ]
        # One index per list order (cases/selectors/lists.py), each at one end: a list "of our agency" reads
        # both ends' indexes in order and merges them, so no list or count scans more rows than it shows.
        indexes = [
            models.Index(fields=["origin_agency", "status", "-created_at", "-id"], name="case_out_status_created"),
            models.Index(fields=["destination_agency", "status", "-created_at", "-id"], name="case_in_status_created"),
            models.Index(fields=["origin_agency", "-created_at", "-id"], name="case_out_created"),
            models.Index(fields=["destination_agency", "-created_at", "-id"], name="case_in_created"),
            models.Index(
                fields=["awaiting_agency", "due_sort", "-id"], name="case_turn_due",
                condition=Q(awaiting_agency__isnull=False),
            ),
            models.Index(
                fields=["origin_agency", "due_sort", "-id"], name="case_out_open_due", condition=Q(status__in=OPEN_STATUSES)
            ),
            models.Index(
                fields=["destination_agency", "due_sort", "-id"], name="case_in_open_due",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["origin_agency", "-updated_at", "id"], name="case_out_closed",
                condition=Q(status__in=TERMINAL_STATUSES),
            ),
            models.Index(
                fields=["destination_agency", "-updated_at", "id"], name="case_in_closed",
                condition=Q(status__in=TERMINAL_STATUSES),
            ),
            # The worklist's "applications to accept" (cases/selectors/clerk.py).
            models.Index(
                fields=["lodged_at", "due_sort", "-id"], name="case_applied_due",
                condition=Q(status__in=LODGING_TURN),
            ),
            models.Index(
                fields=["origin_agency", "due_sort", "-id"], name="case_out_to_remit",
                condition=Q(funds_status=FundsStatus.AWAITING_REMITTANCE),
            ),
            models.Index(
                fields=["destination_agency", "due_sort", "-id"], name="case_in_to_receive",
                condition=Q(funds_status__in=FUNDS_TO_RECEIVE),
            ),
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["created_at"]),
            # The inbox (cases/selectors/inbox.py): what changed lately at each end, what the other end wrote lately,
            # and the cases assigned to a clerk.
            models.Index(
                fields=["origin_agency", "-activity_at", "-id"], name="case_out_activity",
                condition=Q(activity_at__isnull=False),
            ),
            models.Index(
                fields=["destination_agency", "-activity_at", "-id"], name="case_in_activity",
                condition=Q(activity_at__isnull=False),
            ),
            models.Index(
                fields=["origin_agency", "-destination_activity_at", "-id"], name="case_out_news",
                condition=Q(destination_activity_at__isnull=False),
            ),
            models.Index(
                fields=["destination_agency", "-origin_activity_at", "-id"], name="case_in_news",
                condition=Q(origin_activity_at__isnull=False),
            ),
            models.Index(fields=["assignee", "due_sort", "-id"], name="case_assignee_due",
                         condition=Q(assignee__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.reference])

    @property
    def is_temporary_account(self) -> bool:
        """66号 Art. 5: the relationship stays at the origin and no funds move."""
        return self.outcome == Outcome.TEMPORARY_ACCOUNT

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_agreement(self) -> bool:
        """Whether a valid agreement stands: issued, and not voided by return_to_origin."""
        return self.status in AGREEMENT_STATUSES

    @property
    def agreement_list(self) -> list[Agreement]:
        """Every agreement of the case, oldest first (from the prefetch when there is one)."""
        return sorted(self.agreements.all(), key=lambda a: (a.issued_at, a.pk))

    @property
    def latest_agreement(self) -> Agreement | None:
        """The latest issued, void or not."""
        agreements = self.agreement_list
        return agreements[-1] if agreements else None

    @property
    def current_agreement(self) -> Agreement | None:
        latest = self.latest_agreement
        return latest if latest is not None and latest.is_valid else None

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < (today or timezone.localdate())

    # Attributes, not methods, for the API's serializers: DRF inspects the signature of a method it reads a field
    # from on every row (inspect.signature, ~15 % of an API list page's CPU).
    @property
    def overdue_today(self) -> bool:
        return self.is_overdue()

    @property
    def status_label(self) -> str:
        return self.get_status_display()

    def awaits(self, agency_id: int | None) -> bool:
        """Whether the next step is this agency's (awaiting_move_of says the same in SQL)."""
        side = self.next_side()
        return (side == Side.ORIGIN and self.origin_agency_id == agency_id) or (
            side == Side.DESTINATION and self.destination_agency_id == agency_id
        )

    @property
    def person(self) -> Worker | Applicant:
        """Whom the case is about: the worker once matched, else the applicant as they gave their details."""
        return self.worker if self.worker_id else self.applicant

    @property
    def contact_email(self) -> str:
        """Where the worker hears of the case: the register's address, else the one an online applicant gave."""
        registered = self.worker.email if self.worker_id else ""
        if registered or self.channel != self.Channel.ONLINE:
            return registered
        return self.applicant.email

    @property
    def lodged_at_destination(self) -> bool:
        return self.lodged_at_id == self.destination_agency_id

    @property
    def has_contact_letter(self) -> bool:
        """Lodged at the destination and accepted there (docs/domain.md §7): a clerk's counter accepts at once,
        an online application when a clerk accepts it, which is when its worker is matched."""
        return self.lodged_at_destination and self.status != CaseStatus.APPLIED and (
            self.channel == self.Channel.COUNTER or self.worker_id is not None
        )

    def turn_agency_id(self) -> int | None:
        """The agency that holds the case now: whose move it is, or the origin while it waits on its request."""
        side = self.next_side()
        if side is None and self.status == CaseStatus.INFO_REQUESTED:
            side = Side.ORIGIN
        return {Side.ORIGIN: self.origin_agency_id, Side.DESTINATION: self.destination_agency_id}.get(side)

    def next_side(self) -> str | None:
        if self.status in LODGING_TURN:
            return Side.DESTINATION if self.lodged_at_destination else Side.ORIGIN
        if self.status in ORIGIN_TURN:
            return Side.ORIGIN
        if self.status in DESTINATION_TURN:
            return Side.DESTINATION
        return None

    # Transitions: source, target and derived fields only; services lock, check and record.

    @transition(status, CaseStatus.APPLIED, CaseStatus.SUBMITTED, permission=_permission("accept_application"))
    def accept_application(self, *, worker: Worker, outcome: str, due_date: dt.date, due_estimated: bool) -> None:
        self.worker, self.outcome = worker, outcome
        self.due_date, self.due_estimated = due_date, due_estimated

    @transition(status, CaseStatus.APPLIED, CaseStatus.REJECTED, permission=_permission("decline_application"))
    def decline_application(self) -> None:
        self.due_date = None

    @transition(status, CaseStatus.SUBMITTED, CaseStatus.VERIFYING, permission=_permission("start_verification"))
    def start_verification(self) -> None:
        pass

    @transition(status, CaseStatus.VERIFYING, CaseStatus.INFO_REQUESTED, permission=_permission("request_info"))
    def request_info(self, *, days_left: int) -> None:
        self.paused_days_left = days_left
        self.due_date = None

    @transition(status, CaseStatus.INFO_REQUESTED, CaseStatus.VERIFYING, permission=_permission("provide_info"))
    def provide_info(self, *, due_date: dt.date, due_estimated: bool) -> None:
        self.paused_days_left = None
        self.due_date, self.due_estimated = due_date, due_estimated

    @transition(status, [CaseStatus.SUBMITTED, CaseStatus.VERIFYING], CaseStatus.REJECTED, permission=_permission("reject"))
    def reject(self) -> None:
        self.due_date = None

    @transition(status, CaseStatus.VERIFYING, CaseStatus.AGREEMENT_ISSUED, permission=_permission("issue_agreement"))
    def issue_agreement(self, *, due_date: dt.date, due_estimated: bool) -> None:
        # The service writes the Agreement row with the frozen assessment (cases/services/transitions.py).
        self.due_date, self.due_estimated = due_date, due_estimated

    @transition(status, CaseStatus.AGREEMENT_ISSUED, CaseStatus.RECEIVING, permission=_permission("register_agreement"))
    def register_agreement(self) -> None:
        pass

    @transition(status, CaseStatus.RECEIVING, CaseStatus.VERIFYING, permission=_permission("return_to_origin"))
    def return_to_origin(self, *, due_date: dt.date, due_estimated: bool) -> None:
        self.due_date, self.due_estimated = due_date, due_estimated

    @transition(status, CaseStatus.RECEIVING, CaseStatus.COMPLETED, permission=_permission("complete"))
    def complete(self, *, number: str, completed_at: dt.datetime, acceptance_code: str) -> None:
        self.confirmation_number, self.completed_at, self.acceptance_code = number, completed_at, acceptance_code
        self.due_date = None

    @transition(
        status,
        [CaseStatus.APPLIED, CaseStatus.SUBMITTED, CaseStatus.VERIFYING, CaseStatus.INFO_REQUESTED],
        CaseStatus.WITHDRAWN,
        permission=_permission("withdraw"),
    )
    def withdraw(self) -> None:
        self.due_date = None
        self.paused_days_left = None


class Applicant(ChoiceLabels, models.Model):
    """What an online applicant typed, kept on the case; the register changes only when a clerk accepts it.

    Kept after acceptance too: the clerks see what was applied with beside what the register says.
    """

    case = models.OneToOneField(
        TransferCase, on_delete=models.CASCADE, related_name="applicant", verbose_name=_("case")
    )
    id_number = models.CharField(_("ID number"), max_length=18, validators=[validate_id_number])
    name = models.CharField(_("name"), max_length=64)
    hukou_city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+", verbose_name=_("hukou city"))
    phone = PhoneNumberField(_("phone"), region="CN", blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("online applicant")
        verbose_name_plural = _("online applicants")
        # The limit of open applications per ID number, the status lookup and the search read by ID number;
        # the search by name too.
        indexes = [models.Index(fields=["id_number"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_id})"

    @property
    def masked_id(self) -> str:
        return mask(self.id_number)

    @property
    def gender(self) -> str:
        # The 17th character: odd for a man, even for a woman (docs/domain.md §1).
        return Gender.MALE if int(self.id_number[16]) % 2 else Gender.FEMALE

    def get_gender_display(self) -> str:
        return Gender(self.gender).label

    @property
    def birth_date(self) -> dt.date:
        return dt.date(int(self.id_number[6:10]), int(self.id_number[10:12]), int(self.id_number[12:14]))

    @property
    def hukou_province_code(self) -> str:
        return self.hukou_city_id[:2]


class Agreement(ChoiceLabels, models.Model):
    """One transfer agreement of a case, with the assessment it froze whole (docs/domain.md §5, §7).

    A case keeps every agreement it had: return_to_origin voids the current one, and the next issue numbers a
    new one that supersedes it. A void agreement still verifies, as void, naming its successor.
    """

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        VOID = "void", _("Void")

    case = models.ForeignKey(TransferCase, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("case"))
    number = models.CharField(_("agreement number"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    verification_code = models.CharField(_("verification code"), max_length=16, unique=True)
    # rules.Assessment through its codec (rules.AssessmentCodec), versioned: read only through `assessment`.
    frozen_assessment = models.JSONField(_("frozen assessment"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.VALID)
    superseded_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.TextField(_("reason it was voided"), blank=True)

    class Meta:
        verbose_name = _("transfer agreement")
        verbose_name_plural = _("transfer agreements")
        ordering = ["issued_at", "id"]
        indexes = [models.Index(fields=["case", "issued_at"])]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="valid"), name="agreement_one_valid_per_case"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID

    @cached_property
    def assessment(self) -> rules.Assessment:
        return rules.Assessment.from_json(self.frozen_assessment)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise TypeError("Case events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Case events are append-only.")


class CaseEvent(ChoiceLabels, models.Model):
    """The audit trail and the worker's timeline: written once, never changed."""

    case = models.ForeignKey(TransferCase, on_delete=models.PROTECT, related_name="events", verbose_name=_("case"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    transition = models.CharField(_("transition"), max_length=32)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("agency")
    )
    note = models.TextField(_("note"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.transition_label} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise TypeError("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError("Case events are append-only.")

    @property
    def to_status_label(self) -> str:
        return status_label(self.to_status)

    @property
    def from_status_label(self) -> str:
        return status_label(self.from_status)

    @property
    def transition_label(self) -> str:
        return event_label(self.transition)

    @property
    def actor_name(self) -> str:
        """The clerk's full name (the stored user name once the account is gone), or "the worker" in the reader's
        language (stored as a fixed label). Lists select the actor with the events."""
        if self.actor_label == Actor.worker().label and self.actor_id is None:
            return str(_("the worker"))
        return person_name(self.actor) if self.actor_id else self.actor_label


class CaseDuplicate(ChoiceLabels, models.Model):
    """Months paid in two pooling areas (人社部发〔2009〕187号): the destination decides which stays."""

    case = models.ForeignKey(TransferCase, on_delete=models.CASCADE, related_name="duplicates", verbose_name=_("case"))
    first_city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+", verbose_name=_("first city"))
    second_city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+", verbose_name=_("second city"))
    start_month = models.DateField(_("first month"))
    end_month = models.DateField(_("last month"))
    kept_city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("relationship kept in")
    )
    refund_amount = models.DecimalField(_("refund"), **MONEY, null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("duplicate contribution")
        verbose_name_plural = _("duplicate contributions")
        ordering = ["start_month", "first_city", "second_city"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "first_city", "second_city", "start_month", "end_month"], name="duplicate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_city_id}/{self.second_city_id} {self.start_month:%Y-%m}–{self.end_month:%Y-%m}"

    @property
    def resolved(self) -> bool:
        return self.kept_city_id is not None

    @property
    def released_city_id(self) -> str | None:
        if self.kept_city_id is None:
            return None
        return self.second_city_id if self.kept_city_id == self.first_city_id else self.first_city_id


class Remittance(ChoiceLabels, models.Model):
    """What the origin sent for one agreement (基金划转): the amounts that move, the bank's reference, the value date."""

    case = models.ForeignKey(
        TransferCase, on_delete=models.PROTECT, related_name="remittances", verbose_name=_("case")
    )
    # The agreement it pays: after return_to_origin the next agreement is paid by a remittance of its own.
    agreement_number = models.CharField(_("agreement number"), max_length=32)
    pooled_fund = models.DecimalField(_("pooled fund"), **MONEY, validators=[MinValueValidator(0)])
    personal_account = models.DecimalField(_("personal account"), **MONEY, validators=[MinValueValidator(0)])
    total = models.DecimalField(_("total"), **MONEY, validators=[MinValueValidator(0)])
    bank_reference = models.CharField(_("bank reference"), max_length=64)
    value_date = models.DateField(_("value date"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))

    class Meta:
        verbose_name = _("remittance")
        verbose_name_plural = _("remittances")
        ordering = ["recorded_at", "id"]
        constraints = [
            # A second remittance for one agreement loses even when two clerks record at the same moment.
            models.UniqueConstraint(fields=["case", "agreement_number"], name="remittance_one_per_agreement"),
            # Rounded: SQLite adds NUMERIC columns as floats, so an exact sum like 107136.00 + 90558.04 can miss.
            models.CheckConstraint(
                condition=Q(total=Round(F("pooled_fund") + F("personal_account"), 2)), name="remittance_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.agreement_number} {self.total}"


class Receipt(ChoiceLabels, models.Model):
    """Money the destination received against a remittance; a remittance may arrive in several parts."""

    remittance = models.ForeignKey(
        Remittance, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("remittance")
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(0)])
    received_on = models.DateField(_("received on"))
    bank_reference = models.CharField(_("bank reference"), max_length=64)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))

    class Meta:
        verbose_name = _("receipt of funds")
        verbose_name_plural = _("receipts of funds")
        ordering = ["recorded_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive")]

    def __str__(self) -> str:
        return f"{self.remittance_id} {self.received_on} {self.amount}"


class CaseNote(models.Model):
    """A message between the two agencies; never shown to the worker."""

    case = models.ForeignKey(TransferCase, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d}"


class CaseView(models.Model):
    """When a clerk last opened a case's page (or wrote on it): the inbox's "read" mark (cases/selectors/inbox.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    case = models.ForeignKey(TransferCase, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    seen_at = models.DateTimeField(_("last seen at"))

    class Meta:
        verbose_name = _("case last seen")
        verbose_name_plural = _("cases last seen")
        constraints = [models.UniqueConstraint(fields=["user", "case"], name="case_view_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.case_id} {self.seen_at:%Y-%m-%d %H:%M}"


class CaseReminder(ChoiceLabels, models.Model):
    """A reminder sent to the agency whose turn it is (cases/services/reminders.py); the unique constraint is what
    keeps a re-run, or two runs at once, from sending it twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due in three working days")
        MISSED = "missed", _("Due date missed")

    case = models.ForeignKey(TransferCase, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The step the reminder is for: the state and the due date it had (a step sent back and started again has a new
    # due date, and is reminded again).
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices)
    due_date = models.DateField(_("due date"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "status", "due_date"], name="reminder_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.due_date:%Y-%m-%d}"


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    # The stored name is ours, not the uploader's: no path tricks, no personal data in paths.
    return f"attachments/{instance.case_id}/{timezone.now():%Y%m%d%H%M%S%f}.{instance.extension}"


class CaseAttachment(ChoiceLabels, models.Model):
    case = models.ForeignKey(TransferCase, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case"))
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("agency")
    )
    uploaded_by_worker = models.BooleanField(_("uploaded by the worker"), default=False)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(self.content_type, "bin")


class WorkerAccess(ChoiceLabels, models.Model):
    """Who read which worker's full ID number or contribution history, when and from where (docs/api.md).

    Written by the clerk pages, the API and the documents; administrators review it, nobody edits it.
    """

    class What(models.TextChoices):
        FULL_ID = "full_id", _("Full ID number")
        WORKER = "worker", _("Worker record with full ID number")
        CONTRIBUTIONS = "contributions", _("Contribution history")
        PERIOD_HISTORY = "period_history", _("Versions of a period")
        DOCUMENT = "document", _("Document")

    at = models.DateTimeField(_("at"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("user"),
    )
    # Kept beside the link, so that the record still names the reader after the account is removed.
    username = models.CharField(_("user name"), max_length=150)
    agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("agency")
    )
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="accesses", verbose_name=_("worker"))
    case = models.ForeignKey(
        TransferCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    what = models.CharField(_("what"), max_length=16, choices=What.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # With any ID number in it masked: the record says where, not the number once more.
    path = models.CharField(_("path"), max_length=255)

    class Meta:
        verbose_name = _("access to worker data")
        verbose_name_plural = _("accesses to worker data")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["worker", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.get_what_display()} {self.at:%Y-%m-%d %H:%M}"
