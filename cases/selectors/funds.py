"""The money of a case: what moves, what the origin remitted, what the destination received (docs/domain.md §5).

`case_transfer` is the one place that reads the amounts an agreement moves; everything else (the services,
the case page, the API, the acceptance confirmation) asks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cases import rules
from cases.models import FundsStatus, Receipt, Remittance, TransferCase
from cases.selectors.assessment import case_assessment
from cases.selectors.reference import pooling_levels


def case_transfer(case: TransferCase) -> rules.Remittable:
    """What the case's standing agreement moves (its frozen assessment), or the live quote before one."""
    agreement = case.current_agreement
    assessment = agreement.assessment if agreement is not None else case_assessment(case)[0]
    return rules.remittable(assessment)


@dataclass(frozen=True)
class Ledger:
    """The case's money, as the case page, the API and the acceptance confirmation show it."""

    status: str
    transfer: rules.Remittable
    remittance: Remittance | None
    receipts: list[Receipt]
    received_total: Decimal
    difference: Decimal
    refunded_total: Decimal
    credited: Decimal

    @property
    def status_label(self) -> str:
        return FundsStatus(self.status).label

    @property
    def awaits_remittance(self) -> bool:
        return self.status == FundsStatus.AWAITING_REMITTANCE

    @property
    def awaits_receipt(self) -> bool:
        return self.remittance is not None and self.status in (FundsStatus.REMITTED, FundsStatus.DISCREPANCY)


def current_remittance(case: TransferCase) -> Remittance | None:
    """The remittance of the agreement that stands; one of a voided agreement stays on record only."""
    agreement = case.current_agreement
    if agreement is None:
        return None
    return (
        Remittance.objects.filter(case=case, agreement_number=agreement.number)
        .prefetch_related("receipts").first()
    )


def case_ledger(case: TransferCase) -> Ledger | None:
    """None while no agreement stands; read once per case object (the page and its checks share it)."""
    if not case.funds_status:
        return None
    cached = getattr(case, "_ledger", None)
    if cached is not None:
        return cached
    transfer = case_transfer(case)
    remittance = current_remittance(case)
    receipts = list(remittance.receipts.all()) if remittance else []
    received = rules.money_sum(r.amount for r in receipts)
    remitted_total = remittance.total if remittance else None
    duplicates = list(case.duplicates.all())
    resolved = [d for d in duplicates if d.resolved and d.refund_amount is not None]
    # Read whenever the case has duplicates, resolved or not: the page's queries do not change as they are resolved.
    levels = pooling_levels() if duplicates else {}
    origin_area = rules.pooling_area(case.insurance_type, case.origin_agency.city_id, levels)
    from_transfer = [
        d.refund_amount for d in resolved
        if rules.pooling_area(case.insurance_type, d.released_city_id, levels) == origin_area
    ]
    ledger = Ledger(
        status=rules.funds_status(
            required=transfer.funds_required, remitted_total=remitted_total, received_total=received
        ),
        transfer=transfer,
        remittance=remittance,
        receipts=receipts,
        received_total=received,
        difference=rules.funds_difference(received, remitted_total),
        refunded_total=rules.money_sum(d.refund_amount for d in resolved),
        credited=rules.credited_amount(received, from_transfer),
    )
    case._ledger = ledger
    return ledger


def completion_funds_blocker(case: TransferCase) -> str:
    """Why the funds stop `complete` (the message names the difference), or ""."""
    ledger = case_ledger(case)
    if ledger is None:
        return ""
    violation = rules.completion_funds_violation(
        ledger.status, ledger.transfer.total, ledger.remittance.total if ledger.remittance else None,
        ledger.received_total,
    )
    return violation.message if violation else ""
