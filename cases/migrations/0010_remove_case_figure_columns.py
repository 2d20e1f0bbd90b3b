"""The case's figure and agreement columns, now held by its Agreement rows (0009 moved them)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0009_agreements_from_case_columns"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='transfercase',
            name='agreement_issued_at',
        ),
        migrations.RemoveField(
            model_name='transfercase',
            name='agreement_number',
        ),
        migrations.RemoveField(
            model_name='transfercase',
            name='contribution_months',
        ),
        migrations.RemoveField(
            model_name='transfercase',
            name='figures_detail',
        ),
        migrations.RemoveField(
            model_name='transfercase',
            name='personal_account_balance',
        ),
        migrations.RemoveField(
            model_name='transfercase',
            name='personal_account_principal',
        ),
        migrations.RemoveField(
            model_name='transfercase',
            name='pooled_fund_amount',
        ),
        migrations.RemoveField(
            model_name='transfercase',
            name='verification_code',
        ),
    ]
