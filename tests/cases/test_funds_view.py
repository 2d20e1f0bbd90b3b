"""The case page's ledger and its forms: the origin records the remittance, the destination the receipts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from cases import selectors
from cases.models import FundsStatus, Receipt, Remittance
from tests.factories import advance, open_case, receive, remit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = timezone.localdate()


def page(case) -> str:
    return f"/cases/{case.reference}/"


def remittance_post(**changes):
    return {
        "remittance-pooled_fund": "97920.00", "remittance-personal_account": "86321.01",
        "remittance-bank_reference": "ICBC-1", "remittance-value_date": TODAY.isoformat(), "remittance-confirm": "on",
        **changes,
    }


def receipt_post(amount, **changes):
    return {
        "receipt-amount": amount, "receipt-received_on": TODAY.isoformat(), "receipt-bank_reference": "BOC-1",
        "receipt-confirm": "on", **changes,
    }


@pytest.fixture
def client(client):
    # The messages are asserted in English; the site's default language is Chinese.
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def case(users):
    return advance(open_case(users, status="agreement_issued"), users, "register_agreement")


def test_no_ledger_before_the_agreement(client, users):
    case = open_case(users, status="verifying")
    client.force_login(users["origin_clerk"])
    response = client.get(page(case))
    assert response.context["ledger"] is None and 'data-testid="ledger"' not in response.content.decode()


def test_the_origin_sees_the_form_prefilled_with_what_moves(client, users, case):
    client.force_login(users["origin_clerk"])
    response = client.get(page(case))
    form = response.context["remittance_form"]
    assert form.initial["pooled_fund"] == Decimal("97920.00")
    assert form.initial["personal_account"] == Decimal("86321.01")
    content = response.content.decode()
    assert 'data-testid="remittance-form"' in content and "184,241.01" in content
    assert response.context["receipt_form"] is None


def test_the_destination_waits_and_gets_no_remittance_form(client, users, case):
    client.force_login(users["dest_clerk"])
    response = client.get(page(case))
    assert response.context["remittance_form"] is None and response.context["receipt_form"] is None
    assert "Waiting for the origin agency to record its remittance." in response.content.decode()


def test_recording_the_remittance_and_two_receipts(client, users, case):
    client.force_login(users["origin_clerk"])
    response = client.post(page(case) + "remittance/", remittance_post())
    assert response.status_code == 302 and response.url.endswith("#ledger")
    case.refresh_from_db()
    assert case.funds_status == FundsStatus.REMITTED
    assert Remittance.objects.get(case=case).recorded_by == users["origin_clerk"]

    client.force_login(users["dest_clerk"])
    response = client.get(page(case))
    assert response.context["receipt_form"] is not None
    client.post(page(case) + "receipts/", receipt_post("100000.00"))
    content = client.get(page(case)).content.decode()
    assert "100,000.00" in content and "-84,241.01" in content
    client.post(page(case) + "receipts/", receipt_post("84241.01"))
    case.refresh_from_db()
    assert case.funds_status == FundsStatus.RECEIVED and Receipt.objects.count() == 2
    response = client.get(page(case))
    assert response.context["receipt_form"] is None
    assert response.context["ledger"].credited == Decimal("184241.01")


def test_the_form_errors_come_back_with_the_form(client, users, case):
    client.force_login(users["origin_clerk"])
    response = client.post(page(case) + "remittance/", remittance_post(**{
        "remittance-pooled_fund": "12.345", "remittance-value_date": (TODAY + dt.timedelta(days=1)).isoformat(),
        "remittance-confirm": "",
    }))
    assert response.status_code == 400
    form = response.context["remittance_form"]
    assert set(form.errors) == {"pooled_fund", "value_date", "confirm"}
    assert "The date is in the future." in response.content.decode()
    assert not Remittance.objects.exists()


def test_amounts_that_differ_are_named_on_the_form(client, users, case):
    client.force_login(users["origin_clerk"])
    response = client.post(page(case) + "remittance/", remittance_post(**{"remittance-pooled_fund": "97900.00"}))
    assert response.status_code == 400
    assert "pooled fund differs by -20.00" in response.content.decode()
    assert not Remittance.objects.exists()


def test_a_receipt_of_nothing_is_refused_on_the_form(client, users, case):
    remit(case, users)
    client.force_login(users["dest_clerk"])
    response = client.post(page(case) + "receipts/", receipt_post("0"))
    assert response.status_code == 400 and "amount" in response.context["receipt_form"].errors


def test_a_stale_or_wrong_side_post_is_refused_with_a_message(client, users, case):
    client.force_login(users["dest_clerk"])
    response = client.post(page(case) + "remittance/", remittance_post())
    assert response.status_code == 302 and not Remittance.objects.exists()
    remit(case, users)
    client.force_login(users["origin_clerk"])
    response = client.post(page(case) + "remittance/", remittance_post(), follow=True)
    assert "already recorded" in response.content.decode()
    assert Remittance.objects.count() == 1


def test_an_outsider_gets_a_404(client, users, case):
    client.force_login(users["outsider_clerk"])
    assert client.post(page(case) + "remittance/", remittance_post()).status_code == 404
    assert client.post(page(case) + "receipts/", receipt_post("1")).status_code == 404


def test_an_excess_shows_as_a_discrepancy(client, users, case):
    receive(remit(case, users), users, Decimal("184300.00"))
    client.force_login(users["dest_supervisor"])
    content = client.get(page(case)).content.decode()
    assert "+58.99" in content and "More was received than remitted" in content
    assert "complete" not in [f.prefix for f in client.get(page(case)).context["transition_forms"]]


def test_the_page_runs_a_fixed_number_of_queries_with_receipts(client, users, case, django_assert_max_num_queries):
    remit(case, users)
    receive(case, users, Decimal("10.00"))
    client.force_login(users["dest_supervisor"])
    with django_assert_max_num_queries(20) as few:
        client.get(page(case))
    for _ in range(5):
        receive(case, users, Decimal("10.00"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(page(case))


def test_the_worker_reads_that_the_funds_moved_without_the_amounts(users):
    case = open_case(users, status="completed")
    with translation.override("en"):
        steps = [step.text for step in selectors.worker_progress(case).steps]
    assert sum("transferred the funds of your insurance" in text for text in steps) == 1
    assert sum("received funds of your transfer" in text for text in steps) == 1
    assert not any("184" in text for text in steps)
