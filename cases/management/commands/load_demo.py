from django.core.management.base import BaseCommand

from cases.demo import DEMO_ACCESS_CODE, DEMO_PASSWORD, demo_act_case, demo_load


class Command(BaseCommand):
    help = (
        "Load regions, the demo users (password demo-pass-2026) and some twenty cases in every state, "
        "spread over the last 90 days; idempotent."
    )

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
        case = demo_act_case()
        if case is not None:
            self.stdout.write(
                f"The worker's view: /act/ with reference {case.reference}, ID number {case.worker.id_number} "
                f"and access code {DEMO_ACCESS_CODE}."
            )
