"""Agency API v1 (docs/api.md): thin views over the services and selectors.

Status codes come from the services' exceptions through sstransfer.api.exception_handler:
NotPermitted 403, StateConflict 409, RuleBlocked and BatchInvalid 400, Http404 404, TooManyAttempts 429.
"""

from __future__ import annotations

import math

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from cases import selectors, services
from cases.api import serializers as s
from cases.documents import acceptance_pdf, agreement_pdf, contact_letter_pdf
from cases.errors import StateConflict
from cases.models import TRANSITION_RULES, Actor, TransferCase, Worker, WorkerAccess
from cases.selectors.freshness import cached_counts
from cases.views.portal import client_address
from sstransfer.api import JSON_ONLY, Pagination

VALIDATION_ERROR = {"$ref": "#/components/schemas/ValidationError"}
ERROR = s.ErrorSerializer


def errors(*codes: int) -> dict[int, object]:
    """The documented refusals of an endpoint, each with its body."""
    descriptions = {
        400: _("Invalid input, or a rule blocks it; the message names the rule."),
        401: _("No token, or a bad one."),
        403: _("Your agency's side or your role may not do this, or you are no clerk of an agency."),
        404: _("Unknown, or not visible to you."),
        409: _("The case's state does not allow it, or a concurrent change won."),
        429: _("Too many failed attempts from your address within an hour."),
    }
    return {
        code: OpenApiResponse(VALIDATION_ERROR if code == 400 else ERROR, description=descriptions[code])
        for code in codes
    }


class IsAgencyClerk(permissions.BasePermission):
    """A clerk acts for the agency of their membership (docs/domain.md §3); a user without one may not act at all."""

    message = _("Only a clerk or supervisor of an agency may use this endpoint.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user.is_authenticated and Actor.for_user(request.user).agency_id is not None)


# OPTIONS is no documented method of the API: it answers 405 like any other, and Allow does not list it.
METHODS = ["get", "post", "head"]


def validated(serializer_class: type[serializers.Serializer], data: object) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ClerkView(generics.GenericAPIView):
    http_method_names = METHODS
    permission_classes = [IsAgencyClerk]

    def actor(self) -> Actor:
        return Actor.for_user(self.request.user)


class PublicView(generics.GenericAPIView):
    http_method_names = METHODS
    # No authentication at all: a stale token sent by habit must not turn a public answer into a 401.
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]


# Path parameters accept only plausible characters (cases/api/urls.py); anything else is a JSON 404.
REFERENCE_PATTERN = r"[0-9A-Za-z-]{1,32}"
ID_NUMBER_PATTERN = r"[0-9Xx]{1,18}"
TRANSITION_PATTERN = r"[a-z_]{1,32}"
# Codes are read forgivingly (cases/ids.py normalize_code): people type them with spaces and hyphens.
CODE_PATTERN = r"[0-9A-Za-z \-]{1,40}"


def path_parameter(name: str, pattern: str, description: str = "", **kwargs: object) -> OpenApiParameter:
    return OpenApiParameter(
        name, OpenApiTypes.STR, OpenApiParameter.PATH, description=description, pattern=f"^{pattern}$", **kwargs
    )


REFERENCE = path_parameter("reference", REFERENCE_PATTERN, _("The case reference, e.g. TR-2026-7K3M9Q."))
ID_NUMBER = path_parameter("id_number", ID_NUMBER_PATTERN, _("The worker's 18-character ID number."))
PERIOD_PATTERN = r"[0-9]{1,18}"
PERIOD = path_parameter("id", PERIOD_PATTERN, _("The period's id, from the contribution list."))


def record_access(request: Request, worker: Worker, what: str) -> None:
    """Every read of a full ID number or a contribution history leaves an access record (docs/api.md)."""
    services.worker_access_record(
        user=request.user, worker_id=worker.pk, what=what, ip=client_address(request), path=request.path
    )


