"""Shared checks for the public pages: what they must never show."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client

from cases.models import TransferCase, Worker

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def in_language(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def without_csrf(html: str) -> str:
    return CSRF_TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)


def personal_data(worker: Worker, case: TransferCase | None = None) -> list[str]:
    """Every form in which a worker's identity or a case's figures could leak onto a page."""
    born = worker.birth_date
    values = [
        worker.name, worker.id_number, worker.id_number.lower(), worker.id_number[6:14],
        f"{born:%Y-%m-%d}", f"{born.year}年{born.month}月{born.day}日", f"{born:%B} {born.day}, {born.year}",
    ]
    if worker.phone:
        values += [str(worker.phone), worker.phone.as_national, worker.phone.as_national.replace(" ", "")]
    if worker.email:
        values.append(worker.email)
    if case is not None:
        agreement = case.agreements.order_by("-issued_at", "-pk").first()
        if agreement is not None:
            # What moves (the transfer total) is public by design: the verify page shows it (docs/domain.md §7).
            figures = agreement.assessment.figures
            amounts = [figures.pooled_fund_amount, figures.personal_account_principal, figures.personal_account_balance]
        else:
            amounts = []
        for amount in amounts:
            if amount is not None and amount:
                values += [str(amount), f"{amount:,.2f}"]
    return values


def assert_no_personal_data(html: str, worker: Worker, case: TransferCase | None = None) -> None:
    leaked = [value for value in personal_data(worker, case) if value in html]
    assert not leaked, f"personal data on a public page: {leaked}"
