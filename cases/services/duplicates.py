"""Duplicate contributions (人社部发〔2009〕187号): found on every history change, resolved by the destination."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import rules
from cases.errors import NotPermitted, RuleBlocked, StateConflict
from cases.models import (
    Actor,
    CaseDuplicate,
    Side,
    TransferCase,
    Worker,
)
from cases.selectors import (
    credit_rates,
    pooling_levels,
    province_names,
    worker_rule_periods,
)
from cases.services.common import record_event


def sync_duplicates(case: TransferCase) -> None:
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
        # The one lock order of every service that writes a worker's history or its cases' duplicates: the worker,
        # then the cases, then their rows (docs/deploy.md, "Lock order"). Recording periods takes the worker first
        # too, so the two wait for each other instead of deadlocking over the duplicates.
        Worker.objects.select_for_update().filter(pk=case.worker_id).first()
        locked = TransferCase.objects.select_for_update(of=("self",)).select_related("origin_agency").get(pk=case.pk)
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
        for duplicate in pending:
            duplicate.kept_city_id = keep_city_code
            released = duplicate.released_city_id
            released_periods = [p for p in periods if p.city_code == released]
            # The released city's province's rates (docs/api.md "What moves, and the money").
            rates = credit_rates(released[:2])
            try:
                refund = rules.duplicate_refund(
                    released_periods,
                    rules.month_index(duplicate.start_month.year, duplicate.start_month.month),
                    rules.month_index(duplicate.end_month.year, duplicate.end_month.month),
                    rates, today.year, released[:2],
                )
            except rules.RuleViolation as violation:
                if violation.code == "missing_credit_rate":
                    raise RuleBlocked(_missing_rate_message(violation, released[:2]), violation.code) from None
                raise RuleBlocked(violation.message, violation.code) from None
            duplicate.refund_amount = refund
            duplicate.resolved_by = user if getattr(user, "is_authenticated", False) else None
            duplicate.resolved_at = timezone.now()
            duplicate.save(update_fields=["kept_city", "refund_amount", "resolved_by", "resolved_at"])
            record_event(
                locked, actor, "resolve_duplicate", locked.status, locked.status,
                _("%(start)s–%(end)s: relationship kept in %(kept)s; %(released)s refunds %(refund)s.") % {
                    "start": f"{duplicate.start_month:%Y-%m}", "end": f"{duplicate.end_month:%Y-%m}",
                    "kept": keep_city_code, "released": released, "refund": refund,
                },
                actor.agency_id,
            )
    return locked




def _missing_rate_message(violation: rules.RuleViolation, province_code: str) -> str:
    province = province_names([province_code]).get(province_code, province_code)
    return _("%(message)s It is needed for the refund of months paid in %(province)s.") % {
        "message": violation.message, "province": province,
    }
