"""Funds transfer and reconciliation (docs/domain.md §5): the origin's remittance, the destination's receipts.

Each write locks the case, checks side (403) before state (409) before rules (400), records an event and keeps
TransferCase.funds_status, which the worklist's money tabs read through their indexes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import notifications, rules
from cases.errors import NotPermitted, RuleBlocked, StateConflict
from cases.models import Actor, CaseStatus, FundsStatus, Receipt, Remittance, Side, TransferCase
from cases.selectors.cases import CaseReport
from cases.selectors.funds import case_ledger, case_transfer, current_remittance
from cases.services.common import record_event

# The states in which money moves: from the agreement until the destination completes.
FUNDS_STATES = (CaseStatus.AGREEMENT_ISSUED, CaseStatus.RECEIVING)
BANK_REFERENCE_MAX = Remittance._meta.get_field("bank_reference").max_length


def funds_after_transition(case: TransferCase, name: str, report: CaseReport | None) -> None:
    """A new agreement starts its ledger; a return to the origin voids it (the next agreement has its own)."""
    if name == "issue_agreement" and report is not None:
        required = rules.remittable(report.assessment).funds_required
        case.funds_status = FundsStatus.AWAITING_REMITTANCE if required else FundsStatus.NOT_REQUIRED
    elif name == "return_to_origin":
        case.funds_status = ""


def _locked(case: TransferCase, actor: Actor, side: str, refusal: str, wrong_state: str) -> TransferCase:
    locked = TransferCase.objects.select_for_update().select_related("origin_agency", "destination_agency").get(
        pk=case.pk
    )
    if actor.is_worker or side not in actor.sides(locked):
        raise NotPermitted(refusal, "forbidden")
    if locked.status not in FUNDS_STATES:
        raise StateConflict(wrong_state % {"status": locked.get_status_display()}, "wrong_state")
    return locked


def _checked_text_and_date(bank_reference: str, day: dt.date, today: dt.date, date_field: str) -> str:
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise RuleBlocked(_("Give the bank's reference of the transfer."), "bank_reference")
    if len(bank_reference) > BANK_REFERENCE_MAX:
        raise RuleBlocked(
            _("The bank reference has at most %(limit)s characters.") % {"limit": BANK_REFERENCE_MAX}, "bank_reference"
        )
    if day > today:
        raise RuleBlocked(_("The date %(date)s is in the future.") % {"date": day.isoformat()}, date_field)
    return bank_reference


def _user(user: object) -> object:
    return user if getattr(user, "is_authenticated", False) else None


def remittance_record(
    *, case: TransferCase, actor: Actor, pooled_fund: Decimal, personal_account: Decimal, bank_reference: str,
    value_date: dt.date, user: object = None, today: dt.date | None = None,
) -> TransferCase:
    """The origin records what it sent: exactly what the agreement moves, once per agreement."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            locked = _locked(
                case, actor, Side.ORIGIN, _("Only the origin agency records the remittance."),
                _("The remittance is recorded after the agreement and before completion; the case is “%(status)s”."),
            )
            expected = case_transfer(locked)
            if not expected.funds_required:
                raise RuleBlocked(
                    _("No funds move for this case (a temporary contribution account, or nothing to transfer)."),
                    "funds_not_required",
                )
            if current_remittance(locked) is not None:
                raise StateConflict(_("The remittance for this agreement is already recorded."), "already_remitted")
            bank_reference = _checked_text_and_date(bank_reference, value_date, today, "value_date")
            try:
                rules.require_remittance_matches(expected, pooled_fund, personal_account)
            except rules.RuleViolation as violation:
                raise RuleBlocked(violation.message, violation.code) from None
            remittance = Remittance.objects.create(
                case=locked, agreement_number=locked.current_agreement.number, pooled_fund=expected.pooled_fund,
                personal_account=expected.personal_account, total=expected.total, bank_reference=bank_reference,
                value_date=value_date, recorded_by=_user(user), agency_id=actor.agency_id,
            )
            _keep_status(locked)
            event = record_event(
                locked, actor, "record_remittance", locked.status, locked.status,
                _("%(total)s remitted (pooled fund %(pooled)s, personal account %(personal)s), value date %(date)s, "
                  "bank reference %(reference)s.") % {
                    "total": remittance.total, "pooled": remittance.pooled_fund,
                    "personal": remittance.personal_account, "date": value_date.isoformat(),
                    "reference": bank_reference,
                },
                actor.agency_id,
            )
    except IntegrityError:
        # The unique constraint caught a second remittance recorded at the same moment.
        raise StateConflict(_("The remittance for this agreement is already recorded."), "already_remitted") from None
    transaction.on_commit(lambda: notifications.funds_recorded(event.pk))
    return locked


def receipt_record(
    *, case: TransferCase, actor: Actor, amount: Decimal, received_on: dt.date, bank_reference: str,
    user: object = None, today: dt.date | None = None,
) -> TransferCase:
    """The destination records money received against the remittance; several receipts add up."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked(
            case, actor, Side.DESTINATION, _("Only the destination agency records the funds received."),
            _("Funds are recorded as received after the agreement and before completion; the case is “%(status)s”."),
        )
        remittance = current_remittance(locked)
        if remittance is None:
            if not case_transfer(locked).funds_required:
                raise RuleBlocked(
                    _("No funds move for this case (a temporary contribution account, or nothing to transfer)."),
                    "funds_not_required",
                )
            raise StateConflict(
                _("The origin has not recorded its remittance yet: receipts follow the remittance."), "not_remitted"
            )
        if amount <= 0:
            raise RuleBlocked(_("Enter an amount of more than zero."), "amount")
        bank_reference = _checked_text_and_date(bank_reference, received_on, today, "received_on")
        Receipt.objects.create(
            remittance=remittance, amount=amount, received_on=received_on, bank_reference=bank_reference,
            recorded_by=_user(user), agency_id=actor.agency_id,
        )
        ledger = _keep_status(locked)
        event = record_event(
            locked, actor, "record_receipt", locked.status, locked.status,
            _("%(amount)s received on %(date)s, bank reference %(reference)s: %(received)s of %(remitted)s "
              "received, difference %(difference)s.") % {
                "amount": amount, "date": received_on.isoformat(), "reference": bank_reference,
                "received": ledger.received_total, "remitted": remittance.total,
                "difference": rules.signed_money(ledger.difference),
            },
            actor.agency_id,
        )
    transaction.on_commit(lambda: notifications.funds_recorded(event.pk))
    return locked


def _keep_status(case: TransferCase) -> object:
    """Store the status the ledger now gives, for the worklist's indexed tabs."""
    case._ledger = None
    ledger = case_ledger(case)
    case.funds_status = ledger.status
    case.save(update_fields=["funds_status", "updated_at"])
    return ledger
