from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone

from cases.models import TransferCase
from tests.cases.test_worklist_view import bulk_cases
from tests.factories import backdate_event, open_case

DASHBOARD = "/dashboard/"


def test_anonymous_is_sent_to_sign_in_and_clerks_are_refused(client, users):
    assert client.get(DASHBOARD).url.startswith("/accounts/login/")
    assert client.get(DASHBOARD + "export.csv").url.startswith("/accounts/login/")
    client.force_login(users["origin_clerk"])
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(DASHBOARD + "export.csv").status_code == 403
    assert b'href="/dashboard/"' not in client.get("/").content


def test_counts_only_our_agency(client, users):
    open_case(users, status="verifying")
    open_case(users, status="completed")
    client.force_login(users["outsider_supervisor"])
    figures = client.get(DASHBOARD).context["figures"]
    assert sum(count for _status, _label, count in figures.by_status) == 0


def test_cases_by_state_overdue_and_median_working_days(client, users):
    case = open_case(users, status="receiving")
    late = open_case(users, status="verifying")
    TransferCase.objects.filter(pk=late.pk).update(due_date=dt.date(2026, 1, 5))
    # Spread the events: opened on a Monday, verification two working days later, and so on.
    monday = timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=28), dt.time(9)))
    monday -= dt.timedelta(days=monday.weekday())
    shifts = {"open": 0, "start_verification": 2, "issue_agreement": 9, "register_agreement": 11,
              "record_remittance": 12, "record_receipt": 13}
    for event in case.events.all():
        backdate_event(event.pk, monday + dt.timedelta(days=shifts[event.transition]))
    client.force_login(users["origin_supervisor"])
    response = client.get(DASHBOARD)
    figures = response.context["figures"]
    by_status = {status: count for status, _label, count in figures.by_status}
    assert by_status["receiving"] == 1 and by_status["verifying"] == 1
    assert response.context["total"] == 2
    assert (figures.overdue_ours, figures.overdue_theirs) == (1, 0)
    client.force_login(users["dest_supervisor"])
    figures = client.get(DASHBOARD).context["figures"]
    assert (figures.overdue_ours, figures.overdue_theirs) == (0, 1)
    steps = {step.status: step for step in figures.steps}
    assert steps["agreement_issued"].median_workdays is not None
    assert steps["submitted"].count == 2
    assert b'id="steps-data"' in response.content


def test_the_csv_export(client, users):
    open_case(users, status="verifying")
    client.force_login(users["dest_supervisor"])
    client.cookies["django_language"] = "en"
    response = client.get(DASHBOARD + "export.csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Figure", "Key", "Label", "Value", "Steps counted"]
    assert ["Cases by state", "verifying", "Verifying", "1", ""] in rows
    assert ["Overdue", "theirs", "On the other agency's step", "0", ""] in rows


def test_the_dashboard_runs_a_fixed_number_of_queries(client, users, django_assert_max_num_queries):
    open_case(users, status="completed")
    client.force_login(users["origin_supervisor"])
    client.get(DASHBOARD)  # the process's agency directory is read once, on the first page
    # Six, and the two money counts (each on its partial index).
    with django_assert_max_num_queries(8) as few:
        client.get(DASHBOARD)
    bulk_cases(200)
    open_case(users, status="receiving")
    with django_assert_max_num_queries(8) as many:
        client.get(DASHBOARD)
    assert len(few) == len(many)
