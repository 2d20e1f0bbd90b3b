"""Contribution periods: one parser for every source, batches all or nothing, corrections with every version kept."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from cases import notifications, rules
from cases.errors import BatchInvalid, NotPermitted, StateConflict
from cases.models import (
    EVENT_NOTE_MAX_LENGTH,
    Actor,
    ContributionPeriod,
    TransferCase,
    Worker,
)
from cases.selectors import (
    base_bounds,
)
from cases.services.common import record_event
from cases.services.duplicates import sync_duplicates
from regions.models import Agency, City, InsuranceType

MAX_MONEY = Decimal("999999999999.99")
# What a correction may change; the city and the type make another period (delete it and record it anew).
CORRECTABLE_FIELDS = ("start_month", "end_month", "monthly_base", "personal_account_credit", "paid")
# 2022-01, 2022-1, 2022/1, 2022.01, 2022年1月 and 202201: the ways Chinese offices' spreadsheets write a month.
MONTH_FORMS = re.compile(r"^(?P<year>\d{4})(?:\s*[-/.年]\s*(?P<month>\d{1,2})\s*月?|(?P<month6>\d{2}))$")
# The insurance types as offices write them, in Chinese or English, with or without 保险 / insurance.
INSURANCE_WORDS: dict[str, str] = {
    word: insurance_type
    for insurance_type, words in {
        InsuranceType.PENSION: (
            "pension", "old-age pension", "basic old-age pension", "pension insurance", "养老", "养老保险",
            "基本养老保险", "职工基本养老保险", "企业职工基本养老保险", "城镇职工基本养老保险",
        ),
        InsuranceType.MEDICAL: (
            "medical", "medical insurance", "employee basic medical insurance", "医疗", "医疗保险", "医保",
            "基本医疗保险", "职工基本医疗保险", "城镇职工基本医疗保险",
        ),
        InsuranceType.UNEMPLOYMENT: ("unemployment", "unemployment insurance", "失业", "失业保险"),
    }.items()
    for word in words
}
PERIOD_LOCKED = gettext_lazy(
    "An issued agreement uses this period: it stays as it is unless the destination returns the case to the origin, "
    "which voids the agreement."
)
# More periods than this in one event's note are summed up, not listed.
EVENT_PERIODS_LISTED = 5


def parse_month(value: object) -> dt.date:
    """A month in any of MONTH_FORMS (or a date) to the first day of that month."""
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2024-06."))
    match = MONTH_FORMS.match(unicodedata.normalize("NFKC", value).strip())
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match["year"]), int(match["month"] or match["month6"]), 1)
    except ValueError:
        raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2024-06.")) from None


def parse_insurance_type(value: object) -> str:
    """pension, medical or unemployment, also as 养老 / 养老保险 / "Pension insurance" and the like."""
    word = unicodedata.normalize("NFKC", value).strip().lower() if isinstance(value, str) else None
    if word not in INSURANCE_WORDS:
        raise ValidationError(_("Choose pension, medical or unemployment."))
    return INSURANCE_WORDS[word]


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
    take("insurance_type", parse_insurance_type)
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


class _RecordedSpans:
    """The months already taken per insurance type and city, for the overlap check: O(log n) per period.

    The stored periods may overlap each other (an administrator's correction), so each group keeps them sorted
    by first month with the running latest last month; the batch's accepted periods never overlap each other
    (that is the check), so a sorted list of them needs only its neighbour looked at. A whole batch is then
    linear in its rows where comparing each row with every earlier one was quadratic.
    """

    def __init__(self, stored: Iterable[tuple[str, str, dt.date, dt.date]]) -> None:
        groups: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = defaultdict(list)
        for insurance_type, city, start, end in stored:
            groups[(insurance_type, city)].append((start, end))
        self.stored: dict[tuple[str, str], tuple[list[dt.date], list[dt.date]]] = {}
        for key, spans in groups.items():
            spans.sort()
            self.stored[key] = ([start for start, _end in spans], list(itertools.accumulate(
                (end for _start, end in spans), max
            )))
        self.accepted: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = defaultdict(list)

    def overlaps(self, period: ContributionPeriod) -> bool:
        key = (period.insurance_type, period.city_id)
        if key in self.stored:
            starts, latest_ends = self.stored[key]
            # The stored periods starting by this one's last month; one of them ends at or after its first?
            count = bisect.bisect_right(starts, period.end_month)
            if count and latest_ends[count - 1] >= period.start_month:
                return True
        accepted = self.accepted[key]
        position = bisect.bisect_right(accepted, (period.end_month, dt.date.max))
        return bool(position) and accepted[position - 1][1] >= period.start_month

    def add(self, period: ContributionPeriod) -> None:
        bisect.insort(self.accepted[(period.insurance_type, period.city_id)], (period.start_month, period.end_month))


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
    spans = _RecordedSpans(
        ContributionPeriod.objects.filter(worker=worker).order_by()
        .values_list("insurance_type", "city_id", "start_month", "end_month")
    )
    bounds = base_bounds({c[:2] for c in cities})
    row_errors: dict[int, dict[str, list[str]]] = {}
    accepted: list[ContributionPeriod] = []
    for index, record in enumerate(records):
        period, errors = _period_from_record(record, cities, allowed_city, today)
        if period is not None:
            period.worker = worker
            if spans.overlaps(period):
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
            spans.add(period)
    if row_errors:
        raise BatchInvalid(row_errors)
    recorder = _user_or_none(user)
    for period in accepted:
        period.recorded_by = recorder
    # The first version of each period is its record as it came in.
    created = bulk_create_with_history(accepted, ContributionPeriod, default_user=recorder, default_change_reason="")
    _announce(
        worker=worker, periods=accepted, actor=actor, user=recorder, transition="contributions_recorded",
        summary=_("Contribution periods recorded"),
    )
    contributions_changed(worker=worker)
    return created


def contributions_changed(*, worker: Worker) -> None:
    """Recompute the duplicates of the worker's open cases after their history changed.

    Called with the worker locked; the cases are locked next, in one order, before their duplicates are rewritten
    (the lock order of docs/deploy.md: worker, cases, their rows)."""
    cases = (
        TransferCase.objects.select_for_update(of=("self",)).open().filter(worker=worker)
        .select_related("origin_agency").order_by("pk")
    )
    for case in cases:
        sync_duplicates(case)


# --- corrections -------------------------------------------------------------------------------------------------


def contribution_check(
    *, worker: Worker, record: Mapping[str, object], exclude_pk: int | None = None, allowed_city: str | None = None,
    today: dt.date | None = None,
) -> tuple[ContributionPeriod | None, dict[str, list[str]]]:
    """One period checked as a batch checks each row: the row parser, the overlap, the province's base bounds.

    For a correction (`exclude_pk` is the period itself) and for the administrators' form.
    """
    today = today or timezone.localdate()
    cities = City.objects.in_bulk([str(record.get("city_code"))], field_name="code")
    period, errors = _period_from_record(record, cities, allowed_city, today)
    if period is None:
        return None, errors
    period.worker = worker
    overlapping = ContributionPeriod.objects.filter(
        worker=worker, insurance_type=period.insurance_type, city=period.city,
        start_month__lte=period.end_month, end_month__gte=period.start_month,
    ).exclude(pk=exclude_pk)
    if overlapping.exists():
        errors["start_month"] = [_("This period overlaps one already recorded for this type and city.")]
    province = period.city_id[:2]
    bound_errors = rules.base_bound_errors(period.as_rule_period(), base_bounds({province}).get(province, {}))
    if bound_errors:
        errors["monthly_base"] = bound_errors
    return (None if errors else period), errors


def period_as_record(period: ContributionPeriod) -> dict[str, object]:
    """A stored period in the shape the row parser reads."""
    return {
        "insurance_type": period.insurance_type, "city_code": period.city_id,
        "start_month": f"{period.start_month:%Y-%m}", "end_month": f"{period.end_month:%Y-%m}",
        "monthly_base": str(period.monthly_base),
        "personal_account_credit": "" if period.personal_account_credit is None else str(period.personal_account_credit),
        "paid": period.paid,
    }


def contribution_correct(
    *, actor: Actor | None, worker: Worker, period_id: int, changes: Mapping[str, object], reason: str,
    user: object = None, today: dt.date | None = None,
) -> ContributionPeriod:
    """Correct one period with a reason (docs/domain.md §6): a clerk of the city where it was paid, while no issued
    agreement uses it; checked as a batch row is. Settling arrears is a correction to paid=True.

    `actor` None is an administrator. Field errors are a ValidationError keyed by field.
    """
    reason = _reason(reason)
    _check_changes(changes)
    with transaction.atomic():
        period = _locked_period(actor, worker, period_id)
        corrected, errors = contribution_check(
            worker=worker, record={**period_as_record(period), **changes}, exclude_pk=period.pk, today=today,
        )
        if errors:
            raise ValidationError(errors)
        changed = [name for name in CORRECTABLE_FIELDS if getattr(corrected, name) != getattr(period, name)]
        if not changed:
            raise ValidationError({"non_field_errors": [_("The correction changes nothing.")]})
        before = _period_label(period)
        for name in changed:
            setattr(period, name, getattr(corrected, name))
        recorder = _user_or_none(user)
        period._change_reason, period._history_user = reason, recorder
        period.save(update_fields=changed)
        _announce(
            worker=worker, periods=[period], actor=actor, user=recorder, transition="contribution_corrected",
            summary=_("Contribution period corrected (was %(before)s). Reason: %(reason)s")
            % {"before": before, "reason": reason},
        )
        contributions_changed(worker=worker)
    return period


def contribution_delete(
    *, actor: Actor | None, worker: Worker, period_id: int, reason: str, user: object = None
) -> None:
    """Delete a period recorded in error, with a reason; its versions stay, the deletion the last of them."""
    reason = _reason(reason)
    with transaction.atomic():
        period = _locked_period(actor, worker, period_id)
        recorder = _user_or_none(user)
        period._change_reason, period._history_user = reason, recorder
        period.delete()
        _announce(
            worker=worker, periods=[period], actor=actor, user=recorder, transition="contribution_deleted",
            summary=_("Contribution period deleted. Reason: %(reason)s") % {"reason": reason},
        )
        contributions_changed(worker=worker)


def _reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ValidationError({"reason": [_("Give the reason for the correction: it is kept with the version.")]})
    if len(text) > EVENT_NOTE_MAX_LENGTH:
        raise ValidationError({"reason": [
            _("The reason has at most %(limit)s characters.") % {"limit": EVENT_NOTE_MAX_LENGTH}
        ]})
    return text


def _check_changes(changes: Mapping[str, object]) -> None:
    fixed = [name for name in ("city_code", "insurance_type") if name in changes]
    if fixed:
        raise ValidationError({name: [
            _("A period's city and insurance type are not corrected: delete the period and record it again.")
        ] for name in fixed})
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    if not changes:
        raise ValidationError({"non_field_errors": [
            _("Say what to correct: %(fields)s.") % {"fields": ", ".join(CORRECTABLE_FIELDS)}
        ]})


def _locked_period(actor: Actor | None, worker: Worker, period_id: int) -> ContributionPeriod:
    """The period under lock, after the permission (403) and the agreement's lock (409), in that order."""
    # The same lock as a batch: a correction and a batch cannot both pass the overlap check.
    Worker.objects.select_for_update().filter(pk=worker.pk).first()
    period = ContributionPeriod.objects.select_for_update().filter(worker=worker, pk=period_id).first()
    if period is None:
        raise StateConflict(_("The period was deleted meanwhile; reload the history."), "gone")
    if actor is not None:
        city = (
            Agency.objects.values_list("city_id", flat=True).filter(pk=actor.agency_id).first()
            if actor.agency_id is not None else None
        )
        if city != period.city_id:
            raise NotPermitted(
                _("Only a clerk of the city where the period was paid may correct or delete it."), "forbidden"
            )
    if period.locked:
        raise StateConflict(str(PERIOD_LOCKED), "locked")
    return period


def _user_or_none(user: object) -> object:
    return user if getattr(user, "is_authenticated", False) else None


def _period_label(period: ContributionPeriod) -> str:
    label = _("%(type)s %(city)s %(start)s–%(end)s, monthly base %(base)s") % {
        "type": period.get_insurance_type_display(), "city": period.city_id,
        "start": f"{period.start_month:%Y-%m}", "end": f"{period.end_month:%Y-%m}", "base": period.monthly_base,
    }
    if period.personal_account_credit is not None:
        label += _(", credit %(credit)s") % {"credit": period.personal_account_credit}
    return label + ("" if period.paid else _(", owed"))


def _announce(
    *, worker: Worker, periods: Iterable[ContributionPeriod], actor: Actor | None, user: object, transition: str,
    summary: str,
) -> None:
    """A history change on a worker with an open case of the same type is an event on that case, and its agencies
    are told (through the outbox, in this transaction): another agency's period can create duplicates or settle
    arrears there."""
    by_type: dict[str, list[ContributionPeriod]] = {}
    for period in periods:
        by_type.setdefault(period.insurance_type, []).append(period)
    cases = list(
        TransferCase.objects.select_for_update().open().filter(worker=worker, insurance_type__in=list(by_type))
        .order_by("pk")
    )
    if not cases:
        return
    acting = actor or Actor(
        user_id=getattr(user, "pk", None), agency_id=None, role=None,
        label=user.get_username() if user is not None else _("administration"),  # type: ignore[attr-defined]
    )
    for case in cases:
        rows = by_type[case.insurance_type]
        lines = [_period_label(period) for period in rows[:EVENT_PERIODS_LISTED]]
        if len(rows) > EVENT_PERIODS_LISTED:
            lines.append(_("and %(count)s more") % {"count": len(rows) - EVENT_PERIODS_LISTED})
        note = "\n".join([summary, *lines])[:EVENT_NOTE_MAX_LENGTH]
        event = record_event(case, acting, transition, case.status, case.status, note, acting.agency_id)
        notifications.history_changed(event.pk)
