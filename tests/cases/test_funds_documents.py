"""The acceptance confirmation shows the ledger: received, duplicates with the relationship kept and refunds, credited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cases.documents import acceptance_pdf
from cases.models import Actor
from cases.services import duplicates_resolve
from regions.models import City
from tests.factories import WorkerFactory, advance, latest_agreement, make_id_number, open_case, periods
from tests.pdf import pdf_fonts, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


def test_the_confirmation_lists_the_money_the_duplicates_and_what_is_credited(users):
    worker = WorkerFactory()
    periods(worker, ("440300", "2016-01", "2024-06", "8000"), ("510100", "2019-07", "2019-12", "5000"))
    case = advance(open_case(users, worker=worker, status="agreement_issued", with_periods=False), users,
                   "register_agreement")
    duplicates_resolve(case=case, actor=Actor.for_user(users["dest_clerk"]), keep_city_code="510100",
                       user=users["dest_clerk"])
    case = advance(case, users, "remit", "receive", "complete")
    refund = case.duplicates.get().refund_amount
    text = pdf_text(acceptance_pdf(case, latest_agreement(case), "https://example.org/verify/X", language="en"))
    assert "To remit" in text and "Received" in text and "184,241.01" in text
    assert "Credited at the destination" in text and f"{Decimal('184241.01') - refund:,.2f}" in text
    assert "2019-07–2019-12" in text and "Relationship kept in" in text and f"{refund:,.2f}" in text
    chinese = acceptance_pdf(case, latest_agreement(case), "https://example.org/verify/X")
    assert all(embedded for _name, embedded in pdf_fonts(chinese))


def test_a_temporary_account_says_no_funds_move(users):
    worker = WorkerFactory(id_number=make_id_number(county="420103", birth=dt.date(1970, 1, 20)),
                           hukou_city=City.objects.get(code="420100"))
    case = open_case(users, worker=worker, status="completed")
    text = pdf_text(acceptance_pdf(case, latest_agreement(case), "https://example.org/verify/X", language="en"))
    assert "No funds move" in text and "Credited at the destination" in text
