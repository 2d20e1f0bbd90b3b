"""Test data built through the same services the product uses."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory
from django.db import connection
from django.db.models import QuerySet

from cases import rules, services
from cases.ids import check_character
from cases.models import Actor, Agreement, CaseEvent, TransferCase, Worker
from cases.selectors.funds import case_transfer
from regions.models import Agency, City

_sequence = itertools.count(1)


def make_id_number(county: str = "510104", birth: dt.date = dt.date(1990, 3, 7), male: bool = True) -> str:
    """A valid, never-repeated ID number."""
    n = next(_sequence)
    seq = (n * 2 + (1 if male else 0)) % 1000
    if male and seq % 2 == 0:
        seq += 1
    birth = birth + dt.timedelta(days=n // 500)
    first17 = f"{county}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    id_number = factory.LazyFunction(make_id_number)
    name = factory.Sequence(lambda n: f"测试{n}")
    gender = "male"
    birth_date = factory.LazyAttribute(
        lambda o: dt.date(int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14]))
    )
    hukou_city = factory.LazyFunction(lambda: City.objects.get(code="510100"))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        facts_gender = "male" if int(kwargs["id_number"][16]) % 2 else "female"
        kwargs["gender"] = facts_gender
        return super()._create(model_class, *args, **kwargs)


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def periods(worker: Worker, *rows: tuple, insurance_type: str = "pension") -> None:
    """rows: (city_code, first 'YYYY-MM', last 'YYYY-MM', base[, credit][, paid])."""
    records = []
    for row in rows:
        record = {
            "insurance_type": insurance_type, "city_code": row[0], "start_month": row[1], "end_month": row[2],
            "monthly_base": str(row[3]),
        }
        if len(row) > 4 and row[4] is not None:
            record["personal_account_credit"] = str(row[4])
        if len(row) > 5:
            record["paid"] = row[5]
        records.append(record)
    services.contributions_record(actor=None, worker=worker, records=records)


# Who runs each transition in the usual journey.
STEP_ACTOR = {
    "accept_application": "dest_clerk",
    "decline_application": "dest_clerk",
    "start_verification": "origin_clerk",
    "request_info": "origin_clerk",
    "provide_info": "origin_clerk",
    "reject": "origin_supervisor",
    "issue_agreement": "origin_supervisor",
    "register_agreement": "dest_clerk",
    "return_to_origin": "dest_clerk",
    "complete": "dest_supervisor",
    "withdraw": "origin_clerk",
}
PATH_TO = {
    "submitted": [],
    "verifying": ["start_verification"],
    "info_requested": ["start_verification", "request_info"],
    "agreement_issued": ["start_verification", "issue_agreement"],
    # Registered, with the funds of a full transfer received in full: ready to complete.
    "receiving": ["start_verification", "issue_agreement", "register_agreement", "remit", "receive"],
    "completed": ["start_verification", "issue_agreement", "register_agreement", "remit", "receive", "complete"],
    "rejected": ["reject"],
    "withdrawn": ["withdraw"],
}


def remit(case: TransferCase, users: dict, who: str = "origin_clerk") -> TransferCase:
    """The origin remits exactly what moves (a case that moves no funds is left as it is)."""
    case.refresh_from_db()
    if case.funds_status != "awaiting_remittance":
        return case
    moving = case_transfer(case)
    return services.remittance_record(
        case=case, actor=Actor.for_user(users[who]), pooled_fund=moving.pooled_fund,
        personal_account=moving.personal_account, bank_reference="BANK-REF-1", value_date=dt.date.today(),
        user=users[who],
    )


def receive(case: TransferCase, users: dict, amount: Decimal | None = None, who: str = "dest_clerk") -> TransferCase:
    """The destination receives the whole remittance, or `amount` of it."""
    case.refresh_from_db()
    if case.funds_status not in ("remitted", "discrepancy"):
        return case
    if amount is None:
        amount = case_transfer(case).total
    return services.receipt_record(
        case=case, actor=Actor.for_user(users[who]), amount=amount, received_on=dt.date.today(),
        bank_reference="BANK-IN-1", user=users[who],
    )


def advance(case: TransferCase, users: dict, *steps: str, note: str = "reason") -> TransferCase:
    """Run transitions by name; "remit" and "receive" record the funds of a full transfer in full."""
    for step in steps:
        if step == "remit":
            case = remit(case, users)
        elif step == "receive":
            case = receive(case, users)
        else:
            # Accepting an online application takes the clerk's word that the identity document was checked.
            case = services.case_transition(
                case=case, actor=Actor.for_user(users[STEP_ACTOR[step]]), name=step, note=note,
                identity_checked=step == "accept_application",
            )
    return case


def open_case(
    users: dict,
    *,
    worker: Worker | None = None,
    insurance_type: str = "pension",
    origin: str = "440300",
    destination: str = "510100",
    status: str = "submitted",
    with_periods: bool = True,
) -> TransferCase:
    if status == "applied":
        # An online application, lodged at the destination, waiting for a clerk there: no worker matched yet.
        return apply_online(
            id_number=worker.id_number if worker else None, name=worker.name if worker else "李明",
            insurance_type=insurance_type, origin=origin, destination=destination,
        )
    worker = worker or WorkerFactory()
    if with_periods:
        periods(worker, (origin, "2016-01", "2024-06", "8000"), insurance_type=insurance_type)
    case = services.case_open(
        actor=Actor.for_user(users["origin_clerk"]), worker=worker, insurance_type=insurance_type,
        origin_agency=agency(origin), destination_agency=agency(destination),
    )
    return advance(case, users, *PATH_TO[status])


def backdate_event(event_id: int, at: dt.datetime) -> None:
    """Move an event in time, as a test of history needs; the product never does.

    On PostgreSQL a trigger refuses any change to an event; replica mode skips ordinary triggers
    for the rest of the test's transaction only (SET LOCAL), so the rollback restores it.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        QuerySet(CaseEvent).filter(pk=event_id).update(at=at)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def apply_online(
    *,
    id_number: str | None = None,
    name: str = "李明",
    insurance_type: str = "pension",
    origin: str = "440300",
    destination: str = "510100",
    hukou_city: str = "510100",
    email: str = "applicant@example.org",
) -> TransferCase:
    """An online application waiting in `applied` at the destination, as /apply/ lodges it."""
    return services.case_open_application(
        id_number=id_number or make_id_number(), name=name, hukou_city=City.objects.get(code=hukou_city),
        phone="13800138000", email=email, insurance_type=insurance_type, origin_agency=agency(origin),
        destination_agency=agency(destination),
    )


def latest_agreement(case: TransferCase) -> Agreement | None:
    """The case's latest agreement, void or not, read afresh."""
    return Agreement.objects.filter(case=case).order_by("-issued_at", "-pk").first()


def frozen_figures(case: TransferCase) -> rules.Figures:
    """The figures the case's standing agreement froze."""
    return Agreement.objects.get(case=case, status=Agreement.Status.VALID).assessment.figures
