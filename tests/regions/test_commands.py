"""The commands the deployment uses (docs/api.md, "Management commands the deployment uses")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F

from cases.models import CaseStatus, TransferCase
from regions.models import Agency, AgencyMembership, City, CreditRate, Province, RegionPolicy

pytestmark = pytest.mark.django_db

NATIONAL = {
    2016: Decimal("8.31"), 2017: Decimal("7.12"), 2018: Decimal("8.29"), 2019: Decimal("7.61"), 2020: Decimal("6.04"),
    2021: Decimal("6.69"), 2022: Decimal("6.12"), 2023: Decimal("3.97"), 2024: Decimal("2.62"),
}


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- load_regions ---------------------------------------------------------------------------


def test_load_regions_loads_the_mainland(reference_data):
    CreditRate.objects.all().delete()
    output = run("load_regions")
    assert "31 provinces" in output
    assert Province.objects.count() == 31
    assert not Province.objects.filter(code__in=["71", "81", "82"]).exists()
    # The four municipalities are single cities coded like the province.
    for code, name in [("110000", "北京市"), ("120000", "天津市"), ("310000", "上海市"), ("500000", "重庆市")]:
        city = City.objects.get(code=code)
        assert (city.name, city.kind) == (name, City.Kind.MUNICIPALITY)
        assert City.objects.filter(province_id=code[:2]).count() == 1
    assert City.objects.get(code="440300").name == "深圳市"
    assert City.objects.get(code="510100").name == "成都市"
    # One agency per city, coded as the city.
    assert Agency.objects.count() == City.objects.count() == 369
    assert not City.objects.exclude(agencies__code=F("code")).exists()
    # One standing policy per province.
    assert RegionPolicy.objects.filter(year__isnull=True).count() == 31
    # Exactly the nine national rates.
    assert dict(CreditRate.objects.values_list("year", "percent")) == NATIONAL
    assert CreditRate.objects.get(year=2016).source == "人社厅发〔2017〕71号"
    assert not CreditRate.objects.filter(is_placeholder=True).exists()


def test_load_regions_is_idempotent_and_keeps_administrators_edits(reference_data):
    run("load_regions")
    counts = (Province.objects.count(), City.objects.count(), Agency.objects.count(), RegionPolicy.objects.count())
    Agency.objects.filter(code="440300").update(name="深圳市社会保险基金管理局", phone="0755-12333")
    RegionPolicy.objects.filter(province_id="44", year__isnull=True).update(medical_pooling="province")
    CreditRate.objects.filter(year=2025).update(percent=Decimal("1.50"))
    run("load_regions")
    assert (Province.objects.count(), City.objects.count(), Agency.objects.count(),
            RegionPolicy.objects.count()) == counts
    agency = Agency.objects.get(code="440300")
    assert (agency.name, agency.phone) == ("深圳市社会保险基金管理局", "0755-12333")
    assert RegionPolicy.objects.get(province_id="44", year__isnull=True).medical_pooling == "province"
    # An administrator's year stays; the national years are as published.
    assert CreditRate.objects.get(year=2025).percent == Decimal("1.50")
    assert CreditRate.objects.get(year=2024).percent == Decimal("2.62")


# --- create_clerk ---------------------------------------------------------------------------


def test_create_clerk_is_idempotent(reference_data):
    output = run("create_clerk", "li.ming", "--agency", "440300", "--role", "clerk", "--password", "first-pass-1")
    assert "li.ming" in output and "440300" in output
    run("create_clerk", "li.ming", "--agency", "510100", "--role", "supervisor", "--password", "second-pass-2",
        "--email", "li.ming@example.org")
    user = get_user_model().objects.get(username="li.ming")
    assert get_user_model().objects.filter(username="li.ming").count() == 1
    assert AgencyMembership.objects.filter(user=user).count() == 1
    assert (user.membership.agency.code, user.membership.role) == ("510100", "supervisor")
    assert user.email == "li.ming@example.org"
    assert authenticate(username="li.ming", password="second-pass-2") == user
    assert authenticate(username="li.ming", password="first-pass-1") is None


def test_create_clerk_refuses_an_unknown_agency(reference_data):
    with pytest.raises(CommandError, match="Unknown agency code 999999"):
        run("create_clerk", "li.ming", "--agency", "999999", "--password", "pass-1234")
    assert not get_user_model().objects.filter(username="li.ming").exists()


def test_create_clerk_refuses_an_unknown_role(reference_data):
    with pytest.raises(CommandError):
        run("create_clerk", "li.ming", "--agency", "440300", "--role", "boss", "--password", "pass-1234")


# --- set_credit_rate ------------------------------------------------------------------------


def test_set_credit_rate_is_idempotent(reference_data):
    CreditRate.objects.filter(year=2025).delete()
    assert "2025: 1.5000%" in run("set_credit_rate", "2025", "1.50")
    run("set_credit_rate", "2025", "1.50")
    rate = CreditRate.objects.get(year=2025)
    assert rate.percent == Decimal("1.50")
    assert CreditRate.objects.filter(year=2025).count() == 1
    assert rate.is_placeholder is False


def test_set_credit_rate_takes_four_decimals_below_100(reference_data):
    run("set_credit_rate", "2025", "99.9999")
    assert CreditRate.objects.get(year=2025).percent == Decimal("99.9999")
    run("set_credit_rate", "2025", "0")
    assert CreditRate.objects.get(year=2025).percent == Decimal("0")


def test_set_credit_rate_replaces_a_placeholder(reference_data):
    CreditRate.objects.update_or_create(year=2025, defaults={"percent": Decimal("2.00"), "is_placeholder": True})
    run("set_credit_rate", "2025", "1.62", "--source", "人社部 2026 notice")
    rate = CreditRate.objects.get(year=2025)
    assert (rate.percent, rate.is_placeholder, rate.source) == (Decimal("1.62"), False, "人社部 2026 notice")


@pytest.mark.parametrize(
    "args",
    [("2025", "abc"), ("2025", "1.5%"), ("2025", "-1"), ("2025", "100"), ("2025", "99.99995"), ("2025", "100.01"),
     ("2025", "NaN"), ("2025", "Infinity"), ("1989", "1.50"), ("2101", "1.50"), ("twenty", "1.50")],
)
def test_set_credit_rate_refuses_bad_input(reference_data, args):
    before = dict(CreditRate.objects.values_list("year", "percent"))
    with pytest.raises(CommandError):
        run("set_credit_rate", *args)
    assert dict(CreditRate.objects.values_list("year", "percent")) == before


# --- load_demo ------------------------------------------------------------------------------


def test_load_demo_users_cases_and_idempotence(reference_data):
    CreditRate.objects.filter(year=2025).delete()
    output = run("load_demo")
    # The ministry had not published 2025: the demo enters a placeholder, labelled so.
    rate = CreditRate.objects.get(year=2025)
    assert rate.is_placeholder and "placeholder" in rate.source
    assert "demo-pass-2026" in output
    for username, code, role in [
        ("origin_clerk", "440300", "clerk"), ("origin_supervisor", "440300", "supervisor"),
        ("dest_clerk", "510100", "clerk"), ("dest_supervisor", "510100", "supervisor"),
    ]:
        user = authenticate(username=username, password="demo-pass-2026")
        assert user is not None, username
        assert (user.membership.agency.code, user.membership.role) == (code, role)
    admin = authenticate(username="admin", password="demo-pass-2026")
    assert admin is not None and admin.is_superuser and admin.is_staff
    statuses = set(TransferCase.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    cases = TransferCase.objects.count()
    assert cases >= len(CaseStatus.values)
    # The age rule shows in the demo too.
    assert TransferCase.objects.filter(outcome="temporary_account").exists()
    events = TransferCase.objects.values_list("events", flat=True).count()

    assert "nothing changed" in run("load_demo")
    assert TransferCase.objects.count() == cases
    assert TransferCase.objects.values_list("events", flat=True).count() == events
    assert get_user_model().objects.filter(username__in=["origin_clerk", "admin"]).count() == 2


def test_load_demo_still_works_next_year(reference_data, monkeypatch):
    # In 2027 the agreements need a 2026 rate too; the demo enters a labelled placeholder for it.
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC))
    CreditRate.objects.filter(year__gte=2025).delete()
    run("load_demo")
    national = CreditRate.objects.filter(is_placeholder=True, province__isnull=True)
    assert set(national.values_list("year", flat=True)) == {2025, 2026}
    # Before 2016 the rates were provincial: placeholders for the demo's three provinces, labelled so.
    provincial = CreditRate.objects.filter(province__isnull=False)
    assert set(provincial.values_list("province_id", flat=True)) == {"44", "51", "42"}
    assert set(provincial.values_list("year", flat=True)) == set(range(1996, 2016))
    assert all(rate.is_placeholder and "placeholder" in rate.source for rate in provincial)
    assert set(TransferCase.objects.values_list("status", flat=True)) == set(CaseStatus.values)
