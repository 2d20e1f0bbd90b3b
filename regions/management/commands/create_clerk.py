from django.core.management.base import BaseCommand, CommandError, CommandParser

from regions.models import Agency, AgencyMembership
from regions.services import clerk_create


class Command(BaseCommand):
    help = "Create or update an agency clerk or supervisor (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="agency code, e.g. 440300")
        parser.add_argument("--role", choices=AgencyMembership.Role.values, default=AgencyMembership.Role.CLERK)
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args: object, **options: str) -> None:
        try:
            agency = Agency.objects.get(code=options["agency"])
        except Agency.DoesNotExist:
            raise CommandError(f"Unknown agency code {options['agency']}; run load_regions first.") from None
        clerk_create(
            username=options["username"], agency=agency, role=options["role"], password=options["password"],
            email=options["email"],
        )
        self.stdout.write(self.style.SUCCESS(f"{options['username']}: {options['role']} at {agency.code} {agency.name}"))
