"""Contribution periods: one parser for every source, batches all or nothing."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import rules
from cases.errors import BatchInvalid, NotPermitted
from cases.models import (
    Actor,
    ContributionPeriod,
    TransferCase,
    Worker,
)
from cases.selectors import (
    base_bounds,
)
from cases.services.duplicates import sync_duplicates
from regions.models import Agency, City, InsuranceType

MAX_MONEY = Decimal("999999999999.99")


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
    recorder = user if getattr(user, "is_authenticated", False) else None
    for period in accepted:
        period.recorded_by = recorder
    created = ContributionPeriod.objects.bulk_create(accepted)
    contributions_changed(worker=worker)
    return created


def contributions_changed(*, worker: Worker) -> None:
    """Recompute the duplicates of the worker's open cases after their history changed."""
    for case in TransferCase.objects.open().filter(worker=worker).select_related("origin_agency"):
        sync_duplicates(case)

