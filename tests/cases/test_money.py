"""Money is Decimal in Python and NUMERIC(14, 2) in the database, end to end; no float touches a figure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, models

from cases.models import CaseDuplicate, ContributionPeriod, TransferCase
from regions.models import RegionPolicy
from tests.factories import frozen_figures, open_case

MONEY_FIELDS = [
    (ContributionPeriod, "monthly_base"), (ContributionPeriod, "personal_account_credit"),
    (CaseDuplicate, "refund_amount"),
    (RegionPolicy, "average_wage"), (RegionPolicy, "base_floor"), (RegionPolicy, "base_ceiling"),
]


@pytest.mark.parametrize(("model", "name"), MONEY_FIELDS)
def test_money_fields_are_decimal_14_2(model, name):
    field = model._meta.get_field(name)
    assert isinstance(field, models.DecimalField)
    assert (field.max_digits, field.decimal_places) == (14, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_money_columns_are_numeric_14_2_on_postgresql():
    with connection.cursor() as cursor:
        for model, name in MONEY_FIELDS:
            cursor.execute(
                "SELECT data_type, numeric_precision, numeric_scale FROM information_schema.columns "
                "WHERE table_name = %s AND column_name = %s",
                [model._meta.db_table, model._meta.get_field(name).column],
            )
            assert cursor.fetchone() == ("numeric", 14, 2), (model, name)


@pytest.mark.django_db
def test_frozen_figures_come_back_as_decimals(users):
    case = open_case(users, status="agreement_issued")
    case = TransferCase.objects.get(pk=case.pk)
    figures = frozen_figures(case)
    for value in (figures.pooled_fund_amount, figures.personal_account_principal, figures.personal_account_balance):
        assert isinstance(value, Decimal) and value == value.quantize(Decimal("0.01"))
    for period in ContributionPeriod.objects.filter(worker=case.worker):
        assert isinstance(period.monthly_base, Decimal)
    stored = case.agreements.get().frozen_assessment["figures"]["years"]
    assert stored and all(
        isinstance(line[key], str) for line in stored for key in ("base_total", "credits", "interest", "closing_balance")
    )
    for line in figures.years:
        assert all(isinstance(getattr(line, key), Decimal) for key in ("base_total", "credits", "interest"))
