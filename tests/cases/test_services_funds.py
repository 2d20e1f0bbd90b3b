"""Funds transfer and reconciliation: the origin remits what moves, the destination's receipts add up to it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import rules
from cases.errors import NotPermitted, RuleBlocked, StateConflict
from cases.models import Actor, CaseStatus, FundsStatus, Remittance
from cases.selectors.funds import case_ledger, case_transfer
from cases.services import case_transition, duplicates_resolve, receipt_record, remittance_record
from regions.models import City, CreditRate
from tests.factories import WorkerFactory, advance, agency, make_id_number, open_case, periods

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]

# Shenzhen 2016-01..2024-06 at 8000 (open_case's history): 12% × 8000 × 102 months = 97,920.00 pooled.
POOLED, TOTAL = Decimal("97920.00"), Decimal("184241.01")
PERSONAL = TOTAL - POOLED


def issued(users, **kwargs):
    return open_case(users, status="agreement_issued", **kwargs)


def remit(case, users, who="origin_clerk", pooled=POOLED, personal=PERSONAL, value_date=None):
    return remittance_record(
        case=case, actor=Actor.for_user(users[who]), pooled_fund=pooled, personal_account=personal,
        bank_reference="ICBC-2026-0001", value_date=value_date or timezone.localdate(), user=users[who],
    )


def receive(case, users, amount, who="dest_clerk", received_on=None):
    return receipt_record(
        case=case, actor=Actor.for_user(users[who]), amount=Decimal(amount), bank_reference="BOC-IN-77",
        received_on=received_on or timezone.localdate(), user=users[who],
    )


def complete(case, users):
    return case_transition(case=case, actor=Actor.for_user(users["dest_supervisor"]), name="complete")


def test_the_agreement_starts_the_ledger_with_what_moves(users):
    case = issued(users)
    assert case.funds_status == FundsStatus.AWAITING_REMITTANCE
    moving = case_transfer(case)
    assert (moving.pooled_fund, moving.personal_account, moving.total) == (POOLED, PERSONAL, TOTAL)
    ledger = case_ledger(case)
    assert ledger.status == "awaiting_remittance" and ledger.remittance is None
    assert ledger.received_total == Decimal("0.00") and ledger.difference == Decimal("0.00")


def test_no_ledger_before_the_agreement(users):
    case = open_case(users, status="verifying")
    assert case.funds_status == "" and case_ledger(case) is None


def test_the_origin_remits_exactly_what_moves(users, django_capture_on_commit_callbacks, mailoutbox):
    case = issued(users)
    with django_capture_on_commit_callbacks(execute=True):
        case = remit(case, users)
    assert case.funds_status == FundsStatus.REMITTED
    remittance = Remittance.objects.get(case=case)
    assert (remittance.pooled_fund, remittance.personal_account, remittance.total) == (POOLED, PERSONAL, TOTAL)
    assert remittance.agreement_number == case.current_agreement.number and remittance.agency == agency("440300")
    assert remittance.recorded_by == users["origin_clerk"]
    event = case.events.get(transition="record_remittance")
    assert (event.from_status, event.to_status) == ("agreement_issued", "agreement_issued")
    assert "184241.01" in event.note and "ICBC-2026-0001" in event.note
    # The destination hears of it; the origin, which recorded it, does not.
    (mail,) = mailoutbox
    # In the site's language (settings.LANGUAGE_CODE), as every mail between the agencies.
    assert "基金已划转" in mail.subject and case.reference in mail.subject
    assert sorted(mail.to) == ["dest_clerk@example.org", "dest_supervisor@example.org"]


def test_a_supervisor_may_remit_and_in_receiving_too(users):
    case = advance(issued(users), users, "register_agreement")
    assert remit(case, users, who="origin_supervisor").funds_status == FundsStatus.REMITTED


def test_amounts_that_differ_are_refused_naming_the_difference(users):
    case = issued(users)
    with pytest.raises(RuleBlocked) as caught:
        remit(case, users, pooled=POOLED - Decimal("12.50"))
    assert caught.value.code == "remittance_mismatch"
    assert "pooled fund differs by -12.50" in caught.value.message and "184241.01" in caught.value.message
    with pytest.raises(RuleBlocked) as caught:
        remit(case, users, personal=PERSONAL + 1)
    assert "personal account differs by +1.00" in caught.value.message
    assert not Remittance.objects.filter(case=case).exists()


def test_a_second_remittance_conflicts(users):
    case = remit(issued(users), users)
    with pytest.raises(StateConflict) as caught:
        remit(case, users)
    assert caught.value.code == "already_remitted"
    assert Remittance.objects.filter(case=case).count() == 1


def test_the_other_side_may_not_remit_and_that_beats_the_state(users):
    case = issued(users)
    for who in ("dest_clerk", "dest_supervisor", "outsider_clerk"):
        with pytest.raises(NotPermitted):
            remit(case, users, who=who)
    verifying = open_case(users, status="verifying")
    with pytest.raises(NotPermitted):
        remit(verifying, users, who="dest_clerk")
    with pytest.raises(StateConflict):
        remit(verifying, users)
    with pytest.raises(NotPermitted):
        remittance_record(case=case, actor=Actor.worker(), pooled_fund=POOLED, personal_account=PERSONAL,
                          bank_reference="x", value_date=timezone.localdate())


def test_a_temporary_account_needs_no_funds(users):
    wuhan = City.objects.get(code="420100")
    worker = WorkerFactory(id_number=make_id_number(county="420103", birth=dt.date(1970, 1, 20)), hukou_city=wuhan)
    case = issued(users, worker=worker)
    assert case.outcome == "temporary_account" and case.funds_status == FundsStatus.NOT_REQUIRED
    moving = case_transfer(case)
    assert (moving.total, moving.temporary_account, moving.funds_required) == (Decimal("0.00"), True, False)
    with pytest.raises(RuleBlocked) as caught:
        remit(case, users)
    assert caught.value.code == "funds_not_required"
    with pytest.raises(RuleBlocked):
        receive(case, users, "1.00")
    case = advance(case, users, "register_agreement", "complete")
    assert case.status == CaseStatus.COMPLETED and case.funds_status == FundsStatus.NOT_REQUIRED


def test_a_future_value_date_or_no_bank_reference_is_refused(users):
    case = issued(users)
    with pytest.raises(RuleBlocked) as caught:
        remit(case, users, value_date=timezone.localdate() + dt.timedelta(days=1))
    assert caught.value.code == "value_date"
    with pytest.raises(RuleBlocked) as caught:
        remittance_record(case=case, actor=Actor.for_user(users["origin_clerk"]), pooled_fund=POOLED,
                          personal_account=PERSONAL, bank_reference="  ", value_date=timezone.localdate())
    assert caught.value.code == "bank_reference"


def test_receipts_follow_the_remittance_and_belong_to_the_destination(users):
    case = advance(issued(users), users, "register_agreement")
    with pytest.raises(StateConflict) as caught:
        receive(case, users, "100.00")
    assert caught.value.code == "not_remitted"
    case = remit(case, users)
    with pytest.raises(NotPermitted):
        receive(case, users, "100.00", who="origin_clerk")
    with pytest.raises(RuleBlocked) as caught:
        receive(case, users, "0.00")
    assert caught.value.code == "amount"
    with pytest.raises(RuleBlocked) as caught:
        receive(case, users, "1.00", received_on=timezone.localdate() + dt.timedelta(days=3))
    assert caught.value.code == "received_on"


def test_two_partial_receipts_add_up_and_then_complete_passes(users, django_capture_on_commit_callbacks, mailoutbox):
    case = remit(advance(issued(users), users, "register_agreement"), users)
    case = receive(case, users, "100000.00", who="dest_supervisor")
    assert case.funds_status == FundsStatus.REMITTED
    ledger = case_ledger(case)
    assert ledger.received_total == Decimal("100000.00") and ledger.difference == Decimal("-84241.01")
    with pytest.raises(RuleBlocked) as caught:
        complete(case, users)
    assert "-84241.01" in caught.value.message
    with django_capture_on_commit_callbacks(execute=True):
        case = receive(case, users, "84241.01")
    assert case.funds_status == FundsStatus.RECEIVED
    ledger = case_ledger(case)
    assert [r.amount for r in ledger.receipts] == [Decimal("100000.00"), Decimal("84241.01")]
    assert ledger.received_total == TOTAL and ledger.difference == Decimal("0.00") and ledger.credited == TOTAL
    event = case.events.filter(transition="record_receipt").last()
    assert "184241.01 of 184241.01" in event.note
    (mail,) = mailoutbox
    assert sorted(mail.to) == ["origin_clerk@example.org", "origin_supervisor@example.org"]
    assert complete(case, users).status == CaseStatus.COMPLETED


def test_an_excess_is_a_discrepancy_that_blocks_completion(users):
    case = remit(advance(issued(users), users, "register_agreement"), users)
    case = receive(case, users, "184241.02")
    assert case.funds_status == FundsStatus.DISCREPANCY
    assert case_ledger(case).difference == Decimal("0.01")
    with pytest.raises(RuleBlocked) as caught:
        complete(case, users)
    assert "+0.01" in caught.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVING


def test_complete_waits_for_the_remittance(users):
    case = advance(issued(users), users, "register_agreement")
    with pytest.raises(RuleBlocked) as caught:
        complete(case, users)
    assert "remittance of 184241.01" in caught.value.message and "-184241.01" in caught.value.message


def test_a_return_to_origin_voids_the_ledger_and_the_next_agreement_is_paid_anew(users):
    case = remit(advance(issued(users), users, "register_agreement"), users)
    case = advance(case, users, "return_to_origin")
    assert case.funds_status == "" and case_ledger(case) is None
    with pytest.raises(StateConflict):
        remit(case, users)
    case = advance(case, users, "issue_agreement")
    assert case.funds_status == FundsStatus.AWAITING_REMITTANCE
    case = remit(case, users)
    assert Remittance.objects.filter(case=case).count() == 2


def test_the_status_rules():
    assert rules.funds_status(required=False, remitted_total=None, received_total=Decimal(0)) == "not_required"
    assert rules.funds_status(required=True, remitted_total=None, received_total=Decimal(0)) == "awaiting_remittance"
    assert rules.funds_status(required=True, remitted_total=Decimal(5), received_total=Decimal(4)) == "remitted"
    assert rules.funds_status(required=True, remitted_total=Decimal(5), received_total=Decimal(5)) == "received"
    assert rules.funds_status(required=True, remitted_total=Decimal(5), received_total=Decimal(6)) == "discrepancy"
    assert rules.credited_amount(Decimal("10.00"), [Decimal("2.50"), Decimal("1.00")]) == Decimal("6.50")


# --- refunds of duplicates: the released city's province's rates before 2016 ---------------------------------

RESOLVED_ON = dt.date(2026, 11, 24)


def case_with_2015_duplicate(users):
    # A national 2015 row (the fallback) beside Guangdong's and Sichuan's own rows, which the refunds use.
    CreditRate.objects.create(year=2015, percent=Decimal("4.00"))
    CreditRate.objects.create(year=2015, province_id="44", percent=Decimal("5.00"))
    CreditRate.objects.create(year=2015, province_id="51", percent=Decimal("3.00"))
    worker = WorkerFactory()
    periods(worker, ("440300", "2015-01", "2024-06", "8000"), ("510100", "2015-07", "2015-12", "5000"))
    case = open_case(users, worker=worker, status="agreement_issued", with_periods=False)
    return advance(case, users, "register_agreement")


def resolve(case, users, keep):
    return duplicates_resolve(case=case, actor=Actor.for_user(users["dest_clerk"]), keep_city_code=keep,
                              user=users["dest_clerk"], today=RESOLVED_ON)


# Interest for 2016–2025 (national): 1.0831 × 1.0712 × 1.0829 × 1.0761 × 1.0604 × 1.0669 × 1.0612 × 1.0397
# × 1.0262 × 1.0150 = 1.75783001984714…


def test_releasing_the_origin_refunds_at_its_provinces_rate_and_is_not_credited(users):
    case = resolve(case_with_2015_duplicate(users), users, "510100")
    duplicate = case.duplicates.get()
    # Shenzhen's 2015-07..12 credits: 6 × 8000 × 8% = 3840; 2015 at Guangdong's 5%:
    # 3840 × (1 + 0.05 × 1.083 / 2) = 3943.968; × 1.75783001984714… = 6932.8253477… → 6932.83
    # (at the national 4% it would be 6896.27)
    assert duplicate.refund_amount == Decimal("6932.83")
    case = advance(case, users, "remit", "receive")
    ledger = case_ledger(case)
    assert ledger.refunded_total == Decimal("6932.83")
    # The released months were part of what moved: the destination refunds them out of what it received.
    assert ledger.credited == ledger.received_total - Decimal("6932.83")


def test_releasing_the_destination_refunds_at_its_provinces_rate(users):
    case = resolve(case_with_2015_duplicate(users), users, "440300")
    # Chengdu's 6 × 5000 × 8% = 2400 at Sichuan's 3%: 2400 × 1.0162450 = 2438.988; × 1.75783… = 4287.3263… → 4287.33
    assert case.duplicates.get().refund_amount == Decimal("4287.33")
    case = advance(case, users, "remit", "receive")
    ledger = case_ledger(case)
    assert ledger.refunded_total == Decimal("4287.33") and ledger.credited == ledger.received_total


def test_a_missing_provincial_rate_names_the_year_and_the_province(users):
    case = case_with_2015_duplicate(users)
    CreditRate.objects.filter(year=2015).delete()
    with pytest.raises(RuleBlocked) as caught:
        resolve(case, users, "510100")
    assert "2015" in caught.value.message and "广东" in caught.value.message
