"""The rules that decide what moves and what happens (docs/domain.md §1, §5, §6).

Pure functions of plain values: no ORM, no request, no clock. Every refusal is a
RuleViolation whose message names what is missing.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils.translation import gettext as _

PENSION, MEDICAL, UNEMPLOYMENT = "pension", "medical", "unemployment"
CITY, PROVINCE = "city", "province"
FULL_TRANSFER, TEMPORARY_ACCOUNT = "full_transfer", "temporary_account"

CENT = Decimal("0.01")
POOLED_FUND_SHARE = Decimal("0.12")
CREDIT_SHARE_BEFORE_2006 = Decimal("0.11")
CREDIT_SHARE_FROM_2006 = Decimal("0.08")
INTEREST_HALF_YEAR_FACTOR = Decimal("1.083") / 2
# 国发〔2005〕38号 cut the personal account from 11% to 8% of the base from 2006-01.
CREDIT_CUT_MONTH = 2006 * 12
POOLED_FUND_FIRST_MONTH = 1998 * 12
MALE_AGE_LIMIT, FEMALE_AGE_LIMIT = 50, 40
BENEFIT_YEARS = 10

# Levels a province's policy may set; pensions are always pooled per province.
PoolingLevels = Mapping[str, Mapping[str, str]]
Rates = Mapping[int, Decimal]


class RuleViolation(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Message:
    """A rule's message as a code and its values: a frozen assessment is read in either language later."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        return message_text(self.code) % dict(self.params)


def message_text(code: str) -> str:
    """The sentence for each message code, in the active language (its values are filled in by Message.text)."""
    return {
        "return_to_hukou": _("Return to the hukou province: the relationship and its funds move."),
        "approved_transfer": _(
            "Transfer approved by an organisation or HR department (%(reference)s): the relationship moves."
        ),
        "temporary_account": _(
            "Aged %(age)s on the application date (limit %(limit)s) and moving outside the hukou province: "
            "the relationship stays at the origin and the destination opens a temporary contribution account; "
            "no funds move."
        ),
        "record_stays": _(
            "Nothing moves (0.00): the contribution record and its funds stay at the origin, which keeps them "
            "until the worker draws the pension."
        ),
        "medical_no_account": _(
            "The destination opens no medical personal account for workers whose hukou is elsewhere: "
            "the personal account balance is paid to the worker instead of moving."
        ),
        "before_1998": _(
            "%(months)s months before 1998-01: only the worker's own contributions recorded for them move "
            "(%(recorded)s of those months have an amount recorded); nothing is imputed for the others."
        ),
        "minimum_months": _(
            "The destination requires %(minimum)s months contributed there before benefits; %(months)s recorded. "
            "This does not prevent the transfer."
        ),
        "arrears": _("Contributions are unpaid at the origin (%(ranges)s); settle the arrears before the agreement."),
        "missing_credit_rate": _(
            "The credited interest rate for %(year)s in %(province)s is missing; an administrator must enter it."
        ),
        "overlap": _(
            "Periods recorded at the origin overlap for %(ranges)s: the same months are recorded twice in one "
            "pooling area. A clerk of the city concerned must correct them before the agreement."
        ),
    }[code]


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_of(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def month_label(index: int) -> str:
    year, month = month_of(index)
    return f"{year:04d}-{month:02d}"


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    insurance_type: str
    city_code: str
    first_month: int
    last_month: int
    monthly_base: Decimal
    credit: Decimal | None = None
    paid: bool = True
    # The stored period's id, so that an agreement can lock the periods it used; None for periods built by hand.
    id: int | None = None

    @property
    def province_code(self) -> str:
        return self.city_code[:2]

    @property
    def month_count(self) -> int:
        return self.last_month - self.first_month + 1

    def months(self) -> Iterator[int]:
        return iter(range(self.first_month, self.last_month + 1))

    def credit_for(self, month: int) -> Decimal:
        if self.credit is not None:
            return self.credit
        if month < POOLED_FUND_FIRST_MONTH:
            # 66号 Art. 4(1): before 1998 only the worker's own recorded contributions move; nothing is imputed.
            return Decimal(0)
        share = CREDIT_SHARE_BEFORE_2006 if month < CREDIT_CUT_MONTH else CREDIT_SHARE_FROM_2006
        return self.monthly_base * share


# --- time limits (§4) ------------------------------------------------------------------------

ORIGIN, DESTINATION = "origin", "destination"
# Working days each agency has for its step: 66号 Art. 8, and 医保办发〔2021〕43号 for medical insurance
# (10 out, 5 in). The origin's step runs until the agreement or the rejection, the destination's until completion.
STEP_WORKING_DAYS = {
    (PENSION, ORIGIN): 15,
    (PENSION, DESTINATION): 15,
    (UNEMPLOYMENT, ORIGIN): 15,
    (UNEMPLOYMENT, DESTINATION): 15,
    (MEDICAL, ORIGIN): 10,
    (MEDICAL, DESTINATION): 5,
}


def step_working_days(insurance_type: str, side: str) -> int:
    return STEP_WORKING_DAYS[(insurance_type, side)]


# --- pooling areas ---------------------------------------------------------------------------


def pooling_level(insurance_type: str, province_code: str, levels: PoolingLevels) -> str:
    if insurance_type == PENSION:
        return PROVINCE
    return levels.get(province_code, {}).get(insurance_type, CITY)


def pooling_area(insurance_type: str, city_code: str, levels: PoolingLevels) -> str:
    """A province code for province-level pooling, else the city code."""
    province_code = city_code[:2]
    return province_code if pooling_level(insurance_type, province_code, levels) == PROVINCE else city_code


def same_pooling_area(insurance_type: str, origin_city: str, destination_city: str, levels: PoolingLevels) -> bool:
    return pooling_area(insurance_type, origin_city, levels) == pooling_area(insurance_type, destination_city, levels)


def require_transfer_needed(insurance_type: str, origin_city: str, destination_city: str, levels: PoolingLevels) -> None:
    if same_pooling_area(insurance_type, origin_city, destination_city, levels):
        raise RuleViolation(
            _("Both agencies belong to the same pooling area for this insurance type: no transfer is needed."),
            "same_pooling_area",
        )


def periods_in_area(
    periods: Iterable[Period], insurance_type: str, area: str, levels: PoolingLevels
) -> list[Period]:
    return [
        p for p in periods
        if p.insurance_type == insurance_type and pooling_area(insurance_type, p.city_code, levels) == area
    ]


# --- figures that move (§5) ------------------------------------------------------------------


@dataclass(frozen=True)
class YearLine:
    year: int
    months: int
    base_total: Decimal
    credits: Decimal
    rate_percent: Decimal | None
    interest: Decimal
    closing_balance: Decimal


@dataclass(frozen=True)
class Figures:
    contribution_months: int
    pooled_fund_amount: Decimal | None
    personal_account_principal: Decimal | None
    personal_account_balance: Decimal | None
    years: tuple[YearLine, ...] = ()
    missing_rate_years: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "contribution_months": self.contribution_months,
            "pooled_fund_amount": self.pooled_fund_amount,
            "personal_account_principal": self.personal_account_principal,
            "personal_account_balance": self.personal_account_balance,
        }