def case_response(request: Request, reference: str, status_code: int = status.HTTP_200_OK) -> Response:
    """The case as docs/api.md shows it, read afresh: one fixed set of queries however long its history."""
    case = selectors.case_detail_for_user(request.user, reference)
    report = selectors.case_report(case)
    context = {
        "report": report,
        "available_transitions": selectors.available_transitions(case, Actor.for_user(request.user), report),
        "registered_name": selectors.registered_name(case),
    }
    return Response(s.CaseSerializer(case, context=context).data, status=status_code)


# --- auth ----------------------------------------------------------------------------------


class BoundedAuthTokenSerializer(AuthTokenSerializer):
    """A user name longer than any user's is a 400 here: django-axes would otherwise try to store it (255 chars)."""

    username = serializers.CharField(label=_("User name"), max_length=150, write_only=True)
    password = serializers.CharField(
        label=_("Password"), max_length=4096, style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )


class ObtainToken(ObtainAuthToken):
    """A token for a user name and password; wrong credentials are a 400, as docs/api.md says."""

    serializer_class = BoundedAuthTokenSerializer

    # Credentials travel in the body: an old token in the header must not stop a client from getting a new one.
    authentication_classes = ()
    # ObtainAuthToken brings DRF's plain parsers; ours refuse text the database cannot store.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    http_method_names = METHODS

    @extend_schema(
        tags=["auth"], summary=_("Exchange a user name and password for a token"),
        request=BoundedAuthTokenSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(VALIDATION_ERROR, description=_("Wrong credentials.")),
            429: OpenApiResponse(ERROR, description=_("Too many wrong passwords for this user name or address.")),
        },
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().post(request, *args, **kwargs)

    def get_serializer_context(self) -> dict[str, object]:
        # django-axes marks a locked sign-in on the request it is given; the middleware reads the Django one.
        return {**super().get_serializer_context(), "request": self.request._request}


# --- directory -------------------------------------------------------------------------------


@extend_schema(
    tags=["directory"], summary=_("The public directory of agencies"),
    parameters=[s.AgencyFilterSerializer], responses={200: s.AgencySerializer(many=True), **errors(400, 404)},
)
class AgencyListView(PublicView, generics.ListAPIView):
    serializer_class = s.AgencySerializer

    def get_queryset(self) -> QuerySet:
        data = validated(s.AgencyFilterSerializer, self.request.query_params)
        return selectors.agency_directory(
            province_code=data.get("province") or data.get("province_code") or "",
            city_code=data.get("city_code", ""), query=data.get("q", ""),
        )


# --- workers and contributions ---------------------------------------------------------------


