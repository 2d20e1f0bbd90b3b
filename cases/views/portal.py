"""Public pages for insured workers: no sign-in, no personal data beyond the masked ID."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import selectors, services
from cases.errors import CaseError, RuleBlocked
from cases.models import TransferCase
from cases.portal_forms import (
    AccessForm,
    AgencySearchForm,
    ApplyForm,
    LookupForm,
    MaterialForm,
    ProvideInfoForm,
    VerifyForm,
)
from cases.services import TooManyAttempts

# Which field a refusal of case_open is about, so the message lands next to it.
RULE_FIELDS = {
    "same_pooling_area": "destination_city",
    "same_agency": "destination_city",
    "already_open": "insurance_type",
    "too_many_applications": "id_number",
    "insurance_type": "insurance_type",
}
UNLOCKED_CASE = "portal_case"
ISSUED_CODE = "portal_issued"
# How long the reference, ID number and access code, once checked, keep a case open in this browser.
UNLOCK_SECONDS = 30 * 60
AGENCIES_PER_PAGE = 30


def client_address(request: HttpRequest) -> str:
    """The address the rate limit counts: the one the nearest trusted proxy saw, else the peer's."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.NUM_PROXIES and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        return addresses[-min(settings.NUM_PROXIES, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


def _refused(request: HttpRequest, template: str, context: dict[str, object], refused: TooManyAttempts) -> HttpResponse:
    return render(request, template, {**context, "retry_at": refused.retry_at}, status=429)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"step_days": selectors.step_days_explained()})


