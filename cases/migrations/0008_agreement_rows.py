"""Agreements become rows of their own, each with the assessment it froze (docs/domain.md §5)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_merge_20261201_1938'),
    ]

    operations = [
        migrations.AddField(
            model_name='transfercase',
            name='acceptance_code',
            field=models.CharField(blank=True, editable=False, max_length=16, null=True, unique=True, verbose_name='acceptance verification code'),
        ),
        migrations.CreateModel(
            name='Agreement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=32, unique=True, verbose_name='agreement number')),
                ('issued_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='issued at')),
                ('verification_code', models.CharField(max_length=16, unique=True, verbose_name='verification code')),
                ('frozen_assessment', models.JSONField(verbose_name='frozen assessment')),
                ('status', models.CharField(choices=[('valid', 'Valid'), ('void', 'Void')], default='valid', max_length=8, verbose_name='status')),
                ('voided_at', models.DateTimeField(blank=True, null=True, verbose_name='voided at')),
                ('void_reason', models.TextField(blank=True, verbose_name='reason it was voided')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agreements', to='cases.transfercase', verbose_name='case')),
                ('superseded_by', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='supersedes', to='cases.agreement', verbose_name='superseded by')),
            ],
            options={
                'verbose_name': 'transfer agreement',
                'verbose_name_plural': 'transfer agreements',
                'ordering': ['issued_at', 'id'],
                'indexes': [models.Index(fields=['case', 'issued_at'], name='cases_agree_case_id_4b13cd_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'valid')), fields=('case',), name='agreement_one_valid_per_case')],
            },
        ),
    ]
