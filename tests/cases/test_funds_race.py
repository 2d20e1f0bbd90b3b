"""Money recorded at the same moment on PostgreSQL: one remittance per agreement, receipts that all count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from cases.errors import StateConflict
from cases.models import Actor, FundsStatus, Receipt, Remittance, TransferCase
from cases.selectors.funds import case_transfer
from cases.services import receipt_record, remittance_record
from tests.concurrency import race
from tests.factories import advance, open_case, remit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_clerks_remit_at_once_and_one_wins(users):
    case = open_case(users, status="agreement_issued")
    moving = case_transfer(case)

    def remit_as(who):
        return lambda: remittance_record(
            case=case, actor=Actor.for_user(users[who]), pooled_fund=moving.pooled_fund,
            personal_account=moving.personal_account, bank_reference=who, value_date=timezone.localdate(),
        )

    results = race(remit_as("origin_clerk"), remit_as("origin_supervisor"))
    assert sorted(type(r).__name__ for r in results) == ["StateConflict", "TransferCase"], results
    assert isinstance(next(r for r in results if not isinstance(r, TransferCase)), StateConflict)
    assert Remittance.objects.filter(case=case).count() == 1
    assert case.events.filter(transition="record_remittance").count() == 1


def test_two_receipts_at_once_both_count(users):
    case = remit(advance(open_case(users, status="agreement_issued"), users, "register_agreement"), users)
    half = case_transfer(case).total / 2

    def receive_as(who, amount):
        return lambda: receipt_record(
            case=case, actor=Actor.for_user(users[who]), amount=amount, bank_reference=who,
            received_on=timezone.localdate(),
        )

    amounts = (half.quantize(Decimal("0.01")), case_transfer(case).total - half.quantize(Decimal("0.01")))
    results = race(receive_as("dest_clerk", amounts[0]), receive_as("dest_supervisor", amounts[1]))
    assert all(isinstance(r, TransferCase) for r in results), results
    assert Receipt.objects.filter(remittance__case=case).count() == 2
    case.refresh_from_db()
    # The second to commit saw the first's receipt: the stored status is the ledger's.
    assert case.funds_status == FundsStatus.RECEIVED
