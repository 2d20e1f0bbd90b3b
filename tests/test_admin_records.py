"""The administration of records and reference data: periods through the services with every version kept, the access
record read-only, reference data imported and exported in bulk, and the labels that say 名称 for places."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from cases import services
from cases.models import Actor, ContributionPeriod, Worker, WorkerAccess
from cases.services import worker_access_record
from regions.models import Agency, CalendarDay, CreditRate, RegionPolicy
from tests.factories import WorkerFactory, open_case, periods
from tests.regions.test_calendar_entry import case_opened

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def period_form(period: ContributionPeriod, **overrides) -> dict[str, str]:
    return {
        "start_month": f"{period.start_month:%Y-%m-%d}", "end_month": f"{period.end_month:%Y-%m-%d}",
        "monthly_base": str(period.monthly_base), "personal_account_credit": "", "paid": "on", "reason": "", **overrides,
    }


# --- periods -------------------------------------------------------------------------------------


def test_an_administrators_correction_keeps_the_recorder_and_asks_for_a_reason(admin_client, admin_user, users):
    worker = WorkerFactory()
    services.contributions_record(actor=Actor.for_user(users["origin_clerk"]), worker=worker, user=users["origin_clerk"],
                                  records=[{"insurance_type": "pension", "city_code": "440300", "start_month": "2016-01",
                                            "end_month": "2018-12", "monthly_base": "1.00"}])
    period = worker.periods.get()
    url = reverse("admin:cases_contributionperiod_change", args=[period.pk])
    refused = admin_client.post(url, period_form(period, monthly_base="8000.00"))
    assert refused.status_code == 200 and "reason" in refused.context["adminform"].form.errors
    accepted = admin_client.post(url, period_form(period, monthly_base="8000.00", reason="typed 1.00"))
    assert accepted.status_code == 302, accepted.context and accepted.context["adminform"].form.errors
    period.refresh_from_db()
    assert period.monthly_base == Decimal("8000.00")
    assert period.recorded_by == users["origin_clerk"]
    last = ContributionPeriod.history.filter(id=period.pk).order_by("history_id").last()
    assert (last.history_user, last.history_change_reason) == (admin_user, "typed 1.00")
    history = admin_client.get(reverse("admin:cases_contributionperiod_history", args=[period.pk]))
    assert history.status_code == 200 and "typed 1.00" in history.content.decode()


def test_an_administrators_correction_is_checked_as_a_batch_row(admin_client, users):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2018-12", "8000"), ("440300", "2019-01", "2019-12", "8000"))
    period = worker.periods.order_by("start_month").first()
    url = reverse("admin:cases_contributionperiod_change", args=[period.pk])
    response = admin_client.post(url, period_form(period, end_month="2019-03-01", reason="x"))
    assert response.status_code == 200 and "start_month" in response.context["adminform"].form.errors
    RegionPolicy.objects.create(province_id="44", year=2017, base_floor=Decimal("2130.00"))
    response = admin_client.post(url, period_form(period, monthly_base="1.00", reason="x"))
    assert "monthly_base" in response.context["adminform"].form.errors


def test_a_locked_period_cannot_be_changed_or_deleted_in_the_admin(admin_client, users):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2018-12", "8000"))
    period = worker.periods.get()
    ContributionPeriod.objects.filter(pk=period.pk).update(locked=True)
    change = reverse("admin:cases_contributionperiod_change", args=[period.pk])
    assert admin_client.post(change, period_form(period, monthly_base="9000.00", reason="x")).status_code == 403
    assert admin_client.post(reverse("admin:cases_contributionperiod_delete", args=[period.pk]),
                             {"post": "yes"}).status_code == 403
    assert ContributionPeriod.objects.get(pk=period.pk).monthly_base == Decimal("8000.00")


def test_an_admin_deletion_is_a_version_with_a_reason(admin_client, users):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2018-12", "8000"))
    period = worker.periods.get()
    # No bulk action: a bulk delete would leave no reason and tell no case.
    assert admin_client.get(reverse("admin:cases_contributionperiod_changelist")).context["action_form"] is None
    assert admin_client.post(reverse("admin:cases_contributionperiod_delete", args=[period.pk]),
                             {"post": "yes"}).status_code == 302
    last = ContributionPeriod.history.filter(id=period.pk).order_by("history_id").last()
    assert last.history_type == "-" and "admin" in last.history_change_reason


def test_the_workers_periods_are_shown_not_edited_inline(admin_client, users):
    case = open_case(users)
    page = admin_client.get(reverse("admin:cases_worker_change", args=[case.worker_id]))
    formset = page.context["inline_admin_formsets"][0]
    assert not formset.has_add_permission and not formset.has_change_permission


@pytest.mark.parametrize("typed", ["1101 0519 4912 3100 2x", "１１０１０５１９４９１２３１００２Ｘ"])
def test_the_admin_normalises_id_numbers_and_checks_phone_numbers(admin_client, typed):
    url = reverse("admin:cases_worker_add")
    form = {"id_number": typed, "name": "王五", "hukou_city": "110000", "email": "", "registered_by_agency": "",
            "periods-TOTAL_FORMS": "0", "periods-INITIAL_FORMS": "0"}
    refused = admin_client.post(url, {**form, "phone": "12345"})
    assert refused.status_code == 200 and "phone" in refused.context["adminform"].form.errors
    accepted = admin_client.post(url, {**form, "phone": "010-6512 3456"})
    assert accepted.status_code == 302, accepted.context["adminform"].form.errors
    worker = Worker.objects.get(id_number="11010519491231002X")
    assert worker.phone == "+861065123456"


# --- the access record ---------------------------------------------------------------------------


def test_the_access_record_is_read_only_and_filtered(admin_client, users):
    case = open_case(users)
    worker_access_record(user=users["dest_clerk"], worker_id=case.worker_id, what=WorkerAccess.What.FULL_ID,
                         ip="10.0.0.1", path="/cases/x/worker-id/", case_id=case.pk)
    worker_access_record(user=users["origin_clerk"], worker_id=case.worker_id, what=WorkerAccess.What.CONTRIBUTIONS,
                         ip="10.0.0.2", path="/cases/x/contributions/", case_id=case.pk)
    url = reverse("admin:cases_workeraccess_changelist")
    listed = admin_client.get(url, {"what": "full_id"}).context["cl"].result_list
    assert [access.username for access in listed] == ["dest_clerk"]
    assert [a.username for a in admin_client.get(url, {"q": "origin_clerk"}).context["cl"].result_list] == [
        "origin_clerk"
    ]
    access = WorkerAccess.objects.first()
    assert admin_client.post(reverse("admin:cases_workeraccess_change", args=[access.pk]), {}).status_code == 403
    assert admin_client.get(reverse("admin:cases_workeraccess_add")).status_code == 403
    assert admin_client.post(reverse("admin:cases_workeraccess_delete", args=[access.pk]), {"post": "yes"}).status_code == 403


# --- reference data in bulk ----------------------------------------------------------------------


def admin_import(admin_client, model: str, content: bytes, name: str, file_format: int):
    """The admin's two steps: upload and preview, then confirm."""
    response = admin_client.post(reverse(f"admin:regions_{model}_import"), {
        "resource": "0", "format": str(file_format), "import_file": SimpleUploadedFile(name, content),
    })
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), [
        (row.number, row.error_dict if hasattr(row, "error_dict") else row.errors) for row in result.invalid_rows
    ] + [str(error.error) for row in result.row_errors() for error in row[1]]
    confirm = response.context["confirm_form"]
    done = admin_client.post(reverse(f"admin:regions_{model}_process_import"), confirm.initial)
    assert done.status_code == 302
    return result


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_agencies_addresses_phones_and_hours_in_one_file(admin_client):
    body = (
        "code,name,city_code,address,phone,hours,email,is_active\n"
        "440300,深圳市社会保险基金管理局,440300,深圳市福田区福华三路,0755-12333,周一至周五 9:00-18:00,,1\n"
        "510100,成都市社会保险事业管理局,510100,成都市青羊区,028-12333,工作日 9:00-17:00,,1\n"
    )
    admin_import(admin_client, "agency", body.encode("utf-8-sig"), "agencies.csv", 0)
    shenzhen = Agency.objects.get(code="440300")
    assert (shenzhen.name, shenzhen.address, shenzhen.phone, shenzhen.hours) == (
        "深圳市社会保险基金管理局", "深圳市福田区福华三路", "0755-12333", "周一至周五 9:00-18:00",
    )
    exported = admin_client.post(reverse("admin:regions_agency_export"), {
        "format": "0", "resource": "0", **{f"agencyresource_{name}": "on" for name in
                                            ("code", "name", "city", "address", "phone", "hours", "email", "is_active")},
    })
    assert exported.status_code == 200
    text = exported.content.decode("utf-8-sig")
    assert text.splitlines()[0].split(",")[:6] == ["code", "name", "city_code", "address", "phone", "hours"]
    assert "周一至周五 9:00-18:00" in text


