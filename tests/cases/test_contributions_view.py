from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import ContributionPeriod
from tests.factories import open_case, periods


def url(case, suffix: str = "") -> str:
    return f"/cases/{case.reference}/contributions/{suffix}"


def csv_file(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("periods.csv", text.encode(encoding), content_type="text/csv")


HEADER = "insurance_type,city_code,start_month,end_month,monthly_base,personal_account_credit,paid\n"


def test_anonymous_and_outsiders_are_kept_out(client, users):
    case = open_case(users)
    assert client.get(url(case)).url.startswith("/accounts/login/")
    assert client.get("/contributions-template.csv").url.startswith("/accounts/login/")
    client.force_login(users["outsider_clerk"])
    assert client.get(url(case)).status_code == 404
    assert client.post(url(case, "add/")).status_code == 404
    assert client.post(url(case, "upload/")).status_code == 404


def test_the_history_per_city_and_year(client, users):
    case = open_case(users)
    periods(case.worker, ("420100", "2012-03", "2013-02", "5000"))
    client.force_login(users["origin_clerk"])
    histories = client.get(url(case)).context["histories"]
    assert [(h.city.code, h.months) for h in histories] == [("420100", 12), ("440300", 102)]
    wuhan = histories[0]
    assert [(y.year, y.months, y.base_total) for y in wuhan.years] == [(2012, 10, 50000), (2013, 2, 10000)]


def test_a_period_by_form_for_our_own_city(client, users):
    case = open_case(users, with_periods=False)
    client.force_login(users["dest_clerk"])
    response = client.post(url(case, "add/"), {
        "insurance_type": "pension", "start_month": "2025-01", "end_month": "2025-03", "monthly_base": "7000.00",
        "paid": "on",
    })
    assert response.status_code == 302
    period = ContributionPeriod.objects.get()
    assert period.city_id == "510100" and period.month_count == 3 and period.paid


def test_a_wrong_period_comes_back_with_errors_per_field(client, users):
    case = open_case(users)
    client.force_login(users["origin_clerk"])
    response = client.post(url(case, "add/"), {
        "insurance_type": "pension", "start_month": "2020-01", "end_month": "2020-03", "monthly_base": "7000",
    })
    assert response.status_code == 400
    assert response.context["period_form"].errors["start_month"]  # overlaps the recorded history
    response = client.post(url(case, "add/"), {
        "insurance_type": "pension", "start_month": "2025-13", "end_month": "2025-01", "monthly_base": "-1",
    })
    assert set(response.context["period_form"].errors) >= {"start_month", "monthly_base"}


def test_a_csv_upload_is_all_or_nothing_with_an_error_per_row_and_column(client, users):
    case = open_case(users, with_periods=False)
    client.force_login(users["origin_clerk"])
    client.cookies["django_language"] = "en"
    body = HEADER + (
        "pension,440300,2018-01,2018-12,6000.00,,yes\n"
        "pension,510100,2019-01,2019-12,6000.00,,yes\n"
        "pension,440300,2020-01,2020-12,abc,,maybe\n"
    )
    response = client.post(url(case, "upload/"), {"file": csv_file(body)})
    assert response.status_code == 400
    errors = {(line, column) for line, column, _message in response.context["row_errors"]}
    assert errors == {(3, "city_code"), (4, "monthly_base"), (4, "paid")}
    assert not ContributionPeriod.objects.exists()

    good = HEADER + "pension,440300,2018-01,2018-12,6000.00,,是\npension,440300,2019-01,2019-06,6500.00,,否\n"
    response = client.post(url(case, "upload/"), {"file": csv_file(good, "gb18030")})
    assert response.status_code == 302
    assert sorted(ContributionPeriod.objects.values_list("paid", flat=True)) == [False, True]


def test_a_csv_without_the_columns_is_refused(client, users):
    case = open_case(users, with_periods=False)
    client.force_login(users["origin_clerk"])
    response = client.post(url(case, "upload/"), {"file": csv_file("a,b\n1,2\n")})
    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"]


def test_the_template_is_the_header_row(client, users):
    client.force_login(users["origin_clerk"])
    response = client.get("/contributions-template.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig") == HEADER.replace("\n", "\r\n")


def test_a_closed_case_shows_the_history_without_forms(client, users):
    case = open_case(users, status="completed")
    client.force_login(users["dest_clerk"])
    response = client.get(url(case))
    assert response.context["period_form"] is None and response.context["upload_form"] is None


def test_a_closed_case_refuses_new_periods_with_a_message(client, users):
    # The page offers no form on a closed case; a stale page or a hand-made request is refused the same way.
    case = open_case(users, status="completed")
    client.force_login(users["dest_clerk"])
    client.cookies["django_language"] = "en"
    recorded = ContributionPeriod.objects.count()
    response = client.post(url(case, "add/"), {
        "insurance_type": "pension", "start_month": "2025-01", "end_month": "2025-03", "monthly_base": "7000.00",
        "paid": "on",
    }, follow=True)
    assert response.redirect_chain == [(url(case), 302)]
    assert [(m.tags, str(m)) for m in response.context["messages"]] == [("error", "The case is closed.")]
    response = client.post(url(case, "upload/"), {
        "file": csv_file(HEADER + "pension,510100,2025-01,2025-03,7000.00,,yes\n"),
    }, follow=True)
    assert response.redirect_chain == [(url(case), 302)]
    assert [m.tags for m in response.context["messages"]] == ["error"]
    assert ContributionPeriod.objects.count() == recorded


def test_the_page_runs_a_fixed_number_of_queries(client, users, django_assert_max_num_queries):
    case = open_case(users)
    for year in range(2000, 2015):
        periods(case.worker, ("420100", f"{year}-01", f"{year}-06", "5000"))
    for n in range(3):
        period = case.worker.periods.get(city_id="420100", start_month__year=2000 + n)
        services.contribution_correct(actor=None, worker=case.worker, period_id=period.pk,
                                      changes={"monthly_base": "5100.00"}, reason="typo")
    client.force_login(users["origin_clerk"])
    client.get(url(case))  # the process's agency directory is built once, on the first page
    # Session, user and membership, the case, the periods, their versions, the access record, and the
    # navigation's unread count.
    with django_assert_max_num_queries(8):
        assert client.get(url(case)).status_code == 200
