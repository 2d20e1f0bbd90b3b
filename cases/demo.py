"""A small believable data set for a first look: two agencies' clerks and cases in every state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.ids import check_character
from cases.models import Actor, TransferCase, Worker
from regions.models import Agency, AgencyMembership, City, CreditRate
from regions.services import clerk_create, credit_rate_set, regions_load

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published in the README for the demo only
ORIGIN, DESTINATION = "440300", "510100"
DEMO_USERS = [
    ("origin_clerk", ORIGIN, AgencyMembership.Role.CLERK),
    ("origin_supervisor", ORIGIN, AgencyMembership.Role.SUPERVISOR),
    ("dest_clerk", DESTINATION, AgencyMembership.Role.CLERK),
    ("dest_supervisor", DESTINATION, AgencyMembership.Role.SUPERVISOR),
]

# name, county of the hukou, birth date, sequence (odd = male), hukou city
PEOPLE = [
    ("张伟", "510104", dt.date(1990, 3, 7), 123, "510100"),
    ("王芳", "510107", dt.date(1992, 8, 21), 242, "510100"),
    ("李娜", "440304", dt.date(1995, 1, 15), 368, "440300"),
    ("刘洋", "510108", dt.date(1988, 11, 2), 417, "510100"),
    ("陈静", "510105", dt.date(1993, 5, 30), 526, "510100"),
    ("杨磊", "510106", dt.date(1985, 12, 12), 631, "510100"),
    ("赵敏", "420102", dt.date(1991, 7, 9), 744, "420100"),
    ("黄强", "510104", dt.date(1987, 2, 28), 853, "510100"),
    ("周杰", "510112", dt.date(1994, 9, 18), 915, "510100"),
    ("吴婷", "440305", dt.date(1996, 4, 4), 122, "440300"),
    ("徐明", "510113", dt.date(1989, 6, 6), 231, "510100"),
    ("孙丽", "510107", dt.date(1990, 10, 10), 348, "510100"),
    # Born 1970, hukou in Hubei, moving to Sichuan: the age rule keeps him at the origin (66号 Art. 5).
    ("马建国", "420103", dt.date(1970, 1, 20), 451, "420100"),
    ("朱红", "510104", dt.date(1986, 3, 3), 562, "510100"),
]

# What to do with each person's case: insurance type, direction, the transitions to run, extras.
PLAN = [
    ("pension", "out", [], {}),
    ("pension", "out", ["start_verification"], {}),
    ("pension", "out", ["start_verification", "request_info"], {}),
    ("pension", "out", ["start_verification", "issue_agreement"], {}),
    ("pension", "out", ["start_verification", "issue_agreement", "register_agreement"], {}),
    ("pension", "out", ["start_verification", "issue_agreement", "register_agreement", "complete"], {}),
    ("pension", "out", ["start_verification", "reject"], {}),
    ("pension", "out", ["withdraw"], {}),
    ("pension", "out", ["start_verification"], {"opened_days_ago": 40}),
    ("medical", "out", [], {}),
    ("unemployment", "in", ["start_verification"], {}),
    ("pension", "out", ["start_verification", "issue_agreement", "register_agreement"], {"duplicate": True}),
    ("pension", "out", ["start_verification"], {}),
    ("pension", "out", ["start_verification"], {"arrears": True}),
]
NOTES = {
    "request_info": "请补充2019年劳动合同复印件。",
    "reject": "申请人在本地无参保记录。",
}


def demo_id_number(county: str, birth: dt.date, sequence: int) -> str:
    first17 = f"{county}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def _periods(insurance_type: str, city: str, *, arrears: bool = False) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"insurance_type": insurance_type, "city_code": city, "start_month": "2016-01", "end_month": "2019-12",
         "monthly_base": "6500.00"},
        {"insurance_type": insurance_type, "city_code": city, "start_month": "2020-01", "end_month": "2025-06",
         "monthly_base": "8800.00"},
    ]
    if insurance_type == "medical":
        for row in rows:
            row["personal_account_credit"] = "176.00"
    if arrears:
        rows.append({"insurance_type": insurance_type, "city_code": city, "start_month": "2025-07",
                     "end_month": "2025-09", "monthly_base": "8800.00", "paid": False})
    return rows


@transaction.atomic
def demo_load() -> int:
    """Create the demo users and cases; a second run changes nothing. Returns the cases created."""
    regions_load()
    # The ministry had not published 2025 when the demo was written: a placeholder, labelled so, for it and
    # for every later year up to last year still missing, or the demo's agreements could not be issued.
    for year in range(2025, max(2026, timezone.localdate().year)):
        if not CreditRate.objects.filter(year=year).exists():
            credit_rate_set(year=year, percent=Decimal("2.00"), source="demo placeholder", placeholder=True)
    agencies = {code: Agency.objects.get(code=code) for code in (ORIGIN, DESTINATION)}
    users = {}
    for username, code, role in DEMO_USERS:
        users[username] = clerk_create(username=username, agency=agencies[code], role=role, password=DEMO_PASSWORD)
    admin, created = get_user_model().objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    first_id = demo_id_number(*PEOPLE[0][1:4])
    if Worker.objects.filter(id_number=first_id).exists():
        return 0
    actors = {name: Actor.for_user(user) for name, user in users.items()}
    today = timezone.localdate()
    for (name, county, birth, sequence, hukou), (insurance_type, direction, steps, extras) in zip(
        PEOPLE, PLAN, strict=True
    ):
        worker = services.worker_register(
            id_number=demo_id_number(county, birth, sequence), name=name, hukou_city=City.objects.get(code=hukou)
        )
        origin, destination = (ORIGIN, DESTINATION) if direction == "out" else (DESTINATION, ORIGIN)
        services.contributions_record(
            actor=None, worker=worker, records=_periods(insurance_type, origin, arrears=extras.get("arrears", False))
        )
        if extras.get("duplicate"):
            services.contributions_record(actor=None, worker=worker, records=[
                {"insurance_type": insurance_type, "city_code": "420100", "start_month": "2019-07",
                 "end_month": "2019-12", "monthly_base": "5000.00"},
            ])
        opened = today - dt.timedelta(days=extras.get("opened_days_ago", 0))
        side = {"out": ("origin", "dest"), "in": ("dest", "origin")}[direction]
        case = services.case_open(
            actor=actors["dest_clerk"], worker=worker, insurance_type=insurance_type,
            origin_agency=agencies[origin], destination_agency=agencies[destination], today=opened,
        )
        for step in steps:
            role = "supervisor" if step in ("issue_agreement", "reject", "complete") else "clerk"
            acting_side = side[0] if step in ("start_verification", "request_info", "issue_agreement", "reject") else side[1]
            case = services.case_transition(
                case=case, actor=actors[f"{acting_side}_{role}"], name=step, note=NOTES.get(step, ""), today=opened,
            )
    return TransferCase.objects.count()
