"""Admin smoke tests: every changelist and the case page open for a superuser in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from cases.models import Actor, CaseStatus, TransferCase, Worker, WorkerAccess
from cases.services import case_add_note, worker_access_record
from tests.factories import WorkerFactory, open_case, periods

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

# Session, user (with the membership the admin reads, sstransfer/auth_backends.py), then the page's own queries;
# none grows with the number of rows.
CHANGELIST_QUERIES = {
    "auth.group": 5, "authtoken.tokenproxy": 5, "regions.province": 5, "regions.city": 6, "regions.agency": 6,
    "regions.agencymembership": 5, "regions.regionpolicy": 6, "regions.creditrate": 7, "regions.calendarday": 7,
    "auth.user": 6, "cases.worker": 5, "cases.contributionperiod": 5, "cases.transfercase": 8, "cases.caseevent": 7,
    "cases.casenote": 5, "cases.caseattachment": 5, "cases.workeraccess": 7, "outbox.outboundemail": 6,
    "cases.casereminder": 7,
}
# The case page, with its inlines of agreements, events, duplicates and remittances.
CASE_PAGE_QUERIES = 12


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def add_cases(users, count: int) -> list[TransferCase]:
    made = []
    for status in [CaseStatus.RECEIVING, CaseStatus.INFO_REQUESTED, CaseStatus.COMPLETED][:count]:
        worker = WorkerFactory(email="w@example.org")
        if status != CaseStatus.COMPLETED:
            periods(worker, ("510100", "2019-07", "2019-12", "5000"), ("420100", "2018-01", "2018-03", "4000"))
        case = open_case(users, worker=worker, status=status)
        case_add_note(case=case, actor=Actor.for_user(users["dest_clerk"]), user=users["dest_clerk"], text="请核对")
        worker_access_record(user=users["dest_clerk"], worker_id=worker.pk, what=WorkerAccess.What.CONTRIBUTIONS,
                             ip="10.0.0.1", path=f"/cases/{case.reference}/contributions/", case_id=case.pk)
        made.append(case)
    return made


def test_every_admin_is_covered():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(CHANGELIST_QUERIES)


@pytest.mark.parametrize("label", sorted(CHANGELIST_QUERIES))
def test_changelists_open_in_a_fixed_number_of_queries(admin_client, users, django_assert_num_queries, label):
    model = next(m for m in admin.site._registry if f"{m._meta.app_label}.{m._meta.model_name}" == label)
    add_cases(users, 1)
    ContentType.objects.clear_cache()
    with django_assert_num_queries(CHANGELIST_QUERIES[label]):
        assert admin_client.get(changelist_url(model)).status_code == 200
    add_cases(users, 3)
    ContentType.objects.clear_cache()
    with django_assert_num_queries(CHANGELIST_QUERIES[label]):
        assert admin_client.get(changelist_url(model)).status_code == 200


def test_the_case_page_opens_in_a_fixed_number_of_queries(admin_client, users, django_assert_num_queries):
    plain = open_case(users, status="verifying")
    busy = add_cases(users, 1)[0]  # four events, two duplicates, a note
    assert busy.events.count() > plain.events.count() and busy.duplicates.count() == 2
    for case in (plain, busy):
        ContentType.objects.clear_cache()  # the same start for each page: the history link looks its type up
        with django_assert_num_queries(CASE_PAGE_QUERIES):
            response = admin_client.get(reverse("admin:cases_transfercase_change", args=[case.pk]))
        assert response.status_code == 200
        assert case.reference in response.content.decode()


def test_other_change_pages_open(admin_client, users):
    case = add_cases(users, 1)[0]
    event = case.events.first()
    for url in [
        reverse("admin:cases_worker_change", args=[case.worker_id]),
        reverse("admin:cases_caseevent_change", args=[event.pk]),
        reverse("admin:cases_contributionperiod_change", args=[case.worker.periods.first().pk]),
        reverse("admin:regions_agency_change", args=[case.origin_agency_id]),
        reverse("admin:auth_user_change", args=[users["dest_clerk"].pk]),
    ]:
        assert admin_client.get(url).status_code == 200, url


def listed(admin_client, model, **params) -> list:
    response = admin_client.get(changelist_url(model), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_cases_are_found_by_reference_id_number_and_name(admin_client, users):
    first, second = open_case(users), open_case(users)
    Worker.objects.filter(pk=first.worker_id).update(name="欧阳娜娜")
    assert listed(admin_client, TransferCase, q=first.reference) == [first]
    assert listed(admin_client, TransferCase, q=second.worker.id_number) == [second]
    assert listed(admin_client, TransferCase, q="欧阳") == [first]
    assert listed(admin_client, TransferCase, q="no such thing") == []
    assert listed(admin_client, Worker, q=first.worker.id_number) == [first.worker]
    assert listed(admin_client, Worker, q="欧阳娜娜") == [Worker.objects.get(pk=first.worker_id)]


def test_the_overdue_filter(admin_client, users):
    overdue, on_time, paused, closed = (open_case(users, status=s) for s in ("verifying", "verifying",
                                                                                "info_requested", "completed"))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    TransferCase.objects.filter(pk=overdue.pk).update(due_date=yesterday)
    TransferCase.objects.filter(pk=closed.pk).update(due_date=yesterday)  # closed cases are never overdue
    assert listed(admin_client, TransferCase, overdue="yes") == [overdue]
    assert set(listed(admin_client, TransferCase, overdue="no")) == {on_time, paused, closed}
    assert len(listed(admin_client, TransferCase)) == 4


def test_an_administrator_registers_a_worker_with_a_lower_case_x(admin_client):
    response = admin_client.post(reverse("admin:cases_worker_add"), {
        "id_number": "11010519491231002x", "name": "王五", "hukou_city": "110000", "phone": "", "email": "",
        "periods-TOTAL_FORMS": "0", "periods-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    worker = Worker.objects.get(id_number="11010519491231002X")
    assert (worker.gender, worker.birth_date) == ("female", dt.date(1949, 12, 31))


def test_an_administrators_period_is_checked_and_updates_the_cases_duplicates(admin_client, users):
    case = open_case(users)  # Shenzhen 2016-01..2024-06
    url = reverse("admin:cases_contributionperiod_add")
    form = {
        "worker": case.worker.pk, "insurance_type": "pension", "city": "440300", "start_month": "2024-01-01",
        "end_month": "2024-12-01", "monthly_base": "8000.00", "personal_account_credit": "", "paid": "on",
    }
    refused = admin_client.post(url, form)
    assert refused.status_code == 200
    assert "start_month" in refused.context["adminform"].form.errors
    accepted = admin_client.post(url, {**form, "city": "510100", "start_month": "2019-07-01", "end_month": "2019-12-01"})
    assert accepted.status_code == 302, accepted.context["adminform"].form.errors
    assert [(d.second_city_id, d.start_month) for d in case.duplicates.all()] == [("510100", dt.date(2019, 7, 1))]
    period = case.worker.periods.get(city_id="510100")
    assert admin_client.post(reverse("admin:cases_contributionperiod_delete", args=[period.pk]),
                             {"post": "yes"}).status_code == 302
    assert not case.duplicates.exists()


def test_credited_rates_are_listed_and_edited_by_province_and_year(admin_client, reference_data):
    from regions.models import CreditRate

    own = CreditRate.objects.create(year=2012, province_id="44", percent=Decimal("3.5000"))
    CreditRate.objects.create(year=2012, province_id="51", percent=Decimal("2.5000"))
    url = reverse("admin:regions_creditrate_changelist")
    listed = admin_client.get(url, {"year": "2012", "province__code__exact": "44"}).content.decode()
    assert "3.5000" in listed and "2.5000" not in listed
    # The percentage is edited in the list itself.
    form = admin_client.get(url, {"year": "2012"}).context["cl"].formset
    data = {f"{form.prefix}-{key}": value for key, value in form.management_form.initial.items()}
    for index, row in enumerate(form.forms):
        data[f"{form.prefix}-{index}-id"] = row.instance.pk
        data[f"{form.prefix}-{index}-percent"] = "3.7500" if row.instance.pk == own.pk else row.instance.percent
        data[f"{form.prefix}-{index}-is_placeholder"] = ""
    data["_save"] = "Save"
    response = admin_client.post(url + "?year=2012", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    own.refresh_from_db()
    assert own.percent == Decimal("3.7500")