def test_an_agency_row_with_an_unknown_city_is_refused_before_anything_is_stored(admin_client):
    response = admin_client.post(reverse("admin:regions_agency_import"), {
        "resource": "0", "format": "0",
        "import_file": SimpleUploadedFile("a.csv", b"code,name,city_code\nX1,x,999999\n"),
    })
    assert response.context["result"].has_validation_errors() or response.context["result"].has_errors()
    assert not Agency.objects.filter(code="X1").exists()


def test_provincial_credit_rates_from_an_xlsx(admin_client):
    content = xlsx([
        ["year", "province_code", "percent", "is_placeholder", "source"],
        [2014, "44", 4.5, 0, "粤人社发"], [2015, 44, "5.00", "0", "粤人社发"], [2025, "", "1.75", 1, "placeholder"],
    ])
    admin_import(admin_client, "creditrate", content, "rates.xlsx", 1)
    assert CreditRate.objects.get(year=2014, province_id="44").percent == Decimal("4.5")
    assert CreditRate.objects.get(year=2015, province_id="44").percent == Decimal("5.00")
    national = CreditRate.objects.get(year=2025, province__isnull=True)
    assert (national.percent, national.is_placeholder) == (Decimal("1.75"), True)


def test_regional_policies_by_province_and_year(admin_client):
    body = (
        "province_code,year,medical_pooling,unemployment_pooling,average_wage,base_floor,base_ceiling,"
        "min_months_before_transfer_in,nonhukou_medical_personal_account,note\n"
        "44,2024,city,city,,4546.00,34947.00,0,1,粤人社\n"
        "44,,province,city,,,,6,1,standing\n"
    )
    admin_import(admin_client, "regionpolicy", body.encode(), "policies.csv", 0)
    assert RegionPolicy.objects.get(province_id="44", year=2024).base_floor == Decimal("4546.00")
    assert RegionPolicy.objects.get(province_id="44", year__isnull=True).medical_pooling == "province"


