"""Paths of docs/api.md, without trailing slashes as the contract writes them."""

from django.urls import path, re_path

from cases.api import views

REFERENCE = rf"(?P<reference>{views.REFERENCE_PATTERN})"
ID_NUMBER = rf"(?P<id_number>{views.ID_NUMBER_PATTERN})"

urlpatterns = [
    path("agencies", views.AgencyListView.as_view(), name="api-agencies"),
    path("workers", views.WorkerCreateView.as_view(), name="api-workers"),
    re_path(rf"^workers/{ID_NUMBER}$", views.WorkerDetailView.as_view(), name="api-worker"),
    re_path(rf"^workers/{ID_NUMBER}/contributions$", views.WorkerContributionsView.as_view(), name="api-contributions"),
    re_path(
        rf"^workers/{ID_NUMBER}/contributions/(?P<id>{views.PERIOD_PATTERN})$", views.ContributionPeriodView.as_view(),
        name="api-contribution",
    ),
    re_path(
        rf"^workers/{ID_NUMBER}/contributions/(?P<id>{views.PERIOD_PATTERN})/history$",
        views.ContributionHistoryView.as_view(), name="api-contribution-history",
    ),
    path("cases", views.CaseListCreateView.as_view(), name="api-cases"),
    re_path(rf"^cases/{REFERENCE}$", views.CaseDetailView.as_view(), name="api-case"),
    re_path(
        rf"^cases/{REFERENCE}/transitions/(?P<name>{views.TRANSITION_PATTERN})$", views.CaseTransitionView.as_view(),
        name="api-transition",
    ),
    re_path(rf"^cases/{REFERENCE}/duplicates/resolve$", views.DuplicatesResolveView.as_view(), name="api-duplicates"),
    re_path(rf"^cases/{REFERENCE}/remittance$", views.RemittanceView.as_view(), name="api-remittance"),
    re_path(rf"^cases/{REFERENCE}/receipts$", views.ReceiptsView.as_view(), name="api-receipts"),
    re_path(rf"^cases/{REFERENCE}/agreement\.pdf$", views.AgreementPdfView.as_view(), name="api-agreement"),
    path("applications", views.ApplicationCreateView.as_view(), name="api-applications"),
    re_path(
        rf"^cases/{REFERENCE}/contact-letter\.pdf$", views.ContactLetterPdfView.as_view(), name="api-contact-letter"
    ),
    re_path(rf"^cases/{REFERENCE}/acceptance\.pdf$", views.AcceptancePdfView.as_view(), name="api-acceptance"),
    path("status", views.StatusLookupView.as_view(), name="api-status"),
    re_path(rf"^verify/(?P<verification_code>{views.CODE_PATTERN})$", views.VerifyView.as_view(), name="api-verify"),
]
