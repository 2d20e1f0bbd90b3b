"""A small believable data set for a first look: two agencies' clerks and cases in every state."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models.signals import pre_save
from django.utils import timezone

from cases import rules, services
from cases.ids import check_character
from cases.models import Actor, TransferCase, Worker
from cases.selectors import calendar_overrides
from cases.selectors.funds import case_transfer
from regions.models import Agency, AgencyMembership, City, CreditRate, Province
from regions.services import clerk_create, credit_rate_set, regions_load
from regions.workdays import add_workdays, is_workday

# The provinces of the demo's agencies and hukou places, and the placeholder rate they get before 2016.
DEMO_PROVINCES = ("44", "51", "42")
DEMO_PROVINCIAL_RATE = Decimal("3.00")
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published in the README for the demo only
ORIGIN, DESTINATION = "440300", "510100"
DEMO_USERS = [
    ("origin_clerk", ORIGIN, AgencyMembership.Role.CLERK),
    ("origin_supervisor", ORIGIN, AgencyMembership.Role.SUPERVISOR),
    ("dest_clerk", DESTINATION, AgencyMembership.Role.CLERK),
    ("dest_supervisor", DESTINATION, AgencyMembership.Role.SUPERVISOR),
]
# Staff appear by their full name (cases/people.py); a Chinese name is written whole, family name first.
DEMO_NAMES = {"origin_clerk": "李娜", "origin_supervisor": "张伟", "dest_clerk": "王芳", "dest_supervisor": "刘洋"}

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
    ("郭涛", "510105", dt.date(1984, 4, 16), 673, "510100"),
    ("何静", "510106", dt.date(1991, 2, 11), 784, "510100"),
    ("罗军", "510108", dt.date(1983, 8, 8), 895, "510100"),
    ("高敏", "510112", dt.date(1997, 12, 1), 906, "510100"),
    ("林峰", "510113", dt.date(1989, 5, 25), 117, "510100"),
    ("宋佳", "510104", dt.date(1992, 2, 14), 228, "510100"),
    ("韩冰", "510107", dt.date(1994, 11, 30), 339, "510100"),
]

# What to do with each person's case: insurance type, direction, when it was lodged (days ago), then each
# step with the working days it took after the one before ("remit" and "receive" record the funds), and
# extras. The steps take the times a busy agency takes (a few days to start, one to three weeks to verify),
# so that the dashboard's medians, the overdue lists and the timelines show a working office, not one moment.
PLAN = [
    ("pension", "out", 2, [], {}),
    ("pension", "out", 12, [("start_verification", 2)], {}),
    ("pension", "out", 24, [("start_verification", 2), ("request_info", 4)], {"access_code": True}),
    ("pension", "out", 33, [("start_verification", 1), ("issue_agreement", 8)], {}),
    ("pension", "out", 30, [("start_verification", 2), ("issue_agreement", 11), ("register_agreement", 3)], {}),
    ("pension", "out", 88, [("start_verification", 1), ("request_info", 3), ("provide_info", 6),
                            ("issue_agreement", 7), ("register_agreement", 2), ("remit", 1), ("receive", 2),
                            ("complete", 5)], {}),
    ("pension", "out", 61, [("start_verification", 3), ("reject", 6)], {}),
    ("pension", "out", 27, [("withdraw", 4)], {}),
    # Overdue at the origin: verification started, then nothing for weeks.
    ("pension", "out", 40, [("start_verification", 3)], {}),
    ("medical", "out", 4, [], {}),
    ("unemployment", "in", 15, [("start_verification", 2)], {}),
    ("pension", "out", 32, [("start_verification", 2), ("issue_agreement", 10), ("register_agreement", 2)],
     {"duplicate": True}),
    ("pension", "out", 16, [("start_verification", 1)], {}),
    ("pension", "out", 9, [("start_verification", 1)], {"arrears": True}),
    # Completed at various dates over the quarter, one of them slowly.
    ("pension", "out", 80, [("start_verification", 2), ("issue_agreement", 9), ("register_agreement", 3),
                            ("remit", 1), ("receive", 2), ("complete", 4)], {}),
    ("medical", "out", 70, [("start_verification", 1), ("issue_agreement", 6), ("register_agreement", 1),
                            ("remit", 1), ("receive", 2), ("complete", 3)], {}),
    ("pension", "out", 58, [("start_verification", 4), ("issue_agreement", 14), ("register_agreement", 5),
                            ("remit", 1), ("receive", 2), ("complete", 9)], {}),
    ("pension", "in", 45, [("start_verification", 2), ("issue_agreement", 8), ("register_agreement", 2),
                           ("remit", 1), ("receive", 2), ("complete", 6)], {}),
    # Overdue at the destination: the agreement arrived and nobody registered it.
    ("pension", "out", 50, [("start_verification", 1), ("issue_agreement", 9)], {}),
    # Online applications (docs/domain.md §3): one accepted after the identity check; one waiting, typed with a
    # name that differs from the register's, for the destination clerk to check side by side.
    ("pension", "out", 14, [("accept_application", 2), ("start_verification", 1)], {"online": "宋佳"}),
    ("pension", "out", 3, [], {"online": "韩兵"}),
]
NOTES = {
    "request_info": "请补充2019年劳动合同复印件。",
    "provide_info": "已补充2019年劳动合同复印件。",
    "reject": "申请人在本地无参保记录。",
}
# Who runs each step: the worker answers for themself; the supervisor's steps are the supervisor's.
SUPERVISOR_STEPS = ("issue_agreement", "reject", "complete")
ORIGIN_STEPS = ("start_verification", "request_info", "issue_agreement", "reject", "withdraw", "remit")
# The worker's online "My case" for the case that waits on them, so that the demo can be tried from /act/.
DEMO_ACCESS_CODE = "DEM0CASE"


def _workday_on_or_before(day: dt.date, overrides: dict[dt.date, bool]) -> dt.date:
    while not is_workday(day, overrides)[0]:
        day -= dt.timedelta(days=1)
    return day


# Every record the demo writes carries the time it happened, never the load time. CaseEvent, the
# audit trail, may not be changed once written (PostgreSQL refuses it), so the moment goes in as the
# rows are inserted: a receiver, connected only while the demo loads, sets the timestamps the models
# would default to now, and those a transition sets to now.
INSERT_TIMES = ("at", "created_at", "recorded_at", "issued_at")
TRANSITION_TIMES = ("completed_at", "voided_at")


@contextlib.contextmanager
def _happening(day: dt.date, step: int) -> Iterator[None]:
    """Within the block, records are written as of `day`, the step-th hour after nine (one step an hour)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + step % 8, 7 * step % 60)))

    def stamp(sender: type[models.Model], instance: models.Model, **kwargs: object) -> None:
        names = (INSERT_TIMES if instance._state.adding else ()) + TRANSITION_TIMES
        for name in names:
            value = getattr(instance, name, None)
            if isinstance(value, dt.datetime) and value > moment:
                setattr(instance, name, moment)

    pre_save.connect(stamp, dispatch_uid="demo-happening", weak=False)
    try:
        yield
    finally:
        pre_save.disconnect(dispatch_uid="demo-happening")


