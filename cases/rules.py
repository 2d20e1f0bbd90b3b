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
                if months is None or month in months:
                    credits[month // 12] += period.credit_for(month)
    return dict(credits)


def personal_account_principal(periods: Iterable[Period]) -> Decimal:
    return round_money(sum(credits_by_year(periods).values(), Decimal(0)))


# From 2016 one national credited rate applies (人社厅发〔2017〕71号); before, each province set its own.
NATIONAL_RATE_FROM = 2016


def province_rates(national: Rates, provincial: Rates) -> dict[int, Decimal]:
    """A province's rates: its own rows for the years before 2016, the national rows otherwise and as fallback."""
    return {**national, **{year: rate for year, rate in provincial.items() if year < NATIONAL_RATE_FROM}}


def missing_rates(credits: Mapping[int, Decimal], rates: Rates, until_year: int) -> tuple[int, ...]:
    if not credits:
        return ()
    return tuple(y for y in range(min(credits), until_year) if y not in rates)


def missing_rate_violation(year: int) -> RuleViolation:
    return RuleViolation(
        _("The credited interest rate for %(year)s is missing; an administrator must enter it.") % {"year": year},
        "missing_credit_rate",
    )


def account_balance(credits: Mapping[int, Decimal], rates: Rates, until_year: int) -> tuple[Decimal, list[YearLine]]:
    """B_y = B_{y-1}(1+r_y) + C_y(1 + r_y·1.083/2) for each complete year before `until_year`.

    Credits of `until_year` (and later) move without interest. Raises RuleViolation
    naming the first year whose credited rate is missing.
    """
    missing = missing_rates(credits, rates, until_year)
    if missing:
        raise missing_rate_violation(missing[0])
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


def transfer_outcome(
    *,
    insurance_type: str,
    destination_province: str,
    hukou_province: str,
    gender: str,
    birth_date: dt.date,
    application_date: dt.date,
    approved_transfer_reference: str = "",
) -> Outcome:
    """66号 Art. 5: older workers moving away from their hukou province keep the relationship at the origin."""
    if insurance_type != PENSION:
        return Outcome(FULL_TRANSFER, "")
    if destination_province == hukou_province:
        return Outcome(FULL_TRANSFER, _("Return to the hukou province: the relationship and its funds move."))
    if approved_transfer_reference.strip():
        return Outcome(
            FULL_TRANSFER,
            _("Transfer approved by an organisation or HR department (%(reference)s): the relationship moves.")
            % {"reference": approved_transfer_reference.strip()},
        )
    age = age_on(birth_date, application_date)
    limit = MALE_AGE_LIMIT if gender == "male" else FEMALE_AGE_LIMIT
    if age >= limit:
        return Outcome(
            TEMPORARY_ACCOUNT,
            _(
                "Aged %(age)s on the application date (limit %(limit)s) and moving outside the hukou province: "
                "the relationship stays at the origin and the destination opens a temporary contribution account; "
                "no funds move."
            ) % {"age": age, "limit": limit},
        )
    return Outcome(FULL_TRANSFER, "")


def medical_account_note(*, destination_province: str, hukou_province: str, nonhukou_account: bool) -> str:
    """Where the destination's policy gives workers from elsewhere no medical personal account."""
    if nonhukou_account or destination_province == hukou_province:
        return ""
    return _(
        "The destination opens no medical personal account for workers whose hukou is elsewhere: "
        "the personal account balance is paid to the worker instead of moving."
    )


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
    return sorted(found, key=lambda d: (d.first_month, d.first_city, d.second_city))


def duplicate_refund(
    released_periods: Sequence[Period], first_month: int, last_month: int, rates: Rates, year: int
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
    balance, _lines = account_balance(credits, rates, year)
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


def require_no_arrears(origin_periods: Iterable[Period]) -> None:
    owed = arrears(origin_periods)
    if owed:
        ranges = ", ".join(f"{month_label(a.first_month)}–{month_label(a.last_month)}" for a in owed)
        raise RuleViolation(
            _("Contributions are unpaid at the origin (%(ranges)s); settle the arrears before the agreement.")
            % {"ranges": ranges},
            "arrears",
        )


def require_rates(figures: Figures) -> None:
    if figures.missing_rate_years:
        raise missing_rate_violation(figures.missing_rate_years[0])


def require_minimum_months(destination_months: int, minimum: int) -> None:
    if destination_months < minimum:
        raise RuleViolation(
            _("The destination requires %(minimum)s months contributed there before a transfer in; "
              "%(months)s recorded.") % {"minimum": minimum, "months": destination_months},
            "minimum_months",
        )


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


# --- funds transfer and reconciliation (§5) --------------------------------------------------


@dataclass(frozen=True)
class Transfer:
    """What moves under an agreement: the two rounded parts and their sum; nothing for a temporary account."""

    pooled_fund: Decimal
    personal_account: Decimal
    total: Decimal
    temporary_account: bool

    @property
    def funds_required(self) -> bool:
        """A remittance is recorded only when money moves (unemployment moves months only)."""
        return not self.temporary_account and self.total > 0


def transfer(pooled_fund: Decimal | None, personal_account: Decimal | None, *, temporary_account: bool) -> Transfer:
    if temporary_account:
        zero = Decimal("0.00")
        return Transfer(zero, zero, zero, True)
    pooled = round_money(pooled_fund or Decimal(0))
    personal = round_money(personal_account or Decimal(0))
    return Transfer(pooled, personal, pooled + personal, False)


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
