from django.core.management.base import BaseCommand

from regions.services import regions_load


class Command(BaseCommand):
    help = "Load provinces, prefecture cities (GB/T 2260), one agency per city and the national credit rates."

    def handle(self, *args: object, **options: object) -> None:
        counts = regions_load()
        self.stdout.write(self.style.SUCCESS(
            f"{counts['provinces']} provinces, {counts['cities']} cities and agencies, {counts['rates']} credit rates."
        ))
