"""Migration 0009: agreements held in a case's columns become Agreement rows that the codec reads as version 0."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("cases", "0007_merge_20261201_1938")]
AFTER = [("cases", "0010_remove_case_figure_columns")]


# Unapplying every later migration down to 0007 rebuilds SQLite tables several times (generated columns), and one
# rebuild drops an index that a later reversal then cannot find: the round trip is checked on PostgreSQL only.
@pytest.fixture
def migrated_back_to_the_latest():
    """The test leaves the schema at 0010; every later test needs the latest one back."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back_to_the_latest")
def test_an_issued_and_a_returned_agreement_move_to_their_own_rows(reference_data):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Worker, TransferCase = old.get_model("cases", "Worker"), old.get_model("cases", "TransferCase")
    Agency = old.get_model("regions", "Agency")
    worker = Worker.objects.create(id_number="440304199501150368", name="李娜", gender="female",
                                   birth_date=dt.date(1995, 1, 15), hukou_city_id="440300")
    origin, destination = Agency.objects.get(code="440300"), Agency.objects.get(code="510100")
    issued_at = timezone.make_aware(dt.datetime(2025, 3, 4, 10, 0))
    common = {
        "worker": worker, "insurance_type": "pension", "origin_agency": origin, "destination_agency": destination,
        "lodged_at": origin, "application_date": dt.date(2025, 3, 1), "outcome": "full_transfer",
        "agreement_issued_at": issued_at, "contribution_months": 29, "pooled_fund_amount": Decimal("17400.00"),
        "personal_account_principal": Decimal("11600.00"), "personal_account_balance": Decimal("12059.13"),
        "figures_detail": {"years": [{"year": 2022, "months": 12, "base_total": "60000.00", "credits": "4800.00",
                                      "rate_percent": "6.1200", "interest": "159.07", "closing_balance": "4959.07"}]},
    }
    TransferCase.objects.create(reference="TR-2025-AAAAAA", status="receiving", agreement_number="XY-440300-2025-00001",
                                verification_code="AAAAAAAAAAAA", **common)
    TransferCase.objects.create(reference="TR-2025-BBBBBB", status="verifying", agreement_number="XY-440300-2025-00002",
                                verification_code="BBBBBBBBBBBB", **{**common, "insurance_type": "medical"})
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()

    from cases.models import Agreement

    standing = Agreement.objects.get(number="XY-440300-2025-00001")
    assert (standing.status, standing.verification_code, standing.issued_at) == ("valid", "AAAAAAAAAAAA", issued_at)
    assessment = standing.assessment
    assert assessment.figures.contribution_months == 29
    assert assessment.figures.years[0].closing_balance == Decimal("4959.07")
    assert assessment.transfer.total == Decimal("29459.13")  # 17,400.00 + 12,059.13
    returned = Agreement.objects.get(number="XY-440300-2025-00002")
    assert returned.status == "void"
    assert returned.assessment.transfer.total == Decimal("12059.13")  # medical: the account only
