"""Existing rows under this round's rules: who registered each worker, phone numbers in E.164, a first version
for every period recorded before versions were kept."""

import phonenumbers
from django.db import migrations


def registered_by(apps, schema_editor):
    # The agency where the worker's first case was lodged registered them there (the clerk intake registers and
    # opens in one visit); failing a case, the agency of whoever recorded their first period. Online applicants
    # and workers known only from imports stay without one.
    Worker = apps.get_model("cases", "Worker")
    TransferCase = apps.get_model("cases", "TransferCase")
    ContributionPeriod = apps.get_model("cases", "ContributionPeriod")
    AgencyMembership = apps.get_model("regions", "AgencyMembership")
    memberships = dict(AgencyMembership.objects.values_list("user_id", "agency_id"))
    first_counter_case = {}
    for worker_id, agency_id in (
        TransferCase.objects.filter(channel="counter").order_by("-created_at").values_list("worker_id", "lodged_at_id")
    ):
        first_counter_case[worker_id] = agency_id
    first_recorder = {}
    for worker_id, user_id in (
        ContributionPeriod.objects.filter(recorded_by__isnull=False).order_by("-recorded_at")
        .values_list("worker_id", "recorded_by_id")
    ):
        if user_id in memberships:
            first_recorder[worker_id] = memberships[user_id]
    for worker in Worker.objects.filter(registered_by_agency__isnull=True).only("pk"):
        agency_id = first_counter_case.get(worker.pk) or first_recorder.get(worker.pk)
        if agency_id:
            Worker.objects.filter(pk=worker.pk).update(registered_by_agency_id=agency_id)


def phones_in_e164(apps, schema_editor):
    # A number the library cannot read stays as typed: an administrator corrects it when next editing the worker.
    Worker = apps.get_model("cases", "Worker")
    for pk, raw in Worker.objects.exclude(phone="").values_list("pk", "phone"):
        try:
            number = phonenumbers.parse(str(raw), "CN")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            Worker.objects.filter(pk=pk).update(
                phone=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            )


def first_versions(apps, schema_editor):
    ContributionPeriod = apps.get_model("cases", "ContributionPeriod")
    Historical = apps.get_model("cases", "HistoricalContributionPeriod")
    versioned = set(Historical.objects.values_list("id", flat=True).distinct())
    Historical.objects.bulk_create(
        [
            Historical(
                id=period.pk, worker_id=period.worker_id, insurance_type=period.insurance_type, city_id=period.city_id,
                start_month=period.start_month, end_month=period.end_month, monthly_base=period.monthly_base,
                personal_account_credit=period.personal_account_credit, paid=period.paid,
                recorded_by_id=period.recorded_by_id, recorded_at=period.recorded_at, locked=period.locked,
                history_date=period.recorded_at, history_user_id=period.recorded_by_id, history_type="+",
                history_change_reason="",
            )
            for period in ContributionPeriod.objects.iterator()
            if period.pk not in versioned
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_period_history_worker_access_record"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(registered_by, migrations.RunPython.noop),
        migrations.RunPython(phones_in_e164, migrations.RunPython.noop),
        migrations.RunPython(first_versions, migrations.RunPython.noop),
    ]