class WorkerCreateView(ClerkView):
    @extend_schema(
        tags=["workers"], summary=_("Register a worker"),
        request=s.WorkerCreateSerializer, responses={201: s.WorkerSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.WorkerCreateSerializer, request.data)
        worker = services.worker_register(
            id_number=data["id_number"], name=data["name"], hukou_city=data["hukou_city_code"],
            phone=data.get("phone", ""), email=data.get("email", ""),
            registered_by_agency=request.user.membership.agency,
        )
        return Response(s.WorkerSerializer(worker).data, status=status.HTTP_201_CREATED)


class WorkerDetailView(ClerkView):
    @extend_schema(
        tags=["workers"], summary=_("A worker, with the benefit-receipt province and months per type"),
        description=_(
            "Only for an agency with a case of the worker, a period recorded in its city or that registered the "
            "worker; 404 otherwise. Each read is recorded."
        ),
        parameters=[ID_NUMBER], responses={200: s.WorkerDetailSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, id_number: str) -> Response:
        worker = selectors.get_worker_for_user(request.user, id_number)
        context = {"overview": selectors.worker_overview(worker)}
        record_access(request, worker, WorkerAccess.What.WORKER)
        return Response(s.WorkerDetailSerializer(worker, context=context).data)


class WorkerContributionsView(ClerkView, generics.ListAPIView):
    serializer_class = s.ContributionPeriodSerializer
    parser_classes = JSON_ONLY

    def get_queryset(self) -> QuerySet:
        filters = validated(s.ContributionFilterSerializer, self.request.query_params)
        worker = selectors.get_worker_for_user(self.request.user, self.kwargs["id_number"])
        record_access(self.request, worker, WorkerAccess.What.CONTRIBUTIONS)
        return selectors.worker_contributions(worker, filters.get("insurance_type", ""))

    @extend_schema(
        tags=["workers"], summary=_("A worker's contribution periods"),
        description=_("404 for a worker your agency may not read (see the worker). Each read is recorded."),
        parameters=[ID_NUMBER, s.ContributionFilterSerializer],
        responses={200: s.ContributionPeriodSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, id_number: str) -> Response:
        return self.list(request)

    @extend_schema(
        tags=["workers"], summary=_("Record contribution periods: all or nothing"),
        description=_(
            "A clerk records periods only for their own agency's city; recording one makes the worker readable "
            "by the agency. One bad row and nothing is stored: "
            "400 {\"records\": {\"<row index>\": {\"field\": [\"…\"]}}}. "
            "A worker's open case of the same type gets an event, and its agencies are told."
        ),
        parameters=[ID_NUMBER], request=s.ContributionBatchSerializer,
        responses={201: s.ContributionBatchResultSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, id_number: str) -> Response:
        worker = selectors.get_worker(id_number)
        data = validated(s.ContributionBatchSerializer, request.data)
        created = services.contributions_record(
            actor=self.actor(), worker=worker, records=data["records"], user=request.user
        )
        return Response({"created": len(created)}, status=status.HTTP_201_CREATED)


def _correction_body(request: Request) -> dict:
    """The body as sent: the service parses each field as a batch row's (a serializer would coerce "yes" to true)."""
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    return dict(request.data)


class ContributionPeriodView(ClerkView):
    http_method_names = ["patch", "delete"]
    parser_classes = JSON_ONLY

    @extend_schema(
        tags=["workers"], summary=_("Correct a contribution period, with a reason (settling arrears: paid=true)"),
        description=_(
            "A clerk of the city where the period was paid; 404 when the worker is not visible to you, 403 for "
            "another city, 409 while an issued agreement uses the period, 400 for what a batch row would be "
            "refused for. Every version is kept."
        ),
        parameters=[ID_NUMBER, PERIOD], request=s.ContributionCorrectionSerializer,
        responses={200: s.ContributionPeriodSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def patch(self, request: Request, id_number: str, id: str) -> Response:
        worker = selectors.get_worker_for_user(request.user, id_number)
        period = selectors.worker_period(worker, int(id))
        body = _correction_body(request)
        reason = body.pop("reason", "")
        services.contribution_correct(
            actor=self.actor(), worker=worker, period_id=period.pk, changes=body, reason=reason, user=request.user
        )
        return Response(s.ContributionPeriodSerializer(selectors.worker_contributions(worker).get(pk=period.pk)).data)

    @extend_schema(
        tags=["workers"], summary=_("Delete a contribution period recorded in error, with a reason"),
        description=_("Who may, and when: as for a correction. The period's versions stay, the deletion the last."),
        parameters=[ID_NUMBER, PERIOD], request=s.ReasonSerializer,
        responses={204: OpenApiResponse(description=_("Deleted.")), **errors(400, 401, 403, 404, 409)},
    )
    def delete(self, request: Request, id_number: str, id: str) -> Response:
        worker = selectors.get_worker_for_user(request.user, id_number)
        period = selectors.worker_period(worker, int(id))
        services.contribution_delete(
            actor=self.actor(), worker=worker, period_id=period.pk, reason=_correction_body(request).get("reason", ""),
            user=request.user,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContributionHistoryView(ClerkView):
    http_method_names = ["get", "head"]
    # docs/api.md: a plain list, oldest first; a period has a handful of versions, not pages of them.
    pagination_class = None

    @extend_schema(
        tags=["workers"], summary=_("Every version of a contribution period, oldest first"),
        description=_("Also for a deleted period. 404 for a worker your agency may not read. Each read is recorded."),
        parameters=[ID_NUMBER, PERIOD], responses={200: s.PeriodVersionSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: Request, id_number: str, id: str) -> Response:
        worker = selectors.get_worker_for_user(request.user, id_number)
        versions = selectors.period_versions(worker, int(id))
        record_access(request, worker, WorkerAccess.What.PERIOD_HISTORY)
        return Response(s.PeriodVersionSerializer(versions, many=True).data)


# --- cases -----------------------------------------------------------------------------------


class CaseListPagination(Pagination):
    """The contract's pages (docs/api.md) ({"count", "next", "previous", "results"}, ?page=N, 50 a page), read by keyset.

    `next` and `previous` carry the page number and a cursor (`after` or `before`: the sort values of the
    row at the page's edge), so following them costs the same at page 200 as at page 1. A page number alone
    is read by offset, up to COUNT_CAP rows deep. `count` is exact up to COUNT_CAP and says COUNT_CAP
    beyond it: counting a busy agency's every case on every page would cost more than the page.
    """

    COUNT_CAP = 10_000
    cursor_params = ("after", "before")

    def paginate_parts(self, parts: list, request: Request, *, whole_agency: int | None = None) -> list:
        """`whole_agency`: the parts are every case of that agency (no filter), whose count the cache may keep
        while none of them changes (cases/selectors/freshness.py)."""
        self.request = request

        def count() -> dict[str, selectors.BoundedCount]:
            return selectors.bounded_counts({"cases": parts}, self.COUNT_CAP)

        if not parts:
            counted = None
        elif whole_agency is None:
            counted = count()["cases"]
        else:
            counted = cached_counts(f"api-cases{self.COUNT_CAP}", whole_agency, None, timezone.localdate(), count)["cases"]
        self.count = counted.value if counted else 0
        number = request.query_params.get(self.page_query_param, "")
        if number not in self.last_page_strings:
            number = self.get_page_number(request, None)  # refuses what is no page number
        elif counted and counted.capped:
            raise exceptions.NotFound(_("Pages this deep are reached through the next links only."))
        else:
            number = max(1, math.ceil(self.count / self.page_size))
        number = int(number) if str(number).isdigit() and int(number) > 0 else 1
        after, before = (request.query_params.get(name, "") for name in self.cursor_params)
        if not (after or before) and (number - 1) * self.page_size >= self.COUNT_CAP:
            raise exceptions.NotFound(_("Pages this deep are reached through the next links only."))
        try:
            self.keyset = selectors.page(
                parts, selectors.CASE_LIST_ORDER, size=self.page_size, after=after, before=before, number=number
            )
        except selectors.BadCursor:
            field = "after" if after else "before"
            raise exceptions.ValidationError({field: [_("Follow the next and previous links as given.")]}) from None
        if not self.keyset.rows and number > 1 and not (after or before):
            raise exceptions.NotFound(_("Invalid page."))
        return self.keyset.rows

    def _link(self, number: int, **cursor: str) -> str:
        url = self.request.build_absolute_uri()
        for name in (self.page_query_param, *self.cursor_params):
            url = remove_query_param(url, name)
        if number == 1:
            return url
        url = replace_query_param(url, self.page_query_param, number)
        for name, value in cursor.items():
            url = replace_query_param(url, name, value)
        return url

    def get_paginated_response(self, data: list) -> Response:
        page = self.keyset
        return Response({
            "count": self.count,
            "next": self._link(page.number + 1, after=page.next_cursor) if page.has_next else None,
            "previous": self._link(page.number - 1, before=page.previous_cursor) if page.has_previous else None,
            "results": data,
        })

    def get_schema_operation_parameters(self, view: APIView) -> list[dict]:
        return [
            *super().get_schema_operation_parameters(view),
            *(
                {"name": name, "required": False, "in": "query", "schema": {"type": "string"},
                 "description": str(_("A cursor from the next or previous link; use the links as given."))}
                for name in self.cursor_params
            ),
        ]


class CaseListCreateView(ClerkView, generics.ListAPIView):
    serializer_class = s.CaseSummarySerializer
    pagination_class = CaseListPagination

    def get_queryset(self) -> QuerySet:
        # list() reads the agency's cases in parts; this only names the items' model to the browsable API.
        return TransferCase.objects.none()

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = validated(s.CaseFilterSerializer, request.query_params)
        parts = selectors.case_list(
            request.user, status=filters.get("status", ""), side=filters.get("side", ""),
            overdue={"true": True, "false": False}.get(filters.get("overdue", "")), q=filters.get("q", ""),
            search_limit=CaseListPagination.COUNT_CAP,
        )
        paginator = self.paginator
        filtered = any(filters.values())  # every field of CaseFilterSerializer narrows the list
        rows = paginator.paginate_parts(
            parts, request, whole_agency=None if filtered else Actor.for_user(request.user).agency_id
        )
        return paginator.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(
        tags=["cases"], summary=_("The cases of the caller's agency, at either end"),
        description=_(
            "Newest first. Follow `next` and `previous`: they carry a cursor and cost the same at any depth. "
            "`count` is exact up to 10,000 and says 10000 for a longer list."
        ),
        parameters=[s.CaseFilterSerializer],
        responses={200: s.CaseSummarySerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(
        tags=["cases"], summary=_("Open a case (lodge an application at either end)"),
        description=_(
            "400 when both agencies share the pooling area for the type, when the worker already has an open "
            "case of the type, or when the caller's agency is neither end."
        ),
        request=s.CaseCreateSerializer, responses={201: s.CaseSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.CaseCreateSerializer, request.data)
        case = services.case_open(
            actor=self.actor(), worker=data["worker"], insurance_type=data["insurance_type"],
            origin_agency=data["origin_agency"], destination_agency=data["destination_agency"],
            approved_transfer_reference=data["approved_transfer_reference"],
        )
        return case_response(request, case.reference, status.HTTP_201_CREATED)


class CaseDetailView(ClerkView):
    @extend_schema(
        tags=["cases"], summary=_("A case with its figures, available transitions and events"),
        parameters=[REFERENCE], responses={200: s.CaseSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        return case_response(request, reference)


class CaseTransitionView(ClerkView):
    @extend_schema(
        tags=["cases"], summary=_("Run a transition by name"),
        description=_(
            "403 when the caller's side or role may not run it (whatever the state), 409 when the state does not "
            "allow it or a concurrent change won, 400 when a reason is required and missing or a rule blocks it."
        ),
        parameters=[
            REFERENCE,
            path_parameter("name", TRANSITION_PATTERN, _("A transition name (docs/domain.md §3)."), enum=s.TRANSITION_NAMES),
        ],
        request=s.AcceptApplicationSerializer,
        responses={200: s.CaseSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str, name: str) -> Response:
        case = selectors.get_case_for_user(request.user, reference)
        if name not in TRANSITION_RULES:
            raise exceptions.ValidationError({"name": [_("Unknown transition “%(name)s”.") % {"name": name}]})
        if name == "accept_application":
            data = validated(s.AcceptApplicationSerializer, request.data)
            services.case_transition(
                case=case, actor=self.actor(), name=name, note=data["note"],
                identity_checked=data["identity_checked"], confirmed_name=data["confirmed_name"],
            )
        else:
            data = validated(s.TransitionSerializer, request.data)
            services.case_transition(case=case, actor=self.actor(), name=name, note=data["note"])
        return case_response(request, reference)


class DuplicatesResolveView(ClerkView):
    @extend_schema(
        tags=["cases"], summary=_("Record which relationship is kept for duplicated months (destination)"),
        parameters=[REFERENCE], request=s.DuplicateResolveSerializer,
        responses={200: s.CaseSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        case = selectors.get_case_for_user(request.user, reference)
        data = validated(s.DuplicateResolveSerializer, request.data)
        services.duplicates_resolve(
            case=case, actor=self.actor(), keep_city_code=data["keep_city_code"], user=request.user
        )
        return case_response(request, reference)


class RemittanceView(ClerkView):
    @extend_schema(
        tags=["cases"], summary=_("Record the origin's remittance of what moves (origin clerk or supervisor)"),
        description=_(
            "In agreement_issued or receiving, for a full transfer. 400 when the amounts differ from what moves (the "
            "message names the difference) or for a temporary account; 403 for the other side; 409 for a second "
            "remittance or another state."
        ),
        parameters=[REFERENCE], request=s.RemittanceCreateSerializer,
        responses={200: s.CaseSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        case = selectors.get_case_for_user(request.user, reference)
        data = validated(s.RemittanceCreateSerializer, request.data)
        services.remittance_record(case=case, actor=self.actor(), user=request.user, **data)
        return case_response(request, reference)


class ReceiptsView(ClerkView):
    @extend_schema(
        tags=["cases"], summary=_("Record funds received (destination clerk or supervisor)"),
        description=_(
            "In agreement_issued or receiving, after the remittance (409 before it); receipts add up. 403 for the "
            "other side."
        ),
        parameters=[REFERENCE], request=s.ReceiptCreateSerializer,
        responses={200: s.CaseSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request: Request, reference: str) -> Response:
        case = selectors.get_case_for_user(request.user, reference)
        data = validated(s.ReceiptCreateSerializer, request.data)
        services.receipt_record(case=case, actor=self.actor(), user=request.user, **data)
        return case_response(request, reference)


class JSONErrorsNegotiation(BaseContentNegotiation):
    """The PDF is returned as is; errors are JSON whatever the client's Accept header says."""

    def select_parser(self, request: Request, parsers: list) -> object:
        return parsers[0]

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        return renderers[0], renderers[0].media_type


class AgreementPdfView(ClerkView):
    content_negotiation_class = JSONErrorsNegotiation

    @extend_schema(
        tags=["cases"], summary=_("The transfer agreement as PDF (either side)"), operation_id="cases_agreement_pdf",
        parameters=[REFERENCE],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("The agreement.")),
            **errors(401, 403, 404),
            409: OpenApiResponse(ERROR, description=_("The agreement has not been issued yet.")),
        },
    )
    def get(self, request: Request, reference: str) -> HttpResponse:
        case = selectors.get_case_for_user(request.user, reference, selectors.case_document_queryset())
        agreement = case.latest_agreement
        if agreement is None:
            raise StateConflict(_("The agreement has not been issued yet."), "no_agreement")
        return _document(request, case, agreement_pdf(agreement, _verify_url(request, agreement.verification_code)),
                         agreement.number)


class AcceptancePdfView(ClerkView):
    content_negotiation_class = JSONErrorsNegotiation

    @extend_schema(
        tags=["cases"], summary=_("The acceptance confirmation as PDF (either side, once completed)"),
        operation_id="cases_acceptance_pdf", parameters=[REFERENCE],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("The confirmation.")),
            **errors(401, 403, 404),
        },
    )
    def get(self, request: Request, reference: str) -> HttpResponse:
        case = selectors.get_case_for_user(request.user, reference, selectors.case_document_queryset())
        agreement = case.current_agreement
        if case.confirmation_number is None or agreement is None:
            raise exceptions.NotFound(_("The case has not been completed."))
        content = acceptance_pdf(case, agreement, _verify_url(request, case.acceptance_code))
        return _document(request, case, content, case.confirmation_number)


def _verify_url(request: Request, code: str) -> str:
    return request.build_absolute_uri(reverse("cases:verify", args=[code]))


def _document(request: Request, case: TransferCase, content: bytes, number: str) -> HttpResponse:
    services.worker_access_record(
        user=request.user, worker_id=case.worker_id, what=WorkerAccess.What.DOCUMENT, ip=client_address(request),
        path=request.path, case_id=case.pk,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{number}.pdf"'
    return response


class ContactLetterPdfView(ClerkView):
    content_negotiation_class = JSONErrorsNegotiation

    @extend_schema(
        tags=["cases"], summary=_("The contact letter as PDF (either side)"), operation_id="cases_contact_letter_pdf",
        parameters=[REFERENCE],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_("The contact letter.")),
            **errors(401, 403, 404),
        },
        description=_("404 unless the case was lodged at the destination and accepted there."),
    )
    def get(self, request: Request, reference: str) -> HttpResponse:
        letter = selectors.contact_letter(selectors.get_case_for_user(request.user, reference))
        services.worker_access_record(
            user=request.user, worker_id=letter.case.worker_id, what=WorkerAccess.What.DOCUMENT,
            ip=client_address(request), path=request.path, case_id=letter.case.pk,
        )
        response = HttpResponse(contact_letter_pdf(letter), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{letter.case.reference}-contact-letter.pdf"'
        return response


# --- public: the worker's status, agreement verification -------------------------------------


class ApplicationCreateView(PublicView):
    @extend_schema(
        tags=["public"], summary=_("A worker applies online; the application waits in applied at the destination"),
        description=_(
            "Registers or changes no worker: a clerk of the destination accepts it after checking the identity "
            "document. 400 for bad input, a rule (no transfer needed, …) or a 4th open application for the ID "
            "number; 429 when the address has used up its attempts."
        ),
        request=s.ApplicationSerializer, responses={201: s.ApplicationCreatedSerializer, **errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.ApplicationSerializer, request.data)
        application = services.case_apply_online(
            id_number=data["id_number"], name=data["name"], hukou_city=data["hukou_city_code"], phone=data["phone"],
            email=data["email"], insurance_type=data["insurance_type"], origin_agency=data["origin_city_code"],
            destination_agency=data["destination_city_code"], client_address=client_address(request),
            act_url=request.build_absolute_uri(reverse("cases:act")),
        )
        body = {"reference": application.case.reference, "access_code": application.access_code,
                "status": application.case.status}
        return Response(s.ApplicationCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class StatusLookupView(PublicView):
    @extend_schema(
        tags=["public"], summary=_("A worker checks their case by reference and ID number"),
        description=_(
            "A wrong ID number and an unknown reference give the same 404. After 10 failed attempts from one "
            "address within an hour: 429, with Retry-After."
        ),
        parameters=[
            OpenApiParameter(
                "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429],
                description=_("Seconds until the address may try again."),
            ),
        ],
        request=s.StatusLookupSerializer, responses={200: s.StatusSerializer, **errors(400, 404, 429)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.StatusLookupSerializer, request.data)
        case = services.status_lookup(
            reference=data["reference"], id_number=data["id_number"], client_address=client_address(request),
        )
        if case is None:
            raise exceptions.NotFound(_("No case matches this reference and ID number."))
        context = {"timeline": selectors.case_timeline(case)}
        return Response(s.StatusSerializer(case, context=context).data)


class VerifyView(PublicView):
    @extend_schema(
        tags=["public"], summary=_("Check a transfer agreement by its verification code"),
        description=_(
            "An agreement (valid, or void with the number that superseded it) or an acceptance confirmation. "
            "The code is read forgivingly: any case, O for 0, I or L for 1, spaces and hyphens ignored."
        ),
        parameters=[path_parameter("verification_code", CODE_PATTERN, _("The code printed on the document."))],
        responses={200: s.VerificationSerializer, **errors(404)},
    )
    def get(self, request: Request, verification_code: str) -> Response:
        return Response(s.VerificationSerializer(selectors.agreement_check(verification_code)).data)