def _record_funds(case: TransferCase, step: str, actor: Actor, day: dt.date) -> TransferCase:
    """The origin remits what moves; the destination receives it in full (a case that moves none skips both)."""
    case.refresh_from_db()
    moving = case_transfer(case)
    if not moving.funds_required:
        return case
    reference = f"DEMO-{case.reference[-6:]}"
    if step == "remit":
        return services.remittance_record(
            case=case, actor=actor, pooled_fund=moving.pooled_fund, personal_account=moving.personal_account,
            bank_reference=reference, value_date=day, today=day,
        )
    return services.receipt_record(
        case=case, actor=actor, amount=moving.total, received_on=day, bank_reference=reference, today=day,
    )


def demo_act_case() -> TransferCase | None:
    """The demo case that opens on /act/ with DEMO_ACCESS_CODE, once the demo is loaded."""
    index = next(n for n, plan in enumerate(PLAN) if plan[4].get("access_code"))
    _name, county, birth, sequence, _hukou = PEOPLE[index]
    return TransferCase.objects.select_related("worker").filter(
        worker__id_number=demo_id_number(county, birth, sequence)
    ).first()


def _set_access_code(case: TransferCase, code: str) -> None:
    """A published access code for one demo case (services issue random ones and show them once)."""
    case.access_code_hash = make_password(code)
    case.save(update_fields=["access_code_hash", "updated_at"])


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
    # Before 2016 each province set its own rate (docs/domain.md §5) and none is loaded: placeholders, labelled so,
    # for the demo's provinces, so that a history from before 2016 entered while trying the demo can be issued.
    for code in DEMO_PROVINCES:
        province = Province.objects.get(code=code)
        for year in range(1996, rules.NATIONAL_RATES_FROM):
            if not CreditRate.objects.filter(year=year, province=province).exists():
                credit_rate_set(
                    year=year, percent=DEMO_PROVINCIAL_RATE, province=province, placeholder=True,
                    source="demo placeholder, not the province's published rate",
                )
    agencies = {code: Agency.objects.get(code=code) for code in (ORIGIN, DESTINATION)}
    users = {}
    for username, code, role in DEMO_USERS:
        users[username] = clerk_create(username=username, agency=agencies[code], role=role, password=DEMO_PASSWORD)
        if not users[username].get_full_name():
            users[username].first_name = DEMO_NAMES[username]
            users[username].save(update_fields=["first_name"])
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
    overrides = calendar_overrides(today - dt.timedelta(days=120), 130)
    for (name, county, birth, sequence, hukou), (insurance_type, direction, days_ago, steps, extras) in zip(
        PEOPLE, PLAN, strict=True
    ):
        origin, destination = (ORIGIN, DESTINATION) if direction == "out" else (DESTINATION, ORIGIN)
        day = _workday_on_or_before(today - dt.timedelta(days=days_ago), overrides)
        with _happening(day, 0):
            worker = services.worker_register(
                id_number=demo_id_number(county, birth, sequence), name=name, hukou_city=City.objects.get(code=hukou)
            )
            services.contributions_record(
                actor=None, worker=worker, records=_periods(insurance_type, origin, arrears=extras.get("arrears", False))
            )
            if extras.get("duplicate"):
                services.contributions_record(actor=None, worker=worker, records=[
                    {"insurance_type": insurance_type, "city_code": "420100", "start_month": "2019-07",
                     "end_month": "2019-12", "monthly_base": "5000.00"},
                ])
            if extras.get("online"):
                case = services.case_open_application(
                    id_number=worker.id_number, name=extras["online"], hukou_city=worker.hukou_city,
                    phone="13800138000", email="", insurance_type=insurance_type, origin_agency=agencies[origin],
                    destination_agency=agencies[destination], today=day,
                )
            else:
                case = services.case_open(
                    actor=actors["dest_clerk"], worker=worker, insurance_type=insurance_type,
                    origin_agency=agencies[origin], destination_agency=agencies[destination], today=day,
                )
        side = {"out": ("origin", "dest"), "in": ("dest", "origin")}[direction]
        for number, (step, workdays) in enumerate(steps, start=1):
            # Never past today, whatever the calendar: a step due "later" happens today instead.
            day = min(add_workdays(day, workdays, overrides).date, today)
            if step == "provide_info":
                actor = Actor.worker()
            else:
                acting_side = side[0] if step in ORIGIN_STEPS else side[1]
                actor = actors[f"{acting_side}_{'supervisor' if step in SUPERVISOR_STEPS else 'clerk'}"]
            with _happening(day, number):
                if step in ("remit", "receive"):
                    case = _record_funds(case, step, actor, day)
                else:
                    case = services.case_transition(
                        case=case, actor=actor, name=step, note=NOTES.get(step, ""), today=day,
                        identity_checked=step == "accept_application",
                    )
        if extras.get("access_code"):
            _set_access_code(case, DEMO_ACCESS_CODE)
    # Each clerk has taken the most urgent case waiting for their agency: "assigned to me" shows something.
    for name in ("origin_clerk", "dest_clerk"):
        waiting = TransferCase.objects.awaiting(actors[name].agency_id).order_by("due_sort", "-id").first()
        if waiting is not None:
            services.case_assign(case=waiting, actor=actors[name], assignee_id=actors[name].user_id)
    return TransferCase.objects.count()
