"""The contribution page's corrections: a form with a reason, a confirmation before deleting, every version shown."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases.models import CaseEvent, ContributionPeriod, WorkerAccess
from tests.factories import open_case, periods

pytestmark = pytest.mark.usefixtures("english")


def url(case, suffix: str = "") -> str:
    return f"/cases/{case.reference}/contributions/{suffix}"


@pytest.fixture
def case(users, client):
    made = open_case(users, status="verifying")  # Shenzhen 2016-01..2024-06 at 8000
    periods(made.worker, ("510100", "2025-01", "2025-03", "6000"))
    client.cookies["django_language"] = "en"
    return made


def shenzhen(case) -> ContributionPeriod:
    return case.worker.periods.get(city_id="440300")


def correction(**overrides) -> dict[str, str]:
    return {"start_month": "2016-01", "end_month": "2024-06", "monthly_base": "8100.00", "personal_account_credit": "",
            "paid": "on", "reason": "the 2016 contract says 8100", **overrides}


def test_each_clerk_is_offered_corrections_for_their_own_citys_periods_only(client, users, case):
    client.force_login(users["origin_clerk"])
    page = client.get(url(case)).content.decode()
    assert f'href="{url(case, f"{shenzhen(case).pk}/correct/")}"' in page
    chengdu = case.worker.periods.get(city_id="510100")
    assert f"{chengdu.pk}/correct/" not in page and f"{chengdu.pk}/delete/" not in page
    assert client.get(url(case, f"{chengdu.pk}/correct/")).status_code == 403
    assert client.post(url(case, f"{chengdu.pk}/delete/"), {"reason": "x", "confirm": "on"}).status_code == 403


def test_a_correction_by_form_keeps_the_version_and_shows_it(client, users, case):
    period = shenzhen(case)
    client.force_login(users["origin_clerk"])
    form = client.get(url(case, f"{period.pk}/correct/"))
    assert form.status_code == 200
    assert form.context["form"].initial["monthly_base"] == Decimal("8000.00")
    response = client.post(url(case, f"{period.pk}/correct/"), correction())
    assert response.status_code == 302 and response.url.endswith(f"#period-{period.pk}")
    period.refresh_from_db()
    assert period.monthly_base == Decimal("8100.00")
    page = client.get(url(case)).content.decode()
    assert "2 versions" in page and "the 2016 contract says 8100" in page and "origin_clerk" in page
    assert CaseEvent.objects.filter(case=case, transition="contribution_corrected").exists()


def test_a_correction_without_a_reason_or_that_overlaps_comes_back_with_errors(client, users, case):
    period = shenzhen(case)
    periods(case.worker, ("440300", "2024-07", "2024-12", "8000"))
    client.force_login(users["origin_clerk"])
    response = client.post(url(case, f"{period.pk}/correct/"), correction(reason=""))
    assert response.status_code == 400 and response.context["form"].errors["reason"]
    response = client.post(url(case, f"{period.pk}/correct/"), correction(end_month="2024-08"))
    assert response.status_code == 400 and "overlaps" in response.context["form"].errors["start_month"][0]
    response = client.post(url(case, f"{period.pk}/correct/"), correction(monthly_base="8000.00"))
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert ContributionPeriod.history.filter(id=period.pk).count() == 1


def test_arrears_are_settled_from_the_page(client, users, case):
    periods(case.worker, ("440300", "2024-07", "2024-09", "8000", None, False))
    owed = case.worker.periods.get(paid=False)
    client.force_login(users["origin_clerk"])
    assert "Correct or settle" in client.get(url(case)).content.decode()
    response = client.post(url(case, f"{owed.pk}/correct/"), correction(
        start_month="2024-07", end_month="2024-09", monthly_base="8000.00", reason="paid on 2026-11-20",
    ))
    assert response.status_code == 302
    owed.refresh_from_db()
    assert owed.paid


def test_deleting_asks_first_then_keeps_the_versions(client, users, case):
    period = shenzhen(case)
    client.force_login(users["origin_clerk"])
    confirm = client.get(url(case, f"{period.pk}/delete/"))
    assert confirm.status_code == 200 and "Delete the period" in confirm.content.decode()
    assert ContributionPeriod.objects.filter(pk=period.pk).exists()
    refused = client.post(url(case, f"{period.pk}/delete/"), {"reason": "wrong worker"})
    assert refused.status_code == 400 and refused.context["form"].errors["confirm"]
    response = client.post(url(case, f"{period.pk}/delete/"), {"reason": "wrong worker", "confirm": "on"})
    assert response.status_code == 302
    assert not ContributionPeriod.objects.filter(pk=period.pk).exists()
    page = client.get(url(case))
    assert [gone.last.history_change_reason for gone in page.context["deleted"]] == ["wrong worker"]
    assert "Deleted periods" in page.content.decode()
    assert client.get(url(case, f"{period.pk}/correct/")).status_code == 404


def test_a_locked_period_and_a_closed_case_are_refused_with_a_message(client, users, case):
    period = shenzhen(case)
    ContributionPeriod.objects.filter(pk=period.pk).update(locked=True)
    client.force_login(users["origin_clerk"])
    assert f"{period.pk}/correct/" not in client.get(url(case)).content.decode()
    for suffix in ("correct/", "delete/"):
        response = client.post(url(case, f"{period.pk}/{suffix}"), correction(confirm="on"), follow=True)
        assert response.redirect_chain == [(url(case), 302)]
        assert "agreement" in str(next(iter(response.context["messages"])))
    closed = open_case(users, status="withdrawn")
    response = client.get(url(closed, f"{closed.worker.periods.get().pk}/correct/"), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["The case is closed."]


def test_outsiders_and_other_workers_periods_are_a_404(client, users, case):
    other = open_case(users)
    client.force_login(users["outsider_clerk"])
    assert client.get(url(case, f"{shenzhen(case).pk}/correct/")).status_code == 404
    client.force_login(users["origin_clerk"])
    assert client.get(url(case, f"{shenzhen(other).pk}/correct/")).status_code == 404
    assert client.get(url(case, f"{shenzhen(other).pk}/delete/")).status_code == 404


def test_the_page_leaves_an_access_record(client, users, case):
    client.force_login(users["dest_clerk"])
    client.get(url(case))
    access = WorkerAccess.objects.get()
    assert (access.what, access.case, access.username) == (WorkerAccess.What.CONTRIBUTIONS, case, "dest_clerk")
