from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.rules import NATIONAL_RATES_FROM
from regions.models import Province
from regions.services import credit_rate_set


class Command(BaseCommand):
    help = (
        "Set the credited interest rate of the personal account for a year, in percent (idempotent): the national "
        "rate, or with --province a province's own rate for a year before 2016."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("percent", help="e.g. 1.50 for 1.50%%")
        parser.add_argument("--source", default="", help="the ministry's notice")
        parser.add_argument("--province", default="", help="a province's two-digit code, e.g. 44 (years before 2016)")

    def handle(self, *args: object, **options: object) -> None:
        year = options["year"]
        try:
            percent = Decimal(str(options["percent"]))
        except InvalidOperation:
            raise CommandError("PERCENT must be a number such as 1.50") from None
        if percent.is_finite():
            percent = percent.quantize(Decimal("0.0001"))
        # The column is NUMERIC(6, 4): 100 itself does not fit (PostgreSQL refuses it with a numeric overflow).
        if not (1990 <= year <= 2100) or not percent.is_finite() or not (0 <= percent < 100):
            raise CommandError("YEAR must be 1990–2100 and PERCENT at least 0 and below 100")
        province = None
        if options["province"]:
            province = Province.objects.filter(code=str(options["province"]).strip()).first()
            if province is None:
                raise CommandError(f"No province has the code {options['province']!r}")
            if year >= NATIONAL_RATES_FROM:
                raise CommandError(f"From {NATIONAL_RATES_FROM} one national rate applies: leave out --province")
        rate = credit_rate_set(year=year, percent=percent, source=options["source"], province=province)
        where = f" {province.code} {province.name}" if province else ""
        self.stdout.write(self.style.SUCCESS(f"{rate.year}{where}: {rate.percent}%"))
