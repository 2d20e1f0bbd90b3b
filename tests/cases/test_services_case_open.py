"""case_open: where an application is lodged, what it decides, and when the origin's clock runs out."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.errors import RuleBlocked
from cases.models import Actor, CaseStatus, TransferCase
from cases.selectors import case_report
from cases.services import case_open
from regions.models import City, RegionPolicy
from tests.factories import WorkerFactory, advance, agency, apply_online, make_id_number, periods

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]
# Tuesday 1 September 2026; Sunday 20 September is a make-up working day.
TODAY = dt.date(2026, 9, 1)


def open_(users, actor="origin_clerk", *, worker=None, kind="pension", origin="440300", destination="510100",
          today=TODAY, reference=""):
    worker = worker or WorkerFactory()
    return case_open(
        actor=actor if isinstance(actor, Actor) else Actor.for_user(users[actor]), worker=worker,
        insurance_type=kind, origin_agency=agency(origin), destination_agency=agency(destination), today=today,
        approved_transfer_reference=reference,
    )


def blocked(users, *args, **kwargs) -> RuleBlocked:
    with pytest.raises(RuleBlocked) as caught:
        open_(users, *args, **kwargs)
    return caught.value


def test_an_application_at_the_origin(users):
    case = open_(users, "origin_clerk")
    assert case.status == CaseStatus.SUBMITTED
    assert case.lodged_at == agency("440300")
    assert case.channel == TransferCase.Channel.COUNTER
    assert case.application_date == TODAY
    assert case.reference.startswith("TR-2026-") and len(case.reference) == 14
    event = case.events.get()
    assert (event.transition, event.from_status, event.to_status) == ("open", "", "submitted")
    assert (event.actor, event.agency) == (users["origin_clerk"], agency("440300"))


def test_an_application_at_the_destination_and_online(users):
    assert open_(users, "dest_clerk").lodged_at == agency("510100")
    online = apply_online(origin="440300", destination="510100")
    assert (online.lodged_at, online.channel, online.status) == (
        agency("510100"), TransferCase.Channel.ONLINE, CaseStatus.APPLIED
    )
    assert online.worker is None
    assert online.events.get().actor is None
    # An online application goes through case_open_application only: case_open is a clerk's counter.
    assert blocked(users, Actor.worker()).code == "not_a_party"


def test_a_caller_of_neither_agency_is_refused(users, admin_user):
    assert blocked(users, "outsider_clerk").code == "not_a_party"
    assert blocked(users, Actor.for_user(admin_user)).code == "not_a_party"
    assert not TransferCase.objects.exists()


def test_no_case_within_one_pooling_area(users):
    error = blocked(users, origin="440300", destination="440100")  # pension: Guangdong is one area
    assert error.code == "same_pooling_area"
    assert "no transfer is needed" in error.message
    # Medical insurance is pooled per city there…
    assert open_(users, kind="medical", origin="440300", destination="440100").status == CaseStatus.SUBMITTED
    # …until the province's policy says province-level.
    RegionPolicy.objects.filter(province_id="44", year__isnull=True).update(medical_pooling="province")
    assert blocked(users, kind="medical", origin="440300", destination="440100").code == "same_pooling_area"


def test_the_same_agency_at_both_ends_is_refused(users):
    assert blocked(users, origin="440300", destination="440300").code == "same_agency"


def test_work_injury_does_not_transfer(users):
    assert blocked(users, kind="work_injury").code == "insurance_type"


def test_one_open_case_per_worker_and_type(users):
    worker = WorkerFactory()
    first = open_(users, worker=worker)
    error = blocked(users, worker=worker, destination="330100", actor="origin_clerk")
    assert error.code == "already_open"
    assert "already has an open case" in error.message
    # Another type is another case.
    open_(users, worker=worker, kind="medical")
    # Once the first is closed a new one may be lodged.
    advance(first, users, "withdraw")
    assert open_(users, worker=worker, destination="330100").status == CaseStatus.SUBMITTED


def test_an_older_worker_moving_away_from_the_hukou_province_gets_a_temporary_account(users):
    wuhan = City.objects.get(code="420100")
    worker = WorkerFactory(id_number=make_id_number(county="420103", birth=dt.date(1970, 1, 20)), hukou_city=wuhan)
    case = open_(users, worker=worker)
    assert case.outcome == "temporary_account"
    assert "Aged 56" in case_report(case).assessment.outcome_reason.text
    # With an approved-transfer reference the relationship moves.
    worker2 = WorkerFactory(id_number=make_id_number(county="420103", birth=dt.date(1970, 1, 20)), hukou_city=wuhan)
    approved = open_(users, worker=worker2, reference=" 鄂人社调〔2026〕3号 ")
    assert approved.outcome == "full_transfer"
    assert approved.approved_transfer_reference == "鄂人社调〔2026〕3号"


def test_a_return_to_the_hukou_province_moves_the_relationship(users):
    worker = WorkerFactory(id_number=make_id_number(county="510104", birth=dt.date(1960, 5, 5)))
    assert open_(users, worker=worker).outcome == "full_transfer"


@pytest.mark.parametrize(
    ("kind", "due"),
    [
        # 15 working days from Tuesday 1 Sep: 2–4, 7–11, 14–18 Sep, Sunday 20 (make-up), Monday 21 → 21 Sep.
        ("pension", dt.date(2026, 9, 21)),
        ("unemployment", dt.date(2026, 9, 21)),
        # Medical: 10 working days out → 2–4, 7–11, 14, 15 → 15 Sep.
        ("medical", dt.date(2026, 9, 15)),
    ],
)
def test_the_origins_due_date_in_working_days(users, kind, due):
    case = open_(users, kind=kind)
    assert (case.due_date, case.due_estimated) == (due, False)


def test_a_due_date_in_a_year_nobody_entered_is_estimated(users):
    case = open_(users, today=dt.date(2026, 12, 21))
    assert case.due_estimated is True
    assert case.due_date == dt.date(2027, 1, 11)  # 22–25, 28–31 Dec, 1, 4–8, 11 Jan (weekdays, guessed)


def test_duplicates_are_found_when_the_case_opens(users):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2024-06", "8000"), ("510100", "2019-07", "2019-12", "5000"))
    case = open_(users, worker=worker)
    assert [(d.first_city_id, d.second_city_id) for d in case.duplicates.all()] == [("440300", "510100")]


def test_an_over_long_approved_transfer_reference_is_refused(users):
    error = blocked(users, reference="号" * 65)
    assert error.code == "approved_transfer_reference"
    assert "64" in error.message
    assert open_(users, reference="号" * 64).approved_transfer_reference == "号" * 64
