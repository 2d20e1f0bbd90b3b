"""Seed N cases into PostgreSQL the way the services would have written them, fast (COPY), reusable.

One worker per case, ~9.6 contribution periods and ~4 events per case, a clerk and a supervisor per
agency. Agencies are skewed as migration is: destinations follow a Zipf law over the big cities first
(Shenzhen, 440300, is the busiest and is the agency the benchmark signs in at), origins a flatter one.
Status, dates, deadlines, outcome and numbering follow the rules and the services' formats, so the pages
render real cases. A table `bench_seed` remembers the scale: a second run with the same scale and seed
version skips the seeding. It ends with VACUUM ANALYZE: the benchmark server may run without autovacuum,
and index-only scans need the visibility map.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from cases import rules
from cases.ids import check_character
from cases.models import (
    AGREEMENT_STATUSES,
    Agreement,
    CaseEvent,
    CaseStatus,
    ContributionPeriod,
    FundsStatus,
    Side,
    TransferCase,
    Worker,
)
from cases.services.common import CODE_ALPHABET
from regions.models import Agency, AgencyMembership
from regions.services import regions_load
from regions.workdays import add_workdays

# Bump when the generated data changes shape: a database seeded by an older version is seeded again.
# 2: agreements in their own table, each with its frozen assessment; periods they use locked.
# 3: the inbox's activity timestamps on the cases.
# 4: the funds status a standing agreement leaves on its case.
# 5: that funds status from the agreement's own assessment (medical agreements awaited a remittance of nothing).
SEED_VERSION = 5
PASSWORD = "bench-pass-2026"
BUSY_AGENCY = "440300"
# Where people move to, busiest first; every other agency follows in code order.
BIG_CITIES = [
    "440300", "440100", "310000", "110000", "330100", "320500", "510100", "420100", "441900", "500000",
    "120000", "320100", "610100", "350200", "370200", "440600", "330200", "430100", "410100", "210200",
]
# Share of each state (events per case: about 4 on average, as the issue's data set).
STATUS_MIX = {
    CaseStatus.COMPLETED: 55, CaseStatus.REJECTED: 8, CaseStatus.WITHDRAWN: 7, CaseStatus.SUBMITTED: 5,
    CaseStatus.VERIFYING: 8, CaseStatus.INFO_REQUESTED: 3, CaseStatus.AGREEMENT_ISSUED: 5, CaseStatus.RECEIVING: 9,
}
PATHS = {
    CaseStatus.SUBMITTED: [],
    CaseStatus.VERIFYING: ["start_verification"],
    CaseStatus.INFO_REQUESTED: ["start_verification", "request_info"],
    CaseStatus.AGREEMENT_ISSUED: ["start_verification", "issue_agreement"],
    CaseStatus.RECEIVING: ["start_verification", "issue_agreement", "register_agreement"],
    CaseStatus.COMPLETED: ["start_verification", "issue_agreement", "register_agreement", "complete"],
    CaseStatus.REJECTED: ["reject"],
    CaseStatus.WITHDRAWN: ["withdraw"],
}
TARGETS = {
    "start_verification": CaseStatus.VERIFYING, "request_info": CaseStatus.INFO_REQUESTED,
    "issue_agreement": CaseStatus.AGREEMENT_ISSUED, "register_agreement": CaseStatus.RECEIVING,
    "complete": CaseStatus.COMPLETED, "reject": CaseStatus.REJECTED, "withdraw": CaseStatus.WITHDRAWN,
}
# Who acts: the origin verifies, issues and rejects; the destination registers and completes.
ACTING_SIDE = {
    "open": None, "start_verification": Side.ORIGIN, "request_info": Side.ORIGIN, "issue_agreement": Side.ORIGIN,
    "reject": Side.ORIGIN, "register_agreement": Side.DESTINATION, "complete": Side.DESTINATION, "withdraw": None,
}
SUPERVISOR_STEPS = {"issue_agreement", "reject", "complete"}
TYPE_MIX = {rules.PENSION: 60, rules.MEDICAL: 30, rules.UNEMPLOYMENT: 10}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦"
    "付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲建国志强海燕文辉鹏宇浩然子涵欣怡梓轩晨阳"
    "思远佳琪雨桐博文嘉怡俊杰梦瑶浩宇诗涵一鸣晓东春梅立新卫东红梅小龙金凤永辉国庆建华德明淑珍秀珍"
)
BATCH = 20_000


def weights_zipf(count: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1 / (rank ** exponent) for rank in range(1, count + 1)))


class Picker:
    """Weighted choice by bisection over cumulative weights: a million draws in a few seconds."""

    def __init__(self, items: list, cumulative: list[float], rng: random.Random) -> None:
        self.items, self.cumulative, self.rng = items, cumulative, rng
        self.total = cumulative[-1]

    def __call__(self) -> object:
        return self.items[bisect.bisect(self.cumulative, self.rng.random() * self.total)]


def mix_picker(mix: dict, rng: random.Random) -> Picker:
    return Picker(list(mix), list(itertools.accumulate(mix.values())), rng)


def scrambled_code(n: int, length: int, salt: int) -> str:
    """A distinct code for each n below 32**length: a multiplication by an odd number is a bijection mod 2**k."""
    modulus = 32 ** length
    value = (n * 0x9E3779B1 + salt) % modulus
    return "".join(CODE_ALPHABET[(value >> (5 * i)) & 31] for i in range(length))


def id_number(index: int, county: str, rng: random.Random) -> tuple[str, dt.date, str]:
    """Distinct for each index: the birth date takes index mod 16,000 days, the sequence the rest."""
    birth = dt.date(1962, 1, 1) + dt.timedelta(days=index % 16_000)
    male = rng.random() < 0.55
    sequence = 2 * (index // 16_000) + (1 if male else 0)
    first17 = f"{county}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17), birth, "male" if male else "female"


def month_add(month: dt.date, months: int) -> dt.date:
    total = month.year * 12 + month.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


# China keeps one offset all year: a fixed one is exact and far cheaper than timezone.localtime per row.
CHINA = dt.timezone(dt.timedelta(hours=8))


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(CHINA).date()


@lru_cache(maxsize=20_000)
def deadline(start: dt.date, days: int) -> tuple[dt.date, bool]:
    found = add_workdays(start, days, {})
    return found.date, found.estimated


def text(value: object) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def columns_of(model: type, produced: set[str]) -> list[str]:
    """The model's stored columns that the generator writes: a column another branch removes is skipped,
    one it adds without a default fails loudly in COPY."""
    stored = [f.column for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    return [column for column in stored if column in produced]


def seed_assessment(
    insurance_type: str, outcome: str, origin_city: str, day: dt.date, used: list[rules.Period], months: int,
    base_total: int,
) -> rules.Assessment:
    """A frozen assessment of the codec's current version with the seed's simplified figures (12 % and 8 % of
    the bases, no interest): the shape the services write, at the cost of a few dictionaries per case."""
    pooled = (Decimal(base_total) * Decimal("0.12")).quantize(Decimal("0.01"))
    principal = (Decimal(base_total) * Decimal("0.08")).quantize(Decimal("0.01"))
    if outcome == rules.TEMPORARY_ACCOUNT or insurance_type != rules.PENSION:
        transfer = rules.NOTHING_MOVES
    else:
        transfer = rules.Transfer(pooled, principal)
    return rules.Assessment(
        insurance_type=insurance_type, as_of=day, origin_province=origin_city[:2], periods=tuple(used), rates=(),
        figures=rules.Figures(months, pooled, principal, principal), transfer=transfer, outcome=outcome,
    )


def seed_funds_status(status: str, assessment: rules.Assessment | None) -> str:
    """As funds_after_transition leaves it (rules.remittable): a standing agreement awaits its remittance unless
    nothing moves. The seed records no remittances, so a completed case is taken as settled before the ledger."""
    if assessment is None:
        return ""
    required = rules.remittable(assessment).funds_required
    if status in (CaseStatus.AGREEMENT_ISSUED, CaseStatus.RECEIVING):
        return FundsStatus.AWAITING_REMITTANCE if required else FundsStatus.NOT_REQUIRED
    return FundsStatus.NOT_REQUIRED if status == CaseStatus.COMPLETED and not required else ""


class Seeder:
    def __init__(self, scale: int, seed: int = 2026, log: Callable[[str], None] = print) -> None:
        self.scale, self.rng, self.log = scale, random.Random(seed), log
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate()

    # --- reference data and clerks -------------------------------------------------------------

    def agencies(self) -> list[Agency]:
        if not Agency.objects.exists():
            regions_load()
        agencies = {a.code: a for a in Agency.objects.filter(is_active=True).select_related("city")}
        ordered = [agencies[code] for code in BIG_CITIES if code in agencies]
        ordered += sorted((a for a in agencies.values() if a.code not in BIG_CITIES), key=lambda a: a.code)
        return ordered

    def clerks(self, agencies: list[Agency]) -> dict[tuple[int, bool], int]:
        """A clerk and a supervisor per agency, one password hash for all: hashing 738 times would take minutes."""
        user_model = get_user_model()
        password = make_password(PASSWORD)
        users = user_model.objects.bulk_create([
            user_model(username=f"{prefix}{agency.code}", password=password, is_active=True)
            for agency in agencies for prefix in ("c", "s")
        ])
        by_name = {u.username: u for u in users}
        memberships, actors = [], {}
        for agency in agencies:
            for prefix, role in (("c", AgencyMembership.Role.CLERK), ("s", AgencyMembership.Role.SUPERVISOR)):
                user = by_name[f"{prefix}{agency.code}"]
                memberships.append(AgencyMembership(user=user, agency=agency, role=role))
                actors[(agency.pk, prefix == "s")] = user.pk
        AgencyMembership.objects.bulk_create(memberships)
        return actors

    # --- the generator --------------------------------------------------------------------------

    def plan(self, agencies: list[Agency]) -> list[tuple[dt.datetime, str]]:
        """Each case's opening time and status, oldest first: ids grow with time as the services' do."""
        status_of = mix_picker(STATUS_MIX, self.rng)
        plans = []
        for _ in range(self.scale):
            status = status_of()
            if status in (CaseStatus.COMPLETED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN):
                age = self.rng.uniform(30, 3 * 365)
            else:
                # Most open cases are recent; some linger, and those are overdue.
                age = self.rng.uniform(0, 30) if self.rng.random() < 0.85 else self.rng.uniform(30, 120)
            plans.append((self.now - dt.timedelta(days=age, seconds=self.rng.randrange(86_400)), status))
        plans.sort()
        return plans

    def generate(self, agencies: list[Agency], actors: dict[tuple[int, bool], int]) -> Iterator[tuple[str, dict]]:
        rng = self.rng
        destination_of = Picker(agencies, weights_zipf(len(agencies), 1.0), rng)
        origin_of = Picker(agencies, weights_zipf(len(agencies), 0.6), rng)
        type_of = mix_picker(TYPE_MIX, rng)
        numbers: dict[str, int] = {}
        period_id = event_id = 0
        for index, (opened, status) in enumerate(self.plan(agencies)):
            pk = index + 1
            insurance_type = type_of()
            destination = destination_of()
            while True:
                origin = origin_of()
                if origin.pk != destination.pk and (
                    insurance_type != rules.PENSION or origin.city_id[:2] != destination.city_id[:2]
                ):
                    break
            hukou = origin if rng.random() < 0.8 else origin_of()
            number, birth, gender = id_number(index, hukou.city_id[:4] + "02", rng)
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            yield "worker", {
                "id": pk, "id_number": number, "name": name, "gender": gender, "birth_date": birth,
                "hukou_city_id": hukou.city_id, "phone": "", "email": "", "created_at": opened,
            }
            application_date = local_date(opened)
            outcome = rules.transfer_outcome(
                insurance_type=insurance_type, destination_province=destination.city_id[:2],
                hukou_province=hukou.city_id[:2], gender=gender, birth_date=birth, application_date=application_date,
            ).code

            # Contribution history: consecutive spans from the first job to the application month.
            months = base_total = 0
            # A valid agreement stands in these states and locks the periods it used (cases/services/transitions.py).
            agreed = status in AGREEMENT_STATUSES
            used: list[rules.Period] = []
            month = max(month_add(dt.date(birth.year, birth.month, 1), 12 * 20), dt.date(1995, 1, 1))
            last = application_date.replace(day=1)
            for _span in range(rng.choice((8, 9, 10, 11, 12, 12, 13, 14))):
                if month > last:
                    break
                end = min(month_add(month, 6 + int(rng.random() * 24)), last)
                kind = insurance_type if rng.random() < 0.7 else type_of()
                city = origin.city_id if rng.random() < 0.6 else hukou.city_id
                base = 3000 + int(rng.random() * 12000)
                period_id += 1
                at_origin = kind == insurance_type and city == origin.city_id
                yield "period", {
                    "id": period_id, "worker_id": pk, "insurance_type": kind, "city_id": city, "start_month": month,
                    "end_month": end, "monthly_base": f"{base}.00", "personal_account_credit": None, "paid": True,
                    "recorded_by_id": None, "recorded_at": opened, "locked": agreed and at_origin,
                }
                if at_origin:
                    span = (end.year - month.year) * 12 + end.month - month.month + 1
                    months += span
                    base_total += span * base
                    used.append(rules.Period(
                        kind, city, rules.month_index(month.year, month.month), rules.month_index(end.year, end.month),
                        Decimal(base), id=period_id,
                    ))
                month = month_add(end, 1)

            lodged = origin if rng.random() < 0.5 else destination
            case = {
                "id": pk, "reference": f"TR-{opened.year}-{scrambled_code(pk, 6, 7)}", "worker_id": pk,
                "insurance_type": insurance_type, "origin_agency_id": origin.pk, "destination_agency_id": destination.pk,
                "lodged_at_id": lodged.pk, "channel": "counter" if rng.random() < 0.9 else "online",
                "approved_transfer_reference": "", "status": status, "application_date": application_date,
                "outcome": outcome, "due_date": None, "due_estimated": False, "paused_days_left": None,
                "access_code_hash": "", "created_at": opened,
            }
            events = [("open", "", CaseStatus.SUBMITTED, opened, None)]
            at, current, assessment = opened, CaseStatus.SUBMITTED, None
            for step in PATHS[status]:
                at = min(at + dt.timedelta(days=rng.uniform(0.5, 8)), self.now)
                events.append((step, current, TARGETS[step], at, ACTING_SIDE[step]))
                current = TARGETS[step]
                day = local_date(at)
                if step == "issue_agreement":
                    assessment = seed_assessment(insurance_type, outcome, origin.city_id, day, used, months, base_total)
                    key = f"XY-{origin.code}-{day.year}-"
                    numbers[key] = numbers.get(key, 0) + 1
                    agreement = {
                        "id": pk, "case_id": pk, "number": f"{key}{numbers[key]:05d}", "issued_at": at,
                        "verification_code": scrambled_code(pk, 12, 11), "status": "valid", "superseded_by_id": None,
                        "voided_at": None, "void_reason": "",
                        "frozen_assessment": json.dumps(assessment.to_json(), ensure_ascii=False, separators=(",", ":")),
                    }
                if step == "complete":
                    key = f"JS-{destination.code}-{day.year}-"
                    numbers[key] = numbers.get(key, 0) + 1
                    case.update({"confirmation_number": f"{key}{numbers[key]:05d}", "completed_at": at})
            # The open step's clock, as case_open, issue_agreement and request_info set it.
            if agreed:
                case["issued_at"] = agreement["issued_at"]
            if status in (CaseStatus.SUBMITTED, CaseStatus.VERIFYING):
                case["due_date"], case["due_estimated"] = deadline(
                    application_date, rules.step_working_days(insurance_type, Side.ORIGIN)
                )
            elif status in (CaseStatus.AGREEMENT_ISSUED, CaseStatus.RECEIVING):
                issued = local_date(case.pop("issued_at"))
                case["due_date"], case["due_estimated"] = deadline(
                    issued, rules.step_working_days(insurance_type, Side.DESTINATION)
                )
            elif status == CaseStatus.INFO_REQUESTED:
                case["paused_days_left"] = rng.randrange(1, 12)
            case.pop("issued_at", None)
            case["updated_at"] = at
            case["funds_status"] = seed_funds_status(status, assessment)
            # The inbox's timestamps, as record_activity writes them with each event (cases/services/common.py).
            acting_agency = {Side.ORIGIN: origin.pk, Side.DESTINATION: destination.pk, None: lodged.pk}
            for _name, _from, _to, event_at, side in events:
                end = {origin.pk: "origin_activity_at", destination.pk: "destination_activity_at"}[acting_agency[side]]
                case["activity_at"] = case[end] = event_at
            yield "case", case
            if agreed:
                yield "agreement", agreement
            for transition, from_status, to_status, event_at, side in events:
                acting = {Side.ORIGIN: origin, Side.DESTINATION: destination, None: lodged}[side]
                event_id += 1
                yield "event", {
                    "id": event_id, "case_id": pk, "at": event_at, "transition": transition,
                    "from_status": from_status, "to_status": to_status,
                    "actor_id": actors[(acting.pk, transition in SUPERVISOR_STEPS)],
                    "actor_label": f"{'s' if transition in SUPERVISOR_STEPS else 'c'}{acting.code}",
                    "agency_id": acting.pk,
                    "note": "材料不全，请补充" if transition in ("request_info", "reject") else "",
                }

    # --- loading --------------------------------------------------------------------------------

    TABLES = {
        "worker": (Worker, "cases_worker"),
        "case": (TransferCase, "cases_transfercase"),
        "period": (ContributionPeriod, "cases_contributionperiod"),
        "event": (CaseEvent, "cases_caseevent"),
        "agreement": (Agreement, "cases_agreement"),
    }

    def seeded_scale(self) -> int | None:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_seed (scale integer, version integer, seeded_at timestamptz)")
            cursor.execute("SELECT scale FROM bench_seed WHERE version = %s", [SEED_VERSION])
            row = cursor.fetchone()
        return row[0] if row else None

    def run(self) -> bool:
        """Seed unless the database already holds this scale; True when it seeded."""
        if connection.vendor != "postgresql":
            raise SystemExit("The benchmark seeds PostgreSQL: set DATABASE_URL=postgres://…")
        if self.seeded_scale() == self.scale:
            self.log(f"seed: {self.scale:,} cases already there, skipping")
            return False
        started = time.monotonic()
        agencies = self.agencies()
        with transaction.atomic(), connection.cursor() as cursor:
            # Replica mode skips foreign-key checks and triggers (the append-only guard on events included)
            # for the load only: the generator writes consistent keys.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            # The app's statement timeout (settings.DATABASE_STATEMENT_TIMEOUT_MS) guards requests; a load of
            # millions of rows in one COPY is meant to run for minutes.
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute("DELETE FROM bench_seed")
            cursor.execute(
                "TRUNCATE cases_agreement, cases_caseevent, cases_contributionperiod, cases_transfercase, cases_worker, "
                "regions_agencymembership, authtoken_token, django_session, auth_user RESTART IDENTITY CASCADE"
            )
            actors = self.clerks(agencies)
            indexes = self.drop_secondary_indexes(cursor)
            copies = {kind: self.copier(cursor, kind) for kind in self.TABLES}
            counts = dict.fromkeys(self.TABLES, 0)
            for kind, row in self.generate(agencies, actors):
                copies[kind].send(row)
                counts[kind] += 1
                if kind == "case" and counts["case"] % 100_000 == 0:
                    self.log(f"seed: {counts['case']:,} cases ({time.monotonic() - started:.0f} s)")
            for copier in copies.values():
                copier.close()
            self.log(f"seed: rows written in {time.monotonic() - started:.0f} s: {counts}")
            for statement in indexes:
                cursor.execute(statement)
            self.log(f"seed: indexes rebuilt ({time.monotonic() - started:.0f} s)")
            for _model, table in self.TABLES.values():
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            cursor.execute("INSERT INTO bench_seed VALUES (%s, %s, now())", [self.scale, SEED_VERSION])
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("RESET statement_timeout")
        self.log(f"seed: {self.scale:,} cases in {time.monotonic() - started:.0f} s, analysed")
        return True

    def copier(self, cursor: object, kind: str) -> Spool:
        """One spool per table: the generator writes the four tables side by side in one pass."""
        model, table = self.TABLES[kind]
        produced = {
            "worker": {"id", "id_number", "name", "gender", "birth_date", "hukou_city_id", "phone", "email", "created_at"},
            "period": {"id", "worker_id", "insurance_type", "city_id", "start_month", "end_month", "monthly_base",
                       "personal_account_credit", "paid", "recorded_by_id", "recorded_at", "locked"},
            "event": {"id", "case_id", "at", "transition", "from_status", "to_status", "actor_id", "actor_label",
                      "agency_id", "note"},
        }.get(kind) or {f.column for f in model._meta.concrete_fields}
        # One COPY at a time per connection: each table's rows wait in a spool until the pass is over.
        return Spool(cursor, table, columns_of(model, produced))

    def drop_secondary_indexes(self, cursor: object) -> list[str]:
        """Indexes that back no constraint are rebuilt once after the load, far faster than row by row."""
        tables = [table for _model, table in self.TABLES.values()]
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [tables],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
        return [definition for _name, definition in found]


class Spool:
    """Rows of one table, kept in a temporary file until the generator is done, then copied in one COPY."""

    def __init__(self, cursor: object, table: str, columns: list[str]) -> None:
        self.cursor, self.table, self.columns = cursor, table, columns
        self.file = tempfile.TemporaryFile(mode="w+", encoding="utf-8")

    def send(self, row: dict) -> None:
        self.file.write("\t".join(text(row.get(column)) for column in self.columns))
        self.file.write("\n")

    def close(self) -> None:
        self.file.seek(0)
        with self.cursor.copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN WITH (FREEZE)") as copy:
            while chunk := self.file.read(1 << 20):
                copy.write(chunk)
        self.file.close()
