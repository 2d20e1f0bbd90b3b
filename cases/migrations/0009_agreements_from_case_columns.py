"""Each issued agreement held in the case's columns becomes an Agreement row whose frozen assessment is the
codec's version 0 (rules.AssessmentCodec._decode_v0 reads it): the figures as they were frozen, nothing
recomputed. An agreement that return_to_origin had sent back is void, as it would be now."""

from django.db import migrations

# The states in which an issued agreement still stood (cases/models.py AGREEMENT_STATUSES).
STANDING = ("agreement_issued", "receiving", "completed")


def forward(apps, schema_editor):
    TransferCase = apps.get_model("cases", "TransferCase")
    Agreement = apps.get_model("cases", "Agreement")
    rows = []
    cases = TransferCase.objects.filter(agreement_number__isnull=False).order_by("pk")
    for case in cases.iterator(chunk_size=2000):
        detail = case.figures_detail or {}
        standing = case.status in STANDING
        rows.append(Agreement(
            case_id=case.pk, number=case.agreement_number, issued_at=case.agreement_issued_at,
            verification_code=case.verification_code, status="valid" if standing else "void",
            voided_at=None if standing else case.updated_at,
            frozen_assessment={
                "version": 0,
                "insurance_type": case.insurance_type,
                "outcome": case.outcome,
                "as_of": case.agreement_issued_at.date().isoformat(),
                "origin_province": "",
                "contribution_months": case.contribution_months,
                "pooled_fund_amount": None if case.pooled_fund_amount is None else str(case.pooled_fund_amount),
                "personal_account_principal": (
                    None if case.personal_account_principal is None else str(case.personal_account_principal)
                ),
                "personal_account_balance": (
                    None if case.personal_account_balance is None else str(case.personal_account_balance)
                ),
                "years": detail.get("years", []),
            },
        ))
        if len(rows) >= 2000:
            Agreement.objects.bulk_create(rows)
            rows = []
    Agreement.objects.bulk_create(rows)


def backward(apps, schema_editor):
    TransferCase = apps.get_model("cases", "TransferCase")
    Agreement = apps.get_model("cases", "Agreement")
    for agreement in Agreement.objects.order_by("case_id", "issued_at", "pk").iterator():
        data = agreement.frozen_assessment
        figures = data.get("figures", data)
        TransferCase.objects.filter(pk=agreement.case_id).update(
            agreement_number=agreement.number, agreement_issued_at=agreement.issued_at,
            verification_code=agreement.verification_code,
            contribution_months=figures.get("contribution_months"),
            pooled_fund_amount=figures.get("pooled_fund_amount"),
            personal_account_principal=figures.get("personal_account_principal"),
            personal_account_balance=figures.get("personal_account_balance"),
            figures_detail={"years": figures.get("years", [])},
        )


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0008_agreement_rows"),
    ]

    operations = [migrations.RunPython(forward, backward)]
