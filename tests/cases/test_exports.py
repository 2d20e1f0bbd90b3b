"""The worklist as .xlsx and CSV, and the printable case summary."""

from __future__ import annotations

import csv
import io

from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from cases import selectors
from cases.models import Worker
from tests.cases.test_worklist_view import bulk_cases
from tests.factories import WorkerFactory, open_case


def rows_of_xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def rows_of_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_the_xlsx_holds_the_tab_with_masked_ids(client, users):
    case = open_case(users, status="verifying")
    closed = open_case(users, status="completed")
    client.force_login(users["origin_clerk"])
    response = client.get("/worklist.xlsx", {"tab": "outgoing"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="worklist-outgoing-' in response["Content-Disposition"]
    header, *rows = rows_of_xlsx(response)
    assert header[:3] == ["案件编号", "参保人", "身份证号码（已隐去部分）"]  # in the reader's language
    assert [row[0] for row in rows] == [case.reference]
    row = rows[0]
    assert row[2] == case.worker.masked_id and case.worker.id_number not in [str(v) for v in row]
    assert row[8].date() == case.due_date  # a date cell, not text
    assert closed.reference in {r[0] for r in rows_of_xlsx(client.get("/worklist.xlsx", {"tab": "closed"}))[1:]}


def test_the_csv_keeps_the_search_and_filters(client, users):
    pension = open_case(users)
    medical = open_case(users, insurance_type="medical")
    client.force_login(users["origin_clerk"])
    rows = rows_of_csv(client.get("/worklist.csv", {"insurance_type": "medical"}))[1:]
    assert [row[0] for row in rows] == [medical.reference]
    rows = rows_of_csv(client.get("/worklist.csv", {"q": pension.worker.name}))[1:]
    assert [row[0] for row in rows] == [pension.reference]
    rows = rows_of_csv(client.get("/worklist.csv", {"o": "-due_date"}))[1:]
    assert [row[0] for row in rows] == [pension.reference, medical.reference]


def test_text_that_a_spreadsheet_would_run_is_kept_as_text(client, users):
    for name in ("=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR"):
        open_case(users, worker=WorkerFactory(name=name))
    client.force_login(users["origin_clerk"])
    names = {row[1] for row in rows_of_csv(client.get("/worklist.csv"))[1:]}
    assert names == {"'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "'\tTAB", "'\rCR"}
    sheet = load_workbook(io.BytesIO(client.get("/worklist.xlsx").content)).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    # XML reads a carriage return back as a line feed; what matters is the apostrophe before it.
    assert {cell.value for cell in cells} == {name.replace("\r", "\n") for name in names}
    assert {cell.data_type for cell in cells} == {"s"}  # no formula among them


def test_the_export_stops_at_its_limit_and_says_so(client, users, monkeypatch):
    monkeypatch.setattr("cases.selectors.clerk.EXPORT_MAX_ROWS", 5)
    bulk_cases(7)
    client.force_login(users["origin_clerk"])
    rows = rows_of_csv(client.get("/worklist.csv", {"tab": "outgoing"}))
    assert len(rows) == 1 + 5 + 1
    assert rows[-1][0].startswith("仅导出前 5 件")
    assert rows_of_xlsx(client.get("/worklist.xlsx", {"tab": "outgoing"}))[-1][0].startswith("仅导出前 5 件")
    assert len(rows_of_csv(client.get("/worklist.csv", {"tab": "outgoing", "q": "批量1"}))) == 2  # no note


def test_the_export_costs_a_fixed_number_of_queries(client, users, django_assert_max_num_queries):
    bulk_cases(10)
    client.force_login(users["origin_clerk"])
    client.get("/worklist.csv")
    with django_assert_max_num_queries(8) as few:
        client.get("/worklist.xlsx", {"tab": "overdue"})
    bulk_cases(300)
    with django_assert_max_num_queries(len(few)):
        client.get("/worklist.xlsx", {"tab": "overdue"})
    assert Worker.objects.count() >= 310


def test_only_clerks_export_and_only_their_agency_s_cases(client, users):
    case = open_case(users)
    assert client.get("/worklist.csv").status_code == 302  # to sign in
    client.force_login(users["outsider_clerk"])
    assert case.reference not in client.get("/worklist.csv").content.decode()


def test_the_printable_summary(client, users):
    case = open_case(users, status="verifying")
    clerk = users["origin_clerk"]
    get_user_model().objects.filter(pk=clerk.pk).update(first_name="Wei", last_name="Zhang")
    client.force_login(clerk)
    response = client.get(f"/cases/{case.reference}/print/")
    assert response.status_code == 200
    page = response.content.decode()
    assert case.reference in page and case.worker.masked_id in page and case.worker.id_number not in page
    assert "data-print" in page and "Wei Zhang 于" in page
    assert client.get(f"/cases/{case.reference}/").content.decode().count(f"/cases/{case.reference}/print/") == 1
    client.force_login(users["outsider_clerk"])
    assert client.get(f"/cases/{case.reference}/print/").status_code == 404


def test_staff_are_named_by_full_name(client, users):
    from cases import services
    from cases.models import Actor

    case = open_case(users)
    get_user_model().objects.filter(pk=users["origin_clerk"].pk).update(first_name="Wei", last_name="Zhang")
    clerk = get_user_model().objects.get(pk=users["origin_clerk"].pk)
    services.case_add_note(case=case, actor=Actor.for_user(clerk), user=clerk, text="hello")
    services.case_assign(case=case, actor=Actor.for_user(clerk), assignee_id=clerk.pk)
    client.force_login(users["dest_clerk"])
    page = client.get(case.get_absolute_url()).content.decode()
    # The timeline's events, the note, the assignee.
    assert page.count("Wei Zhang") >= 3 and "origin_clerk" not in page
    client.force_login(clerk)
    rows = client.get("/", {"tab": "mine"})
    assert "Wei Zhang" in rows.content.decode()
    assert selectors.EXPORT_MAX_ROWS == selectors.WORKLIST_COUNT_CAP
