from django.urls import path

from cases import views
from cases.views import clerk, portal

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    # The public worker portal.
    path("status/", portal.status, name="status"),
    path("apply/", portal.apply, name="apply"),
    path("apply/done/", portal.apply_done, name="apply_done"),
    path("act/", portal.act, name="act"),
    path("act/case/", portal.act_case, name="act_case"),
    path("act/material/", portal.act_material, name="act_material"),
    path("act/attachments/<int:pk>/", portal.act_attachment, name="act_attachment"),
    path("act/withdraw/", portal.act_withdraw, name="act_withdraw"),
    path("act/withdrawn/", portal.act_withdrawn, name="act_withdrawn"),
    path("act/leave/", portal.act_leave, name="act_leave"),
    path("verify/", portal.verify_form, name="verify_form"),
    path("verify/<str:code>/", portal.verify, name="verify"),
    path("agencies/", portal.agencies, name="agencies"),
    # Clerk workspace
    path("worklist.csv", clerk.worklist_export, {"extension": "csv"}, name="worklist_csv"),
    path("worklist.xlsx", clerk.worklist_export, {"extension": "xlsx"}, name="worklist_xlsx"),
    path("cases/new/", clerk.intake, name="intake"),
    path("cases/<str:reference>/", clerk.detail, name="detail"),
    path("cases/<str:reference>/transitions/<str:name>/", clerk.transition, name="transition"),
    path("cases/<str:reference>/duplicates/<int:pk>/resolve/", clerk.resolve_duplicate, name="resolve_duplicate"),
    path("cases/<str:reference>/remittance/", clerk.record_remittance, name="record_remittance"),
    path("cases/<str:reference>/receipts/", clerk.record_receipt, name="record_receipt"),
    path("cases/<str:reference>/notes/", clerk.add_note, name="add_note"),
    path("cases/<str:reference>/assign/", clerk.assign, name="assign"),
    path("cases/<str:reference>/print/", clerk.case_print, name="print"),
    path("cases/<str:reference>/attachments/", clerk.add_attachment, name="add_attachment"),
    path("cases/<str:reference>/attachments/<int:pk>/", clerk.attachment, name="attachment"),
    path("cases/<str:reference>/worker-id/", clerk.reveal_id, name="reveal_id"),
    path("cases/<str:reference>/access-code/", clerk.issue_access_code, name="issue_access_code"),
    path("cases/<str:reference>/agreement.pdf", clerk.agreement_pdf, name="agreement_pdf"),
    path("cases/<str:reference>/contact-letter.pdf", clerk.contact_letter_pdf, name="contact_letter_pdf"),
    path("cases/<str:reference>/acceptance.pdf", clerk.acceptance_pdf, name="acceptance_pdf"),
    path("cases/<str:reference>/contributions/", clerk.contributions, name="contributions"),
    path("cases/<str:reference>/contributions/add/", clerk.add_period, name="add_period"),
    path("cases/<str:reference>/contributions/upload/", clerk.upload_periods, name="upload_periods"),
    path("cases/<str:reference>/contributions/<int:pk>/correct/", clerk.correct_period, name="correct_period"),
    path("cases/<str:reference>/contributions/<int:pk>/delete/", clerk.delete_period, name="delete_period"),
    path("contributions-template.csv", clerk.contributions_template, {"extension": "csv"}, name="contributions_template"),
    path("contributions-template.xlsx", clerk.contributions_template, {"extension": "xlsx"},
         name="contributions_template_xlsx"),
    path("dashboard/", clerk.dashboard, name="dashboard"),
    path("dashboard/export.csv", clerk.dashboard_csv, name="dashboard_csv"),
]