def test_calendar_days_imported_recompute_the_estimated_due_dates(admin_client, users):
    case = case_opened(users)
    assert (case.due_date, case.due_estimated) == (dt.date(2027, 1, 8), True)
    body = "date,is_workday,note\n2027-01-01,holiday,元旦\n2027-02-07,班,调休\n"
    admin_import(admin_client, "calendarday", body.encode("utf-8-sig"), "2027.csv", 0)
    assert dict(CalendarDay.objects.filter(date__year=2027).values_list("date", "is_workday")) == {
        dt.date(2027, 1, 1): False, dt.date(2027, 2, 7): True,
    }
    case.refresh_from_db()
    assert (case.due_date, case.due_estimated) == (dt.date(2027, 1, 11), False)


def test_the_pasted_list_enters_the_year(admin_client, users):
    case = case_opened(users)
    url = reverse("admin:regions_calendarday_paste")
    changelist = admin_client.get(reverse("admin:regions_calendarday_changelist"))
    assert url in changelist.content.decode()
    page = admin_client.get(url)
    assert page.status_code == 200
    refused = admin_client.post(url, {"lines": "2027-01-01 holiday 元旦\n2027-13-01 holiday\n"})
    assert refused.status_code == 400 and not CalendarDay.objects.filter(date__year=2027).exists()
    done = admin_client.post(url, {"lines": "2027-01-01 holiday 元旦\n2027-02-07 workday 调休\n"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("admin:regions_calendarday_changelist")
    assert CalendarDay.objects.filter(date__year=2027).count() == 2
    case.refresh_from_db()
    assert case.due_date == dt.date(2027, 1, 11)


# --- labels --------------------------------------------------------------------------------------


def test_places_and_agencies_have_a_名称_and_workers_a_姓名(admin_client, users):
    open_case(users)
    agencies = admin_client.get(reverse("admin:regions_agency_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    cities = admin_client.get(reverse("admin:regions_city_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    workers = admin_client.get(reverse("admin:cases_worker_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    for response in (agencies, cities):
        page = response.content.decode()
        assert "名称" in page and "姓名" not in page
    assert "姓名" in workers.content.decode()
