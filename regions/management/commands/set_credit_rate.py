from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regions.services import credit_rate_set


class Command(BaseCommand):
    help = "Set the national credited interest rate of the personal account for a year, in percent (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("percent", help="e.g. 1.50 for 1.50%%")
        parser.add_argument("--source", default="", help="the ministry's notice")

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
        rate = credit_rate_set(year=year, percent=percent, source=options["source"])
        self.stdout.write(self.style.SUCCESS(f"{rate.year}: {rate.percent}%"))
