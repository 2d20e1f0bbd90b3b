"""contribution_correct and contribution_delete (docs/domain.md §6 "Corrections"): who, until when, checked as a batch
row is, every version kept, and the open case told."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cases.errors import NotPermitted, StateConflict
from cases.models import Actor, CaseEvent, ContributionPeriod
from cases.services import contribution_correct, contribution_delete, contributions_record
from regions.models import RegionPolicy
from tests.factories import WorkerFactory, open_case, periods

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]


def shenzhen_period(worker, **overrides) -> ContributionPeriod:
    row = ("440300", "2016-01", "2018-12", "8000", *overrides.pop("extra", ()))
    periods(worker, row, **overrides)
    return ContributionPeriod.objects.get(worker=worker, city_id="440300", start_month=dt.date(2016, 1, 1))


def correct(users, worker, period, user="origin_clerk", reason="typed wrong", **changes):
    return contribution_correct(
        actor=Actor.for_user(users[user]), worker=worker, period_id=period.pk, changes=changes, reason=reason,
        user=users[user],
    )


def field_errors(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def versions(period_id: int) -> list:
    return list(ContributionPeriod.history.filter(id=period_id).order_by("history_date", "history_id"))


def test_a_correction_keeps_the_earlier_version_with_who_when_and_why(users):
    worker = WorkerFactory()
    contributions_record(actor=Actor.for_user(users["origin_clerk"]), worker=worker, user=users["origin_clerk"],
                         records=[{"insurance_type": "pension", "city_code": "440300", "start_month": "2016-01",
                                   "end_month": "2018-12", "monthly_base": "1.00"}])
    period = ContributionPeriod.objects.get(worker=worker)
    corrected = correct(users, worker, period, user="origin_supervisor", reason="base typed as 1.00",
                        monthly_base="8000.00", personal_account_credit="640.00")
    assert (corrected.monthly_base, corrected.personal_account_credit) == (Decimal("8000.00"), Decimal("640.00"))
    period.refresh_from_db()
    assert period.monthly_base == Decimal("8000.00")
    # The record keeps who recorded it; the version says who corrected it.
    assert period.recorded_by == users["origin_clerk"]
    first, second = versions(period.pk)
    assert (first.history_type, first.monthly_base, first.history_user, first.history_change_reason) == (
        "+", Decimal("1.00"), users["origin_clerk"], "",
    )
    assert (second.history_type, second.monthly_base, second.history_user, second.history_change_reason) == (
        "~", Decimal("8000.00"), users["origin_supervisor"], "base typed as 1.00",
    )
    assert second.history_date >= first.history_date


def test_settling_arrears_is_a_correction_to_paid(users):
    worker = WorkerFactory()
    period = shenzhen_period(worker, extra=(None, False))
    assert not period.paid
    correct(users, worker, period, reason="paid at the counter on 2026-11-20", paid=True)
    period.refresh_from_db()
    assert period.paid
    assert [v.paid for v in versions(period.pk)] == [False, True]


def test_months_may_move_and_are_read_as_a_batch_reads_them(users):
    worker = WorkerFactory()
    period = shenzhen_period(worker)
    correct(users, worker, period, start_month="2016/3", end_month="201812")
    period.refresh_from_db()
    assert (period.start_month, period.end_month) == (dt.date(2016, 3, 1), dt.date(2018, 12, 1))


def test_the_same_checks_as_a_batch(users):
    worker = WorkerFactory()
    period = shenzhen_period(worker)
    periods(worker, ("440300", "2019-01", "2019-12", "8000"))
    assert "start_month" in field_errors(lambda: correct(users, worker, period, end_month="2019-03"))
    assert "end_month" in field_errors(lambda: correct(users, worker, period, end_month="2099-01"))
    assert "end_month" in field_errors(lambda: correct(users, worker, period, end_month="2015-01"))
    assert "start_month" in field_errors(lambda: correct(users, worker, period, start_month="2016-13"))
    assert "monthly_base" in field_errors(lambda: correct(users, worker, period, monthly_base="-1"))
    assert "monthly_base" in field_errors(lambda: correct(users, worker, period, monthly_base=8000.5))
    assert "paid" in field_errors(lambda: correct(users, worker, period, paid="yes"))
    RegionPolicy.objects.create(province_id="44", year=2017, base_floor=Decimal("2130.00"))
    assert field_errors(lambda: correct(users, worker, period, monthly_base="1.00")) == {
        "monthly_base": ["2017: the base is below the floor of 2130.00."],
    }
    assert len(versions(period.pk)) == 1


def test_a_reason_is_required_and_something_must_change(users):
    worker = WorkerFactory()
    period = shenzhen_period(worker)
    assert "reason" in field_errors(lambda: correct(users, worker, period, reason="  ", monthly_base="9000"))
    assert "reason" in field_errors(lambda: correct(users, worker, period, reason="x" * 2001, monthly_base="9000"))
    assert "non_field_errors" in field_errors(lambda: correct(users, worker, period))
    assert field_errors(lambda: correct(users, worker, period, monthly_base="8000.00")) == {
        "non_field_errors": ["The correction changes nothing."],
    }
    errors = field_errors(lambda: correct(users, worker, period, city_code="440100", insurance_type="medical"))
    assert set(errors) == {"city_code", "insurance_type"} and "delete the period" in errors["city_code"][0]
    assert set(field_errors(lambda: correct(users, worker, period, colour="red"))) == {"colour"}


def test_only_a_clerk_of_the_periods_city(users, admin_user):
    worker = WorkerFactory()
    period = shenzhen_period(worker)
    with pytest.raises(NotPermitted):
        correct(users, worker, period, user="dest_clerk", monthly_base="9000")
    with pytest.raises(NotPermitted):
        contribution_correct(actor=Actor.for_user(admin_user), worker=worker, period_id=period.pk,
                             changes={"monthly_base": "9000"}, reason="x")
    with pytest.raises(NotPermitted):
        contribution_delete(actor=Actor.for_user(users["dest_clerk"]), worker=worker, period_id=period.pk, reason="x")
    # The administrators' own path (actor None) may correct any city's period.
    contribution_correct(actor=None, worker=worker, period_id=period.pk, changes={"monthly_base": "9000"},
                         reason="by the administration", user=admin_user)
    assert versions(period.pk)[-1].history_user == admin_user


def test_a_period_an_issued_agreement_uses_is_locked(users):
    worker = WorkerFactory()
    period = shenzhen_period(worker)
    ContributionPeriod.objects.filter(pk=period.pk).update(locked=True)
    with pytest.raises(StateConflict) as caught:
        correct(users, worker, period, monthly_base="9000")
    assert caught.value.code == "locked"
    with pytest.raises(StateConflict):
        contribution_delete(actor=Actor.for_user(users["origin_clerk"]), worker=worker, period_id=period.pk, reason="x")
    # Side before state (docs/domain.md §5): another city's clerk hears "not yours", not "locked".
    with pytest.raises(NotPermitted):
        correct(users, worker, period, user="dest_clerk", monthly_base="9000")
    assert ContributionPeriod.objects.filter(pk=period.pk).exists() and len(versions(period.pk)) == 1


def test_a_deletion_is_the_last_version_and_the_period_is_gone(users):
    worker = WorkerFactory()
    period = shenzhen_period(worker)
    contribution_delete(actor=Actor.for_user(users["origin_clerk"]), worker=worker, period_id=period.pk,
                        reason="recorded for the wrong worker", user=users["origin_clerk"])
    assert not ContributionPeriod.objects.filter(pk=period.pk).exists()
    last = versions(period.pk)[-1]
    assert (last.history_type, last.history_change_reason, last.history_user, last.monthly_base) == (
        "-", "recorded for the wrong worker", users["origin_clerk"], Decimal("8000.00"),
    )
    with pytest.raises(StateConflict):
        contribution_delete(actor=None, worker=worker, period_id=period.pk, reason="again")
    with pytest.raises(ValidationError):
        contribution_delete(actor=None, worker=worker, period_id=period.pk, reason="")


def test_a_change_for_a_worker_with_an_open_case_is_an_event_and_the_agencies_are_told(
    users, django_capture_on_commit_callbacks
):
    case = open_case(users, status="verifying")  # Shenzhen → Chengdu, pension 2016-01..2024-06
    period = case.worker.periods.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        correct(users, case.worker, period, reason="base of 2016 was 7500", monthly_base="7500")
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.transition, event.from_status, event.to_status, event.agency.code, event.actor_label) == (
        "contribution_corrected", "verifying", "verifying", "440300", "origin_clerk",
    )
    assert "base of 2016 was 7500" in event.note and "8000.00" in event.note and "7500.00" in event.note
    # The origin made the change; the destination is told, and no one else.
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["dest_clerk@example.org", "dest_supervisor@example.org"]
    assert case.reference in mail.outbox[0].subject and case.worker.id_number not in mail.outbox[0].body


def test_another_citys_batch_for_the_worker_tells_both_agencies(users, django_capture_on_commit_callbacks):
    from regions.services import clerk_create
    from tests.factories import agency

    case = open_case(users, status="verifying")
    guangzhou = clerk_create(username="gz_clerk", agency=agency("440100"), role="clerk", password="x")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        contributions_record(actor=Actor.for_user(guangzhou), worker=case.worker, user=guangzhou, records=[
            {"insurance_type": "pension", "city_code": "440100", "start_month": "2010-01", "end_month": "2010-06",
             "monthly_base": "3000.00"},
            {"insurance_type": "medical", "city_code": "440100", "start_month": "2010-01", "end_month": "2010-06",
             "monthly_base": "3000.00"},
        ])
    event = CaseEvent.objects.filter(case=case).last()
    assert event.transition == "contributions_recorded" and event.agency.code == "440100"
    assert "2010-01–2010-06" in event.note and "3000.00" in event.note
    # Only the case's own type: the medical period is no business of a pension case.
    assert event.note.count("\n") == 1
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {f"{name}@example.org" for name in
                                      ("origin_clerk", "origin_supervisor", "dest_clerk", "dest_supervisor")}


def test_no_event_for_a_closed_case_or_another_type(users, django_capture_on_commit_callbacks):
    closed = open_case(users, status="withdrawn")
    medical = open_case(users, insurance_type="medical", worker=WorkerFactory())
    with django_capture_on_commit_callbacks(execute=True):
        periods(closed.worker, ("440300", "2010-01", "2010-06", "3000"))
        periods(medical.worker, ("440300", "2010-01", "2010-06", "3000"))
    assert not CaseEvent.objects.filter(transition__startswith="contribution").exists()
    assert not mail.outbox


def test_a_long_batch_is_summed_up_in_the_event(users):
    case = open_case(users, with_periods=False)
    periods(case.worker, *[("440300", f"{year}-01", f"{year}-06", "5000") for year in range(2001, 2009)])
    note = CaseEvent.objects.filter(case=case, transition="contributions_recorded").get().note
    assert note.splitlines()[-1] == "and 3 more" and len(note.splitlines()) == 7
