import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from cases.services.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Remind the agency whose turn it is of due dates: three working days before, and once missed. "
        "Run it daily; a reminder is never sent twice, so a re-run is harmless."
    )

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("--today", help="Run as on this date (YYYY-MM-DD), e.g. to catch up; default today.")

    def handle(self, *args: object, **options: object) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today takes a date as YYYY-MM-DD.") from None
        sent = reminders_send(today=today)
        self.stdout.write(f"Reminders sent: {sent['due_soon']} due soon, {sent['missed']} missed.")