@never_cache
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "portal/status.html", {"form": LookupForm()})
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/status.html", {"form": form})
    try:
        case = services.status_lookup(**form.cleaned_data, client_address=client_address(request))
    except TooManyAttempts as refused:
        return _refused(request, "portal/status.html", {"form": LookupForm()}, refused)
    if case is None:
        # A fresh form: echoing what was typed would tell a wrong ID number from an unknown reference.
        return render(request, "portal/status.html", {"form": LookupForm(), "not_found": True})
    return render(request, "portal/status_result.html", {"progress": selectors.worker_progress(case)})


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    every_city, served_cities = selectors.city_choices()
    form = ApplyForm(request.POST or None, every_city=every_city, served_cities=served_cities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.case_apply_online(
                id_number=data["id_number"], name=data["name"], hukou_city=data["hukou_city"], phone=data["phone"],
                email=data["email"], insurance_type=data["insurance_type"], origin_agency=data["origin_city"],
                destination_agency=data["destination_city"], client_address=client_address(request),
                act_url=request.build_absolute_uri(reverse("cases:act")),
            )
        except TooManyAttempts as refused:
            return _refused(request, "portal/apply.html", {"form": form}, refused)
        except RuleBlocked as blocked:
            form.add_error(RULE_FIELDS.get(blocked.code), blocked.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Kept for exactly one page view: never in a URL, never shown again.
            request.session[ISSUED_CODE] = {
                "reference": application.case.reference, "access_code": application.access_code,
            }
            return redirect("cases:apply_done")
    return render(request, "portal/apply.html", {"form": form})


@never_cache
@require_GET
def apply_done(request: HttpRequest) -> HttpResponse:
    issued = request.session.pop(ISSUED_CODE, None)
    if issued is None:
        messages.info(request, _("The access code is shown only once. You find it in the e-mail we sent you."))
        return redirect("cases:act")
    return render(request, "portal/apply_done.html", issued)


def _unlocked_case(request: HttpRequest) -> TransferCase | None:
    unlocked = request.session.get(UNLOCKED_CASE)
    if not unlocked or unlocked["until"] < timezone.now().timestamp():
        request.session.pop(UNLOCKED_CASE, None)
        return None
    return selectors.worker_case(unlocked["case"])


@never_cache
@require_http_methods(["GET", "POST"])
def act(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "portal/act.html", {"form": AccessForm()})
    form = AccessForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/act.html", {"form": form})
    try:
        case = services.case_worker_access(**form.cleaned_data, client_address=client_address(request))
    except TooManyAttempts as refused:
        return _refused(request, "portal/act.html", {"form": AccessForm()}, refused)
    if case is None:
        return render(request, "portal/act.html", {"form": AccessForm(), "not_found": True})
    # A new session key on unlocking, so a key planted before cannot ride along.
    request.session.cycle_key()
    request.session[UNLOCKED_CASE] = {"case": case.pk, "until": timezone.now().timestamp() + UNLOCK_SECONDS}
    return redirect("cases:act_case")


def _expired(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("For your privacy the case was closed after a while; enter your details again."))
    return redirect("cases:act")


def _act_page(
    request: HttpRequest, case: TransferCase, *, answer: ProvideInfoForm | None = None,
    material: MaterialForm | None = None, status: int = 200,
) -> HttpResponse:
    """The worker's case: where it stands, the one form that fits its state, and what they sent so far."""
    progress = selectors.worker_progress(case)
    sent = selectors.worker_sent(case)
    answering = "provide_info" in progress.worker_actions
    return render(request, "portal/act_case.html", {
        "progress": progress,
        "sent": sent,
        # A request waiting for an answer takes the documents with the answer; else they may come at any open step.
        "form": (answer or ProvideInfoForm()) if answering else None,
        "material_form": (material or MaterialForm()) if sent.may_add and not answering else None,
    }, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def act_case(request: HttpRequest) -> HttpResponse:
    case = _unlocked_case(request)
    if case is None:
        return _expired(request)
    if request.method == "GET":
        return _act_page(request, case)
    if "provide_info" not in selectors.worker_progress(case).worker_actions:
        # A page left open while the agency went on: the answer has nowhere to go now.
        messages.error(request, _("No information is requested on this case now; send documents below instead."))
        return redirect("cases:act_case")
    form = ProvideInfoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _act_page(request, case, answer=form, status=400)
    try:
        services.case_worker_provide_info(
            case=case, note=form.cleaned_data["note"], files=form.cleaned_data["attachments"]
        )
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you. Your answer has been sent to %(agency)s.")
                         % {"agency": case.origin_agency.name})
    return redirect("cases:act_case")


@never_cache
@require_POST
def act_material(request: HttpRequest) -> HttpResponse:
    case = _unlocked_case(request)
    if case is None:
        return _expired(request)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        return _act_page(request, case, material=form, status=400)
    try:
        services.case_worker_add_material(
            case=case, note=form.cleaned_data["note"], files=form.cleaned_data["attachments"]
        )
    except CaseError as error:
        messages.error(request, error.message)
    else:
        holder = selectors.worker_progress(case).holder or case.origin_agency
        messages.success(request, _("Thank you. Your documents have been sent to %(agency)s.") % {"agency": holder.name})
    return redirect(f"{reverse('cases:act_case')}#sent-heading")


@never_cache
@require_GET
def act_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the worker's own documents, back to them while the case is unlocked in this browser."""
    case = _unlocked_case(request)
    if case is None:
        return _expired(request)
    found = selectors.worker_file(case, pk)
    # Always a download with the type sniffed on upload: the browser never renders an upload inline.
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.original_name,
                        content_type=found.content_type)


@never_cache
@require_http_methods(["GET", "POST"])
def act_withdraw(request: HttpRequest) -> HttpResponse:
    case = _unlocked_case(request)
    if case is None:
        return _expired(request)
    progress = selectors.worker_progress(case)
    if "withdraw" not in progress.worker_actions:
        messages.error(request, _("This application can no longer be withdrawn."))
        return redirect("cases:act_case")
    if request.method == "POST":
        try:
            services.case_worker_withdraw(case=case, language=translation.get_language() or settings.LANGUAGE_CODE)
        except CaseError as error:
            messages.error(request, error.message)
            return redirect("cases:act_case")
        return redirect("cases:act_withdrawn")
    return render(request, "portal/act_withdraw.html", {"progress": progress})


@never_cache
@require_GET
def act_withdrawn(request: HttpRequest) -> HttpResponse:
    """The confirmation after withdrawing; the case itself says so, so a reload shows it again."""
    case = _unlocked_case(request)
    if case is None:
        return _expired(request)
    withdrawal = selectors.worker_withdrawal(case)
    if withdrawal is None:
        return redirect("cases:act_case")
    return render(request, "portal/act_withdrawn.html", {
        "progress": selectors.worker_progress(case), "withdrawn_at": withdrawal.at, "emailed": bool(case.contact_email),
    })


@require_POST
def act_leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(UNLOCKED_CASE, None)
    messages.info(request, _("You have closed your case on this device."))
    return redirect("cases:home")


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        return redirect("cases:verify", code=form.cleaned_data["code"])
    return render(request, "portal/verify_form.html", {"form": form})


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    try:
        agreement = selectors.agreement_check(code)
    except Http404:
        # Whoever scans a forged or mistyped code is told so plainly, not shown "page not found".
        return render(request, "portal/verify_unknown.html", {"code": code, "form": VerifyForm()}, status=404)
    return render(request, "portal/verify.html", {"agreement": agreement})


@require_GET
def agencies(request: HttpRequest) -> HttpResponse:
    provinces = [(p.code, p.name) for p in selectors.provinces()]
    form = AgencySearchForm(request.GET, provinces=provinces)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.agency_directory(query=filters.get("q", ""), province_code=filters.get("province", ""))
    page = Paginator(found, AGENCIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/agencies.html", {"form": form, "page": page})
