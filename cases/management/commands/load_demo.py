from django.core.management.base import BaseCommand

from cases.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load regions, the demo users (password demo-pass-2026) and a dozen cases in every state; idempotent."

    def handle(self, *args: object, **options: object) -> None:
        created = demo_load()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {created} cases."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write(
            "Sign in as origin_clerk, origin_supervisor (Shenzhen 440300), dest_clerk, dest_supervisor "
            f"(Chengdu 510100) or admin, password {DEMO_PASSWORD}."
        )