def contribution_months(periods: Iterable[Period]) -> int:
    """Distinct paid months: two cities of one area paying the same month count it once."""
    return len({m for p in periods if p.paid for m in p.months()})


def pooled_fund(periods: Iterable[Period]) -> Decimal:
    """12% of the monthly bases from 1998-01 on, rounded once at the end."""
    with localcontext(prec=50):
        total = sum(
            (p.monthly_base * max(0, p.last_month - max(p.first_month, POOLED_FUND_FIRST_MONTH) + 1)
             for p in periods if p.paid),
            Decimal(0),
        )
        return round_money(total * POOLED_FUND_SHARE)


def credits_by_year(periods: Iterable[Period], months: set[int] | None = None) -> dict[int, Decimal]:
    credits: dict[int, Decimal] = defaultdict(Decimal)
    with localcontext(prec=50):
        for period in periods:
            if not period.paid:
                continue
            for month in period.months():
                if month < POOLED_FUND_FIRST_MONTH and period.credit is None:
                    continue  # nothing imputed before 1998: such a year needs no credited rate either
                if months is None or month in months:
                    credits[month // 12] += period.credit_for(month)
    return dict(credits)


def personal_account_principal(periods: Iterable[Period]) -> Decimal:
    return round_money(sum(credits_by_year(periods).values(), Decimal(0)))


# From 2016 one national credited rate applies (人社厅发〔2017〕71号); before, each province set its own.
NATIONAL_RATE_FROM = 2016


def missing_rates(credits: Mapping[int, Decimal], rates: Rates, until_year: int) -> tuple[int, ...]:
    if not credits:
        return ()
    return tuple(y for y in range(min(credits), until_year) if y not in rates)


def missing_rate_violation(year: int, province: str) -> RuleViolation:
    message = Message("missing_credit_rate", (("year", str(year)), ("province", province)))
    return RuleViolation(message.text, "missing_credit_rate")


@dataclass(frozen=True)
class RateRow:
    """One credited rate as entered: a province's own (years before 2016), or national (province_code "")."""

    year: int
    province_code: str
    percent: Decimal


# From 2016 one national rate applies (人社厅发〔2017〕71号); before, each province set its own.
NATIONAL_RATES_FROM = 2016


def rates_for(rows: Iterable[RateRow], province_code: str) -> dict[int, RateRow]:
    """The rate that applies to each year for one province: its own row before 2016, else the national one."""
    rows = tuple(rows)
    national = {row.year: row for row in rows if not row.province_code}
    chosen = dict(national)
    for row in rows:
        if row.province_code == province_code and row.year < NATIONAL_RATES_FROM:
            chosen[row.year] = row
    return chosen


def account_balance(
    credits: Mapping[int, Decimal], rates: Rates, until_year: int, province: str = ""
) -> tuple[Decimal, list[YearLine]]:
    """B_y = B_{y-1}(1+r_y) + C_y(1 + r_y·1.083/2) for each complete year before `until_year`.

    Credits of `until_year` (and later) move without interest. Raises RuleViolation
    naming the first year whose credited rate is missing.
    """
    missing = missing_rates(credits, rates, until_year)
    if missing:
        raise missing_rate_violation(missing[0], province)
    lines: list[YearLine] = []
    balance = Decimal(0)
    if not credits:
        return balance, lines
    with localcontext(prec=50):
        for year in range(min(credits), until_year):
            rate = rates[year] / 100
            credit = credits.get(year, Decimal(0))
            opening = balance
            balance = opening * (1 + rate) + credit * (1 + rate * INTEREST_HALF_YEAR_FACTOR)
            lines.append(YearLine(year, 0, Decimal(0), credit, rates[year], balance - opening - credit, balance))
        for year in sorted(y for y in credits if y >= until_year):
            balance += credits[year]
            lines.append(YearLine(year, 0, Decimal(0), credits[year], None, Decimal(0), balance))
    return balance, lines


def compute_figures(insurance_type: str, origin_periods: Sequence[Period], rates: Rates, agreement_year: int) -> Figures:
    """What moves from the origin area; before the agreement this is a live quote."""
    months = contribution_months(origin_periods)
    if insurance_type == UNEMPLOYMENT:
        return Figures(months, None, None, None)
    if insurance_type == MEDICAL:
        # The medical personal account moves as recorded, without credited interest. The 11% / 8% shares
        # stand in for a missing amount only in the pension account (国发〔2005〕38号), never here.
        recorded = round_money(sum(
            (p.credit * p.month_count for p in origin_periods if p.paid and p.credit is not None), Decimal(0)
        ))
        return Figures(months, None, recorded, recorded)
    credits = credits_by_year(origin_periods)
    principal = round_money(sum(credits.values(), Decimal(0)))
    missing = missing_rates(credits, rates, agreement_year)
    balance: Decimal | None = None
    lines: list[YearLine] = []
    if not missing:
        raw_balance, lines = account_balance(credits, rates, agreement_year)
        balance = round_money(raw_balance)
    lines = _with_year_totals(lines, origin_periods)
    return Figures(
        contribution_months=months,
        pooled_fund_amount=pooled_fund(origin_periods),
        personal_account_principal=principal,
        personal_account_balance=balance,
        years=tuple(lines),
        missing_rate_years=missing,
    )


def _with_year_totals(lines: list[YearLine], periods: Sequence[Period]) -> list[YearLine]:
    totals = {total.year: total for total in year_totals(periods)}
    none = YearTotal(0, 0, Decimal(0))
    return [
        YearLine(
            line.year, totals.get(line.year, none).months, round_money(totals.get(line.year, none).base_total),
            round_money(line.credits), line.rate_percent, round_money(line.interest), round_money(line.closing_balance),
        )
        for line in lines
    ]


@dataclass(frozen=True)
class YearTotal:
    year: int
    months: int
    base_total: Decimal
    unpaid_months: int = 0


def year_totals(periods: Iterable[Period]) -> list[YearTotal]:
    """Per calendar year: the months paid, the sum of their bases, and the months owed."""
    months: dict[int, int] = defaultdict(int)
    bases: dict[int, Decimal] = defaultdict(Decimal)
    unpaid: dict[int, int] = defaultdict(int)
    for period in periods:
        for month in period.months():
            if period.paid:
                months[month // 12] += 1
                bases[month // 12] += period.monthly_base
            else:
                unpaid[month // 12] += 1
    return [YearTotal(year, months[year], bases[year], unpaid[year]) for year in sorted(set(months) | set(unpaid))]


# --- outcome, benefit place (§6) -------------------------------------------------------------


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class Outcome:
    code: str
    reason: str


def outcome_message(
    *,
    insurance_type: str,
    destination_province: str,
    hukou_province: str,
    gender: str,
    birth_date: dt.date,
    application_date: dt.date,
    approved_transfer_reference: str = "",
) -> tuple[str, Message | None]:
    """66号 Art. 5: older workers moving away from their hukou province keep the relationship at the origin."""
    if insurance_type != PENSION:
        return FULL_TRANSFER, None
    if destination_province == hukou_province:
        return FULL_TRANSFER, Message("return_to_hukou")
    reference = approved_transfer_reference.strip()
    if reference:
        return FULL_TRANSFER, Message("approved_transfer", (("reference", reference),))
    age = age_on(birth_date, application_date)
    limit = MALE_AGE_LIMIT if gender == "male" else FEMALE_AGE_LIMIT
    if age >= limit:
        return TEMPORARY_ACCOUNT, Message("temporary_account", (("age", str(age)), ("limit", str(limit))))
    return FULL_TRANSFER, None


def transfer_outcome(**facts: object) -> Outcome:
    """The outcome fixed at application, with its reason in the reader's language."""
    code, message = outcome_message(**facts)  # type: ignore[arg-type]
    return Outcome(code, message.text if message else "")


BENEFIT_REASONS = ("no_history", "hukou", "current_ten_years", "earlier_ten_years", "hukou_fallback")


@dataclass(frozen=True)
class BenefitPlace:
    province_code: str
    reason: str

    @property
    def explanation(self) -> str:
        return {
            "hukou": _("The relationship is in the hukou province (66号 Art. 6)."),
            "current_ten_years": _("Where the relationship is, with ten or more years of contributions there."),
            "earlier_ten_years": _("The last earlier place with ten or more years of contributions."),
            "hukou_fallback": _("No place has ten years of contributions: the hukou province."),
            "no_history": _("No contribution history yet: the hukou province."),
        }[self.reason]


def benefit_receipt_province(*, hukou_province: str, pension_periods: Sequence[Period]) -> BenefitPlace:
    """66号 Art. 6: where the worker will draw the pension, from the history as it stands."""
    paid = sorted((p for p in pension_periods if p.paid), key=lambda p: p.last_month)
    if not paid:
        return BenefitPlace(hukou_province, "no_history")
    current = paid[-1].province_code
    if current == hukou_province:
        return BenefitPlace(hukou_province, "hukou")
    months: dict[str, set[int]] = defaultdict(set)
    last_month: dict[str, int] = {}
    for period in paid:
        months[period.province_code].update(period.months())
        last_month[period.province_code] = max(last_month.get(period.province_code, 0), period.last_month)
    if len(months[current]) >= BENEFIT_YEARS * 12:
        return BenefitPlace(current, "current_ten_years")
    earlier = sorted(
        (province for province in months if province != current and len(months[province]) >= BENEFIT_YEARS * 12),
        key=lambda province: last_month[province],
    )
    if earlier:
        return BenefitPlace(earlier[-1], "earlier_ten_years")
    return BenefitPlace(hukou_province, "hukou_fallback")


def benefit_place_of(hukou_province: str, periods: Iterable[Period], temporary_account_provinces: Iterable[str]) -> BenefitPlace:
    """The benefit place from the whole history, leaving out the places where the worker only had a temporary
    contribution account (66号 Art. 6): the relationship stayed where it was while they paid there."""
    excluded = set(temporary_account_provinces) - {hukou_province}
    pension = [p for p in periods if p.insurance_type == PENSION and p.province_code not in excluded]
    return benefit_receipt_province(hukou_province=hukou_province, pension_periods=pension)


# --- duplicates and arrears ------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    """Months paid in two pooling areas: `first_city` is the origin side where it is involved."""

    first_city: str
    second_city: str
    first_month: int
    last_month: int

    @property
    def month_count(self) -> int:
        return self.last_month - self.first_month + 1


def find_duplicates(
    periods: Sequence[Period], insurance_type: str, levels: PoolingLevels, origin_area: str = ""
) -> list[Duplicate]:
    """Months paid in two pooling areas, found by a sweep over the periods in order of their first month.

    Each period meets only the periods still running when it starts (kept in a heap by last month), so the
    cost follows the overlaps there are, not the square of the periods.
    """
    relevant = sorted(
        (p for p in periods if p.insurance_type == insurance_type and p.paid), key=lambda p: p.first_month
    )
    found: set[Duplicate] = set()
    running: list[tuple[int, int, Period, str]] = []
    for order, b in enumerate(relevant):
        while running and running[0][0] < b.first_month:
            heapq.heappop(running)
        area_b = pooling_area(insurance_type, b.city_code, levels)
        for _last, _order, a, area_a in running:
            if area_a == area_b:
                continue
            first, last = b.first_month, min(a.last_month, b.last_month)
            one, other = sorted((a.city_code, b.city_code))
            if pooling_area(insurance_type, other, levels) == origin_area:
                one, other = other, one
            found.add(Duplicate(one, other, first, last))
        heapq.heappush(running, (b.last_month, order, b, area_b))
    # The whole value as the key: two spans of one pair can start together, and a set's order differs between
    # processes (string hashing), so a partial key would list them differently from one run to the next.
    return sorted(found, key=lambda d: (d.first_month, d.first_city, d.second_city, d.last_month))


def duplicate_refund(
    released_periods: Sequence[Period], first_month: int, last_month: int, rates: Rates, year: int, province: str = ""
) -> Decimal:
    """The released relationship's personal-account credits for the duplicated months, with interest.

    A medical personal account earns no credited interest and holds only what was recorded.
    """
    months = set(range(first_month, last_month + 1))
    if released_periods and released_periods[0].insurance_type == MEDICAL:
        return round_money(sum(
            (p.credit for p in released_periods if p.paid and p.credit is not None for m in p.months() if m in months),
            Decimal(0),
        ))
    credits = credits_by_year(released_periods, months)
    balance, _lines = account_balance(credits, rates, year, province)
    return round_money(balance)


@dataclass(frozen=True)
class Arrears:
    city_code: str
    first_month: int
    last_month: int


def arrears(origin_periods: Iterable[Period]) -> list[Arrears]:
    return sorted(
        (Arrears(p.city_code, p.first_month, p.last_month) for p in origin_periods if not p.paid),
        key=lambda a: a.first_month,
    )


def month_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    return ", ".join(
        month_label(first) if first == last else f"{month_label(first)}–{month_label(last)}" for first, last in ranges
    )


def overlapping_months(periods: Iterable[Period]) -> list[tuple[int, int]]:
    """The months two or more of these periods cover, as ranges: within one pooling area a recording error."""
    covered: dict[int, int] = defaultdict(int)
    for period in periods:
        for month in period.months():
            covered[month] += 1
    twice = sorted(month for month, count in covered.items() if count > 1)
    ranges: list[tuple[int, int]] = []
    for month in twice:
        if ranges and ranges[-1][1] == month - 1:
            ranges[-1] = (ranges[-1][0], month)
        else:
            ranges.append((month, month))
    return ranges


@dataclass(frozen=True)
class BaseBounds:
    floor: Decimal | None = None
    ceiling: Decimal | None = None


def base_bound_errors(period: Period, bounds_by_year: Mapping[int, BaseBounds]) -> list[str]:
    """The years in which the base lies outside the province's floor or ceiling."""
    errors = []
    for year in range(period.first_month // 12, period.last_month // 12 + 1):
        bounds = bounds_by_year.get(year)
        if bounds is None:
            continue
        if bounds.floor is not None and period.monthly_base < bounds.floor:
            errors.append(_("%(year)s: the base is below the floor of %(floor)s.") % {"year": year, "floor": bounds.floor})
        if bounds.ceiling is not None and period.monthly_base > bounds.ceiling:
            errors.append(
                _("%(year)s: the base is above the ceiling of %(ceiling)s.") % {"year": year, "ceiling": bounds.ceiling}
            )
    return errors


# --- the assessment: one value, frozen whole by the agreement (§5 "The assessment is one value") ------------


@dataclass(frozen=True)
class CaseFacts:
    """Everything the origin decides on, as loaded by cases/selectors/assessment.py: no ORM beyond this point."""

    insurance_type: str
    origin_city: str
    destination_city: str
    hukou_province: str
    outcome: str  # fixed at application (66号 Art. 5); the reason is worked out again from the same facts
    gender: str
    birth_date: dt.date
    application_date: dt.date
    as_of: dt.date  # the day of the quote, or of the agreement: credits of its year move without interest
    periods: tuple[Period, ...]  # the worker's whole history, every type and place
    pooling_levels: PoolingLevels
    rates: tuple[RateRow, ...]
    approved_transfer_reference: str = ""
    origin_province_name: str = ""
    destination_minimum_months: int = 0
    destination_nonhukou_medical_account: bool = True
    # Provinces where the worker only had a temporary contribution account (66号 Art. 6): never the benefit place.
    temporary_account_provinces: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Transfer:
    """What moves (转移基金); None only in a live quote that a missing credited rate leaves incomplete."""

    pooled_fund: Decimal | None
    personal_account: Decimal | None

    @property
    def total(self) -> Decimal | None:
        """The sum of the two rounded parts."""
        if self.pooled_fund is None or self.personal_account is None:
            return None
        return self.pooled_fund + self.personal_account


NOTHING_MOVES = Transfer(Decimal("0.00"), Decimal("0.00"))


@dataclass(frozen=True)
class MinimumMonths:
    """The destination's minimum months before benefits: reported, never blocking (§6)."""

    required: int
    recorded: int

    @property
    def met(self) -> bool:
        return self.recorded >= self.required


@dataclass(frozen=True)
class Assessment:
    """The periods used, the rates applied, the per-year computation, the figures, what moves, the outcome and
    what blocks the agreement: computed once by `assess`, frozen whole by the agreement through its codec."""

    insurance_type: str
    as_of: dt.date
    origin_province: str
    periods: tuple[Period, ...]
    rates: tuple[RateRow, ...]
    figures: Figures
    transfer: Transfer
    outcome: str
    outcome_reason: Message | None = None
    notes: tuple[Message, ...] = ()
    blockers: tuple[Message, ...] = ()
    arrears: tuple[Arrears, ...] = ()
    benefit_place: BenefitPlace | None = None
    minimum_months: MinimumMonths | None = None

    @property
    def moves_nothing(self) -> bool:
        return self.outcome == TEMPORARY_ACCOUNT

    @property
    def period_ids(self) -> tuple[int, ...]:
        return tuple(p.id for p in self.periods if p.id is not None)

    @property
    def messages(self) -> list[str]:
        """What the case page, the API and the PDFs say about the outcome and the figures."""
        return [m.text for m in ((self.outcome_reason,) if self.outcome_reason else ()) + self.notes]

    @property
    def blocking_message(self) -> str:
        return " ".join(m.text for m in self.blockers)

    def to_json(self) -> dict[str, object]:
        return AssessmentCodec.encode(self)

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Assessment:
        return AssessmentCodec.decode(data)


def assess(facts: CaseFacts) -> Assessment:
    """The one computation of a case's assessment from its facts (docs/domain.md §5, §6)."""
    levels = facts.pooling_levels
    kind = facts.insurance_type
    origin_area = pooling_area(kind, facts.origin_city, levels)
    origin_periods = tuple(
        sorted(periods_in_area(facts.periods, kind, origin_area, levels), key=lambda p: (p.first_month, p.city_code))
    )
    origin_province = facts.origin_city[:2]
    chosen = rates_for(facts.rates, origin_province)
    rates = {year: row.percent for year, row in chosen.items()}
    figures = compute_figures(kind, origin_periods, rates, facts.as_of.year)
    used_rates = tuple(chosen[line.year] for line in figures.years if line.rate_percent is not None)
    outcome_code, reason = outcome_message(
        insurance_type=kind, destination_province=facts.destination_city[:2], hukou_province=facts.hukou_province,
        gender=facts.gender, birth_date=facts.birth_date, application_date=facts.application_date,
        approved_transfer_reference=facts.approved_transfer_reference,
    )
    if outcome_code != facts.outcome:
        reason = None  # the worker's record changed since the application: the fixed outcome keeps no stale reason
    notes: list[Message] = []
    blockers: list[Message] = []
    owed = tuple(arrears(origin_periods))
    if owed:
        blockers.append(Message("arrears", (("ranges", month_ranges((a.first_month, a.last_month) for a in owed)),)))
    overlaps = overlapping_months(origin_periods)
    if overlaps:
        blockers.append(Message("overlap", (("ranges", month_ranges(overlaps)),)))

    temporary = facts.outcome == TEMPORARY_ACCOUNT
    if temporary:
        transfer = NOTHING_MOVES
        notes.append(Message("record_stays"))
    elif kind == PENSION:
        transfer = Transfer(figures.pooled_fund_amount, figures.personal_account_balance)
        if figures.missing_rate_years:
            province = facts.origin_province_name or origin_province
            blockers.append(Message(
                "missing_credit_rate", (("year", str(figures.missing_rate_years[0])), ("province", province))
            ))
    elif kind == MEDICAL:
        medical_note = not facts.destination_nonhukou_medical_account and (
            facts.destination_city[:2] != facts.hukou_province
        )
        if medical_note:
            notes.append(Message("medical_no_account"))
        transfer = Transfer(Decimal("0.00"), Decimal("0.00") if medical_note else figures.personal_account_balance)
    else:
        transfer = NOTHING_MOVES  # unemployment insurance: the months move, no fund (§5)

    if kind == PENSION:
        early = [m for p in origin_periods if p.paid for m in p.months() if m < POOLED_FUND_FIRST_MONTH]
        if early:
            recorded = sum(
                1 for p in origin_periods if p.paid and p.credit is not None
                for m in p.months() if m < POOLED_FUND_FIRST_MONTH
            )
            notes.append(Message("before_1998", (("months", str(len(early))), ("recorded", str(recorded)))))

    minimum = None
    if facts.destination_minimum_months:
        destination_area = pooling_area(kind, facts.destination_city, levels)
        recorded_there = contribution_months(periods_in_area(facts.periods, kind, destination_area, levels))
        minimum = MinimumMonths(facts.destination_minimum_months, recorded_there)
        if not minimum.met:
            notes.append(Message("minimum_months", (("minimum", str(minimum.required)), ("months", str(recorded_there)))))

    benefit = None
    if kind == PENSION:
        excluded = set(facts.temporary_account_provinces)
        if temporary:
            excluded.add(facts.destination_city[:2])
        benefit = benefit_place_of(facts.hukou_province, facts.periods, excluded)

    return Assessment(
        insurance_type=kind, as_of=facts.as_of, origin_province=origin_province, periods=origin_periods,
        rates=used_rates, figures=figures, transfer=transfer, outcome=facts.outcome, outcome_reason=reason,
        notes=tuple(notes), blockers=tuple(blockers), arrears=owed, benefit_place=benefit, minimum_months=minimum,
    )


def _money_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _money_value(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class AssessmentCodec:
    """The one encoding of an Assessment (an agreement's frozen JSON). Each version it ever wrote stays readable:
    a change of the type adds a version and a reader for it, and old agreements keep decoding as they were."""

    VERSION = 1

    @classmethod
    def encode(cls, a: Assessment) -> dict[str, object]:
        f = a.figures
        return {
            "version": cls.VERSION,
            "insurance_type": a.insurance_type,
            "as_of": a.as_of.isoformat(),
            "origin_province": a.origin_province,
            "periods": [
                {"insurance_type": p.insurance_type, "city_code": p.city_code, "first_month": p.first_month,
                 "last_month": p.last_month, "monthly_base": str(p.monthly_base), "credit": _money_text(p.credit),
                 "paid": p.paid, "id": p.id}
                for p in a.periods
            ],
            "rates": [{"year": r.year, "province_code": r.province_code, "percent": str(r.percent)} for r in a.rates],
            "figures": {
                "contribution_months": f.contribution_months,
                "pooled_fund_amount": _money_text(f.pooled_fund_amount),
                "personal_account_principal": _money_text(f.personal_account_principal),
                "personal_account_balance": _money_text(f.personal_account_balance),
                "missing_rate_years": list(f.missing_rate_years),
                "years": [
                    {"year": y.year, "months": y.months, "base_total": str(y.base_total), "credits": str(y.credits),
                     "rate_percent": _money_text(y.rate_percent), "interest": str(y.interest),
                     "closing_balance": str(y.closing_balance)}
                    for y in f.years
                ],
            },
            "transfer": {
                "pooled_fund": _money_text(a.transfer.pooled_fund),
                "personal_account": _money_text(a.transfer.personal_account),
            },
            "outcome": a.outcome,
            "outcome_reason": cls._message(a.outcome_reason),
            "notes": [cls._message(m) for m in a.notes],
            "blockers": [cls._message(m) for m in a.blockers],
            "arrears": [[x.city_code, x.first_month, x.last_month] for x in a.arrears],
            "benefit_place": None if a.benefit_place is None else {
                "province_code": a.benefit_place.province_code, "reason": a.benefit_place.reason,
            },
            "minimum_months": None if a.minimum_months is None else {
                "required": a.minimum_months.required, "recorded": a.minimum_months.recorded,
            },
        }

    @staticmethod
    def _message(message: Message | None) -> dict[str, object] | None:
        return None if message is None else {"code": message.code, "params": dict(message.params)}

    @staticmethod
    def _read_message(data: Mapping[str, object] | None) -> Message | None:
        if data is None:
            return None
        params = data.get("params") or {}
        return Message(str(data["code"]), tuple((str(k), str(v)) for k, v in params.items()))  # type: ignore[union-attr]

    @classmethod
    def decode(cls, data: Mapping[str, object]) -> Assessment:
        version = data.get("version")
        if version == 1:
            return cls._decode_v1(data)
        if version == 0:
            return cls._decode_v0(data)
        raise ValueError(f"unknown assessment version {version!r}")

    @classmethod
    def _figures(cls, data: Mapping[str, object]) -> Figures:
        return Figures(
            contribution_months=int(data.get("contribution_months") or 0),
            pooled_fund_amount=_money_value(data.get("pooled_fund_amount")),
            personal_account_principal=_money_value(data.get("personal_account_principal")),
            personal_account_balance=_money_value(data.get("personal_account_balance")),
            years=tuple(
                YearLine(
                    int(y["year"]), int(y["months"]), Decimal(y["base_total"]), Decimal(y["credits"]),
                    _money_value(y["rate_percent"]), Decimal(y["interest"]), Decimal(y["closing_balance"]),
                )
                for y in data.get("years", [])  # type: ignore[union-attr]
            ),
            missing_rate_years=tuple(int(y) for y in data.get("missing_rate_years", [])),  # type: ignore[union-attr]
        )

    @classmethod
    def _decode_v1(cls, data: Mapping[str, object]) -> Assessment:
        transfer = data["transfer"]
        benefit = data.get("benefit_place")
        minimum = data.get("minimum_months")
        return Assessment(
            insurance_type=str(data["insurance_type"]),
            as_of=dt.date.fromisoformat(str(data["as_of"])),
            origin_province=str(data["origin_province"]),
            periods=tuple(
                Period(
                    insurance_type=p["insurance_type"], city_code=p["city_code"], first_month=int(p["first_month"]),
                    last_month=int(p["last_month"]), monthly_base=Decimal(p["monthly_base"]),
                    credit=_money_value(p["credit"]), paid=bool(p["paid"]), id=p.get("id"),
                )
                for p in data["periods"]  # type: ignore[union-attr]
            ),
            rates=tuple(
                RateRow(int(r["year"]), str(r["province_code"]), Decimal(r["percent"]))
                for r in data["rates"]  # type: ignore[union-attr]
            ),
            figures=cls._figures(data["figures"]),  # type: ignore[arg-type]
            transfer=Transfer(
                _money_value(transfer["pooled_fund"]), _money_value(transfer["personal_account"])  # type: ignore[index]
            ),
            outcome=str(data["outcome"]),
            outcome_reason=cls._read_message(data.get("outcome_reason")),  # type: ignore[arg-type]
            notes=tuple(cls._read_message(m) for m in data.get("notes", [])),  # type: ignore[misc, union-attr]
            blockers=tuple(cls._read_message(m) for m in data.get("blockers", [])),  # type: ignore[misc, union-attr]
            arrears=tuple(Arrears(str(c), int(f), int(t)) for c, f, t in data.get("arrears", [])),  # type: ignore[union-attr]
            benefit_place=None if not benefit else BenefitPlace(benefit["province_code"], benefit["reason"]),  # type: ignore[index]
            minimum_months=None if not minimum else MinimumMonths(int(minimum["required"]), int(minimum["recorded"])),  # type: ignore[index]
        )

    @classmethod
    def _decode_v0(cls, data: Mapping[str, object]) -> Assessment:
        """Agreements issued before the assessment existed: the case's frozen figure columns, moved here by
        migration 0008. What moved then was the pooled fund and the balance, or nothing for a temporary account."""
        figures = cls._figures(data)
        outcome = str(data.get("outcome") or FULL_TRANSFER)
        kind = str(data.get("insurance_type") or PENSION)
        if outcome == TEMPORARY_ACCOUNT or kind == UNEMPLOYMENT:
            transfer = NOTHING_MOVES
        elif kind == MEDICAL:
            transfer = Transfer(Decimal("0.00"), figures.personal_account_balance)
        else:
            transfer = Transfer(figures.pooled_fund_amount, figures.personal_account_balance)
        return Assessment(
            insurance_type=kind, as_of=dt.date.fromisoformat(str(data["as_of"])),
            origin_province=str(data.get("origin_province") or ""), periods=(), rates=(), figures=figures,
            transfer=transfer, outcome=outcome,
            notes=(Message("record_stays"),) if outcome == TEMPORARY_ACCOUNT else (),
        )


# --- funds transfer and reconciliation (§5) --------------------------------------------------


@dataclass(frozen=True)
class Remittable:
    """What the origin remits under an agreement: the assessment's transfer, and whether nothing moves."""

    pooled_fund: Decimal
    personal_account: Decimal
    total: Decimal
    temporary_account: bool

    @property
    def funds_required(self) -> bool:
        """A remittance is recorded only when money moves (unemployment moves months only)."""
        return not self.temporary_account and self.total > 0


def remittable(assessment: Assessment) -> Remittable:
    zero = Decimal("0.00")
    pooled = assessment.transfer.pooled_fund or zero
    personal = assessment.transfer.personal_account or zero
    return Remittable(pooled, personal, pooled + personal, assessment.moves_nothing)


def money_sum(amounts: Iterable[Decimal]) -> Decimal:
    return round_money(sum(amounts, Decimal(0)))


def require_remittance_matches(expected: Transfer, pooled_fund: Decimal, personal_account: Decimal) -> None:
    """The remittance must be exactly what moves; the message names each part's difference."""
    differences = [
        (label, amount - wanted)
        for label, amount, wanted in (
            (_("pooled fund"), pooled_fund, expected.pooled_fund),
            (_("personal account"), personal_account, expected.personal_account),
        )
        if amount != wanted
    ]
    if differences:
        raise RuleViolation(
            _("The remittance must equal what moves (%(total)s): %(differences)s.") % {
                "total": expected.total,
                "differences": "; ".join(
                    _("%(part)s differs by %(difference)s") % {"part": label, "difference": signed_money(difference)}
                    for label, difference in differences
                ),
            },
            "remittance_mismatch",
        )


def signed_money(value: Decimal) -> str:
    """+12.00 / -12.00 / 0.00: a difference says which way it goes."""
    value = round_money(value)
    return f"+{value}" if value > 0 else str(value)


FUNDS_NOT_REQUIRED, AWAITING_REMITTANCE, REMITTED, RECEIVED, DISCREPANCY = (
    "not_required", "awaiting_remittance", "remitted", "received", "discrepancy",
)


def funds_status(*, required: bool, remitted_total: Decimal | None, received_total: Decimal) -> str:
    if not required:
        return FUNDS_NOT_REQUIRED
    if remitted_total is None:
        return AWAITING_REMITTANCE
    if received_total < remitted_total:
        return REMITTED
    return RECEIVED if received_total == remitted_total else DISCREPANCY


def funds_difference(received_total: Decimal, remitted_total: Decimal | None) -> Decimal:
    """received − remitted: negative while money is outstanding, positive for an excess."""
    return round_money(received_total - (remitted_total or Decimal(0)))


def credited_amount(received_total: Decimal, refunds_from_transfer: Iterable[Decimal]) -> Decimal:
    """What the destination credits: the money received less what it refunds the worker out of it
    (the released months of the origin's relationship, 人社部发〔2009〕187号)."""
    return round_money(received_total - money_sum(refunds_from_transfer))


def completion_funds_violation(status: str, expected_total: Decimal, remitted_total: Decimal | None,
                               received_total: Decimal) -> RuleViolation | None:
    """Why the funds stop `complete`, naming the difference; None when they are received or none move."""
    if status in (FUNDS_NOT_REQUIRED, RECEIVED):
        return None
    if status == AWAITING_REMITTANCE:
        return RuleViolation(
            _("The origin has not recorded its remittance of %(total)s yet; difference %(difference)s.") % {
                "total": expected_total, "difference": signed_money(-expected_total),
            },
            "funds_not_received",
        )
    difference = funds_difference(received_total, remitted_total)
    return RuleViolation(
        _("The receipts (%(received)s) do not add up to the remittance (%(remitted)s): difference %(difference)s.")
        % {"received": received_total, "remitted": remitted_total, "difference": signed_money(difference)},
        "funds_discrepancy" if difference > 0 else "funds_not_received",
    )
