"""Pages for agency clerks; every page requires a signed-in clerk of an agency."""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases import documents, exports, selectors, services
from cases.errors import BatchInvalid, CaseError, NotPermitted, RuleBlocked
from cases.filters import WorklistFilter, chosen_order
from cases.forms import (
    AssignForm,
    AttachmentForm,
    CaseOpenForm,
    ContributionCorrectionForm,
    ContributionDeleteForm,
    ContributionPeriodForm,
    ContributionUploadForm,
    DuplicateResolveForm,
    NoteForm,
    ReceiptForm,
    RemittanceForm,
    TransitionForm,
    WorkerLookupForm,
    WorkerRegisterForm,
)
from cases.ids import parse_id_number
from cases.models import (
    TRANSITION_RULES,
    Actor,
    CaseStatus,
    ContributionPeriod,
    Side,
    TransferCase,
    Worker,
    WorkerAccess,
    actor_may,
)
from cases.people import person_name
from cases.selectors.funds import case_ledger
from cases.tables import COLUMNS, TEMPLATE_LANGUAGES, template_csv, template_xlsx
from cases.views.portal import client_address
from regions.directory import agencies_by_id
from regions.models import AgencyMembership

audit_log = logging.getLogger("sstransfer.audit")


def clerk_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and a member of an agency; the membership is loaded once, with its agency."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Loaded with the user (sstransfer.auth_backends.MemberModelBackend); its agency, with the agency's city and
        # province, from the process's directory.
        membership = getattr(request.user, "membership", None)
        if membership is None:
            return render(request, "cases/no_agency.html", status=403)
        membership.agency = agencies_by_id({membership.agency_id})[membership.agency_id]
        # The navigation's unread count: counted only by a page that draws it (the worklist puts its own, counted
        # with the tabs, in its place).
        request.inbox_unread = SimpleLazyObject(partial(
            selectors.unread_count, membership.agency_id, request.user.pk, timezone.localdate(),
            selectors.WORKLIST_COUNT_CAP,
        ))
        return view(request, *args, **kwargs)

    return wrapper


def supervisor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @clerk_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.membership.role != AgencyMembership.Role.SUPERVISOR:
            raise PermissionDenied(_("Only supervisors see the dashboard."))
        return view(request, *args, **kwargs)

    return wrapper


# --- worklist --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorklistRow:
    case: TransferCase
    outgoing: bool
    our_turn: bool
    days_left: int | None
    overdue: bool
    unread: bool = False


def _worklist_rows(request: HttpRequest, cases: list[TransferCase], today: dt.date) -> list[WorklistRow]:
    agency_id = request.user.membership.agency_id
    days = selectors.workdays_left((case.due_date for case in cases), today)
    unread = selectors.unread_among(request.user.pk, cases, today)
    return [
        WorklistRow(
            case=case, outgoing=case.origin_agency_id == agency_id, our_turn=case.awaits(agency_id),
            days_left=days.get(case.due_date), overdue=case.is_overdue(today), unread=case.pk in unread,
        )
        for case in cases
    ]


def _worklist_query(request: HttpRequest) -> tuple[selectors.Tab, selectors.Scope, WorklistFilter]:
    """The tab, whose worklist and the search and filters, as the worklist and its exports read them."""
    tab = selectors.TABS_BY_NAME.get(request.GET.get("tab", ""), selectors.WORKLIST[0])
    scope = selectors.Scope(
        agency_id=request.user.membership.agency_id, user_id=request.user.pk, today=timezone.localdate()
    )
    # Each tab's parts name the agency's end, so the filters start from every case.
    filterset = WorklistFilter(request.GET, queryset=TransferCase.objects.all(), request=request)
    return tab, scope, filterset


SEARCH_FIELDS = ("q", "status", "insurance_type", "due_from", "due_to", "mine")


@clerk_required
def worklist(request: HttpRequest) -> HttpResponse:
    if (to_token := _id_search_redirect(request)) is not None:
        return to_token
    tab, scope, filterset = _worklist_query(request)
    filtered = filterset.qs
    counts = selectors.worklist_counts(scope, filtered, narrowed=filterset.narrows)
    request.inbox_unread = counts[selectors.UNREAD]
    page = selectors.worklist_page(
        tab, scope, filtered, order=chosen_order(filterset.form.cleaned_data.get("o")),
        after=request.GET.get("after", ""), before=request.GET.get("before", ""), number=_page_number(request),
    )
    rows = _worklist_rows(request, page.rows, scope.today)
    searching = any(filterset.form.cleaned_data.get(name) for name in SEARCH_FIELDS)
    return render(request, "cases/worklist.html", {
        "filter": filterset, "tab": tab.name, "tabs": [(t.name, t.label, counts[t.name]) for t in selectors.WORKLIST],
        "page": page, "rows": rows, "searching": searching, "today": scope.today, "inbox_days": selectors.INBOX_WINDOW_DAYS,
        "total": counts[tab.name], "first_row": (page.number - 1) * selectors.WORKLIST_PAGE_SIZE + 1,
        "last_row": (page.number - 1) * selectors.WORKLIST_PAGE_SIZE + len(rows),
    })


@clerk_required
def worklist_export(request: HttpRequest, extension: str) -> HttpResponse:
    """The tab as the clerk sees it (search, filters, sort), as a spreadsheet: masked ID numbers only, so the file
    needs no access record; at most EXPORT_MAX_ROWS rows, and the file says so when there were more."""
    tab, scope, filterset = _worklist_query(request)
    page = selectors.worklist_export_rows(
        tab, scope, filterset.qs, order=chosen_order(filterset.form.cleaned_data.get("o")),
    )
    rows = _worklist_rows(request, page.rows, scope.today)
    table = exports.worklist_table(rows, capped=page.has_next)
    filename = f"worklist-{tab.name}-{scope.today:%Y%m%d}.{extension}"
    if extension == "xlsx":
        response = HttpResponse(exports.as_xlsx(table, title=str(tab.label)), content_type=exports.XLSX_TYPE)
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        # The byte-order mark makes spreadsheet programs read the file as UTF-8.
        response.write("\ufeff" + exports.as_csv(table))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page_number(request: HttpRequest) -> int:
    """The page's number, carried in the links for the reader's sake; the cursor decides what is shown."""
    raw = request.GET.get("page", "")
    return min(int(raw), 10_000) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 6 and int(raw) > 0 else 1


def _id_search_redirect(request: HttpRequest) -> HttpResponse | None:
    """A search for a full ID number continues under the worker's token, so that the number stays out of every
    link the page prints (tabs, pages, sorting) and of the URL the clerk keeps working under."""
    query = request.GET.get("q", "")
    try:
        id_number = parse_id_number(query).id_number
    except ValidationError:
        return None
    params = request.GET.copy()
    params["q"] = selectors.worker_search_token(id_number)
    return redirect(f"{reverse('cases:home')}?{params.urlencode()}")


# --- intake ----------------------------------------------------------------------------------


def _intake_worker(token: str) -> Worker | None:
    worker_id = selectors.worker_id_from_token(token)
    return Worker.objects.select_related("hukou_city__province").filter(pk=worker_id).first() if worker_id else None


def _intake_with(worker: Worker) -> HttpResponse:
    # The worker travels as a signed token of its row id: the ID number never appears in a URL (docs/api.md privacy).
    return redirect(f"{reverse('cases:intake')}?{urlencode({'worker': selectors.worker_token(worker.pk)})}")


@clerk_required
def intake(request: HttpRequest) -> HttpResponse:
    """Find the worker by ID number (posted), or register them; then open the case."""
    agency = request.user.membership.agency
    lookup = WorkerLookupForm()
    worker = register_form = case_form = existing = None
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "lookup":
        lookup = WorkerLookupForm(request.POST)
        if lookup.is_valid():
            found = selectors.worker_by_id_number(lookup.cleaned_data["id_number"])
            if found is not None:
                return _intake_with(found)
            register_form = WorkerRegisterForm(
                initial={"id_number": lookup.cleaned_data["id_number"]}, auto_id="register_%s"
            )
    elif action == "register":
        register_form = WorkerRegisterForm(request.POST, auto_id="register_%s")
        if register_form.is_valid():
            try:
                worker = services.worker_register(**register_form.cleaned_data, registered_by_agency=agency)
            except ValidationError as error:
                register_form.add_error(None, error)
            else:
                messages.success(request, _("%(name)s is registered. Now open the case.") % {"name": worker.name})
                return _intake_with(worker)
    elif action == "open":
        worker = _intake_worker(request.POST.get("worker", ""))
        if worker is None:
            messages.error(request, _("Find the worker by ID number first."))
            return redirect("cases:intake")
        case_form = CaseOpenForm(request.POST, own_agency=agency)
        if case_form.is_valid():
            data = case_form.cleaned_data
            ours, theirs = agency, data["other_agency"]
            origin, destination = (ours, theirs) if data["our_side"] == Side.ORIGIN else (theirs, ours)
            try:
                case = services.case_open(
                    actor=Actor.for_user(request.user), worker=worker, insurance_type=data["insurance_type"],
                    origin_agency=origin, destination_agency=destination,
                    approved_transfer_reference=data["approved_transfer_reference"],
                )
            except CaseError as error:
                case_form.add_error(None, error.message)
                if error.code == "already_open":
                    existing = selectors.open_case_for(request.user, worker, data["insurance_type"])
            else:
                messages.success(request, _("Case %(reference)s is open.") % {"reference": case.reference})
                return redirect(case)
    elif request.method == "GET" and "worker" in request.GET:
        worker = _intake_worker(request.GET["worker"])
        if worker is None:
            messages.error(request, _("This link has expired; find the worker by ID number again."))
            return redirect("cases:intake")
        case_form = CaseOpenForm(own_agency=agency, initial={"our_side": Side.DESTINATION})
    status = 400 if any(f is not None and f.is_bound and f.errors for f in (lookup, register_form, case_form)) else 200
    return render(request, "cases/intake.html", {
        "lookup": lookup, "worker": worker, "register_form": register_form, "case_form": case_form,
        "existing": existing, "worker_token": selectors.worker_token(worker.pk) if worker is not None else "",
    }, status=status)


# --- the case page ---------------------------------------------------------------------------


def _detail_context(request: HttpRequest, case: TransferCase, bound: dict[str, object] | None = None) -> dict:
    """Everything the case page shows; `bound` holds forms that came back with errors."""
    bound = bound or {}
    actor = Actor.for_user(request.user)
    today = timezone.localdate()
    report = selectors.case_report(case, today=today)
    sides = actor.sides(case)
    names = selectors.available_transitions(case, actor, report)
    duplicates = list(case.duplicates.all())
    may_resolve = case.is_open and Side.DESTINATION in sides
    events = list(case.events.all())
    benefit_province = ""
    if report.benefit_place:
        benefit_province = selectors.province_names([report.benefit_place.province_code]).get(
            report.benefit_place.province_code, report.benefit_place.province_code
        )
    applicant = case.applicant if case.channel == TransferCase.Channel.ONLINE and hasattr(case, "applicant") else None
    registered_name = selectors.registered_name(case) if applicant else None
    ledger = case_ledger(case)
    in_funds_state = case.status in services.FUNDS_STATES
    return {
        "case": case,
        "applicant": applicant,
        "registered_name": registered_name,
        "names_differ": registered_name is not None and applicant is not None and registered_name != applicant.name,
        "report": report,
        "ledger": ledger,
        "remittance_form": (bound.get("remittance") or RemittanceForm(case=case, initial={
            "pooled_fund": ledger.transfer.pooled_fund, "personal_account": ledger.transfer.personal_account,
            "value_date": today,
        })) if ledger and ledger.awaits_remittance and in_funds_state and Side.ORIGIN in sides else None,
        "receipt_form": (bound.get("receipt") or ReceiptForm(case=case, initial={"received_on": today}))
        if ledger and ledger.remittance and ledger.status == "remitted" and in_funds_state
        and Side.DESTINATION in sides else None,
        "sides": sides,
        "outgoing": Side.ORIGIN in sides,
        "our_turn": case.awaits(actor.agency_id),
        "days_left": selectors.workdays_left([case.due_date], today).get(case.due_date),
        "overdue": case.is_overdue(today),
        "benefit_province": benefit_province,
        "transition_forms": [bound.get(name) or TransitionForm(case=case, name=name) for name in names],
        "blocked": [
            (TRANSITION_RULES[name].label, message) for name, message in report.blockers.items()
            if actor_may(case, actor, name)
        ],
        "duplicates": [
            (duplicate, (bound.get(f"duplicate-{duplicate.pk}") or DuplicateResolveForm(case=case, duplicate=duplicate))
             if may_resolve and not duplicate.resolved else None)
            for duplicate in duplicates
        ],
        "supervisor_steps": pgettext("list separator", ", ").join(
            f"“{TRANSITION_RULES[name].label}”" for name in selectors.supervisor_transitions(case, actor)
        ),
        # Arrears name their city as the rest of the page does, not by its code.
        "arrears": _arrears_by_city(report),
        # What the origin asked for stays in sight while the case waits for it.
        "open_request": next((e for e in reversed(events) if e.transition == "request_info"), None)
        if case.status == CaseStatus.INFO_REQUESTED else None,
        "closing_event": events[-1] if events and not case.is_open else None,
        "events": events,
        "notes": selectors.case_notes(case),
        "note_form": bound.get("note") or NoteForm(case=case),
        "attachments": selectors.case_attachments(case),
        "attachment_form": (bound.get("attachment") or _attachment_form(case)) if case.is_open else None,
        "assignment": _assignment(request, case, actor),
    }


@dataclass(frozen=True)
class Assignment:
    """What the case page offers about who handles the case."""

    may_take: bool
    may_release: bool
    form: AssignForm | None


def _assignment(request: HttpRequest, case: TransferCase, actor: Actor) -> Assignment:
    may_take = case.assignee_id != actor.user_id and services.assignment_refusal(case, actor, actor.user_id) is None
    may_release = case.assignee_id is not None and services.assignment_refusal(case, actor, None) is None
    form = None
    if actor.is_supervisor and services.assignment_refusal(case, actor, None) is None:
        form = AssignForm(agency_id=actor.agency_id, initial={"assignee": case.assignee_id})
    return Assignment(may_take=may_take, may_release=may_release, form=form)


def _arrears_by_city(report: selectors.CaseReport) -> list[tuple[str, object]]:
    if not report.arrears:
        return []
    labels = selectors.city_labels(owed.city_code for owed in report.arrears)
    return [(labels.get(owed.city_code, owed.city_code), owed) for owed in report.arrears]


def _attachment_form(case: TransferCase, *args: object) -> AttachmentForm:
    return AttachmentForm(*args, case=case, max_megabytes=settings.ATTACHMENT_MAX_BYTES // (1024 * 1024))


def _record_access(request: HttpRequest, case: TransferCase, what: str) -> None:
    services.worker_access_record(
        user=request.user, worker_id=case.worker_id, what=what, ip=client_address(request), path=request.path,
        case_id=case.pk,
    )


def _case(request: HttpRequest, reference: str, *, detail: bool = True) -> TransferCase:
    """The case if the user's agency is a party to it, else 404; `detail` prefetches what the case page shows."""
    return selectors.case_detail_for_user(request.user, reference) if detail else selectors.get_case_for_user(
        request.user, reference
    )


def _registered_case(request: HttpRequest, reference: str) -> TransferCase:
    """A case whose worker is on the register: an online application not accepted has none to read (404)."""
    case = _case(request, reference, detail=False)
    if case.worker_id is None:
        raise Http404
    return case


@clerk_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    # Before the page draws the navigation's unread count, which no longer counts this case.
    services.mark_read(user_id=request.user.pk, case=case, at=timezone.now())
    return render(request, "cases/detail.html", _detail_context(request, case))


@clerk_required
def case_print(request: HttpRequest, reference: str) -> HttpResponse:
    """A summary to print or keep as PDF: the case, the figures, the timeline; the masked ID number only."""
    case = _case(request, reference)
    return render(request, "cases/print.html", {**_detail_context(request, case), "printed_at": timezone.now()})


@require_POST
@clerk_required
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    """Take the case, give it to a colleague (supervisors), or hand it back; refusals are 403 (who) or 409 (state)."""
    case = _case(request, reference, detail=False)
    form = AssignForm(request.POST, agency_id=request.user.membership.agency_id)
    if not form.is_valid():
        messages.error(request, _("Choose an active clerk of your agency."))
        return redirect(f"{case.get_absolute_url()}#assignment")
    try:
        case = services.case_assign(
            case=case, actor=Actor.for_user(request.user), assignee_id=form.cleaned_data["assignee_id"]
        )
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    except CaseError as error:
        messages.error(request, error.message)
        return redirect(f"{case.get_absolute_url()}#assignment")
    if case.assignee is None:
        messages.success(request, _("The case is assigned to nobody now."))
    else:
        messages.success(request, _("The case is assigned to %(name)s.") % {"name": person_name(case.assignee)})
    return redirect(f"{case.get_absolute_url()}#assignment")


@require_POST
@clerk_required
def transition(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    case = _case(request, reference)
    if name not in TRANSITION_RULES:
        raise Http404
    form = TransitionForm(request.POST, case=case, name=name)
    if not form.is_valid():
        context = _detail_context(request, case, bound={name: form})
        if any(f is form for f in context["transition_forms"]):
            return render(request, "cases/detail.html", context, status=400)
        messages.error(request, _("“%(label)s” is not possible on this case now.") % {"label": form.rule.label})
        return redirect(case)
    try:
        case = services.case_transition(
            case=case, actor=Actor.for_user(request.user), name=name, note=form.cleaned_data["note"],
            identity_checked=form.cleaned_data.get("identity_checked", False),
            confirmed_name=form.cleaned_data.get("confirmed_name", ""),
        )
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(label)s” done: the case is now “%(status)s”.") % {
            "label": form.rule.label, "status": case.get_status_display(),
        })
    return redirect(case)


@require_POST
@clerk_required
def resolve_duplicate(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    duplicate = next((d for d in case.duplicates.all() if d.pk == pk), None)
    if duplicate is None:
        raise Http404
    form = DuplicateResolveForm(request.POST, case=case, duplicate=duplicate)
    if not form.is_valid():
        messages.error(request, _("Choose where the relationship is kept."))
        return redirect(f"{case.get_absolute_url()}#duplicates")
    try:
        services.duplicates_resolve(
            case=case, actor=Actor.for_user(request.user), keep_city_code=form.cleaned_data["keep_city_code"],
            user=request.user,
        )
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The duplicate months are resolved."))
    return redirect(f"{case.get_absolute_url()}#duplicates")


# The services' codes for a refusal about one field of the funds forms.
FUNDS_FIELD_CODES = {"value_date", "received_on", "bank_reference", "amount"}


def _record_funds(
    request: HttpRequest, reference: str, key: str, form_class: type, record: Callable[..., object], done: str
) -> HttpResponse:
    """Record a remittance or a receipt from the case page: a form error comes back with the form, 400."""
    case = _case(request, reference)
    form = form_class(request.POST, case=case)
    if form.is_valid():
        values = {name: value for name, value in form.cleaned_data.items() if name != "confirm"}
        try:
            record(case=case, actor=Actor.for_user(request.user), user=request.user, **values)
        except RuleBlocked as error:
            if error.code not in FUNDS_FIELD_CODES:
                form.add_error(None, error.message)
            else:
                form.add_error(error.code, error.message)
        except CaseError as error:
            messages.error(request, error.message)
            return redirect(f"{case.get_absolute_url()}#ledger")
        else:
            messages.success(request, done)
            return redirect(f"{case.get_absolute_url()}#ledger")
    context = _detail_context(request, case, bound={key: form})
    if context[f"{key}_form"] is not form:
        # A stale page: the form is no longer offered (another clerk recorded it, or the case moved on).
        messages.error(request, _("This cannot be recorded on the case now."))
        return redirect(f"{case.get_absolute_url()}#ledger")
    return render(request, "cases/detail.html", context, status=400)


@require_POST
@clerk_required
def record_remittance(request: HttpRequest, reference: str) -> HttpResponse:
    return _record_funds(request, reference, "remittance", RemittanceForm, services.remittance_record,
                         _("The remittance is recorded; the destination agency is told."))


@require_POST
@clerk_required
def record_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    return _record_funds(request, reference, "receipt", ReceiptForm, services.receipt_record,
                         _("The receipt is recorded."))


@require_POST
@clerk_required
def add_note(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    form = NoteForm(request.POST, case=case)
    if not form.is_valid():
        return render(request, "cases/detail.html", _detail_context(request, case, bound={"note": form}), status=400)
    try:
        services.case_add_note(case=case, actor=Actor.for_user(request.user), user=request.user,
                               text=form.cleaned_data["text"])
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The note is added; the other agency sees it on this page."))
    return redirect(f"{case.get_absolute_url()}#notes")


@require_POST
@clerk_required
def add_attachment(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    form = _attachment_form(case, request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_add_attachment(
                case=case, actor=Actor.for_user(request.user), uploaded_file=form.cleaned_data["file"],
                user=request.user,
            )
        except RuleBlocked as error:
            form.add_error("file", error.message)
        except CaseError as error:
            messages.error(request, error.message)
            return redirect(case)
        else:
            messages.success(request, _("The file is attached."))
            return redirect(f"{case.get_absolute_url()}#attachments")
    return render(request, "cases/detail.html", _detail_context(request, case, bound={"attachment": form}), status=400)


@clerk_required
def attachment(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    case = _case(request, reference, detail=False)
    found = next((a for a in selectors.case_attachments(case) if a.pk == pk), None)
    if found is None:
        raise Http404
    # Always a download, with the type we sniffed: the browser never renders an upload inline.
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.original_name,
                        content_type=found.content_type)


@never_cache
@require_POST
@clerk_required
def reveal_id(request: HttpRequest, reference: str) -> HttpResponse:
    """The full ID number, on a deliberate request that leaves an access record for the administrators."""
    case = _registered_case(request, reference)
    _record_access(request, case, WorkerAccess.What.FULL_ID)
    return render(request, "cases/reveal_id.html", {"case": case})


@never_cache
@require_POST
@clerk_required
def issue_access_code(request: HttpRequest, reference: str) -> HttpResponse:
    """A new access code for the worker's online "My case", handed over at the counter; the old one stops working."""
    case = _case(request, reference, detail=False)
    if not case.is_open:
        messages.error(request, _("The case is closed: the worker has nothing left to do online."))
        return redirect(case)
    code = services.case_issue_access_code(case=case)
    audit_log.info(
        "worker access code issued",
        extra={"fields": {"user": request.user.get_username(), "agency": request.user.membership.agency.code,
                          "case": case.reference}},
    )
    return render(request, "cases/access_code.html", {"case": case, "access_code": code})


# --- documents -------------------------------------------------------------------------------


def _verify_url(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(reverse("cases:verify", args=[code]))


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _document_case(request: HttpRequest, reference: str) -> TransferCase:
    return selectors.get_case_for_user(request.user, reference, selectors.case_document_queryset())


@clerk_required
def agreement_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """The latest agreement, void or not: a void one prints as it was issued (the verify page says it is void)."""
    case = _document_case(request, reference)
    agreement = case.latest_agreement
    if agreement is None:
        raise Http404
    _record_access(request, case, WorkerAccess.What.DOCUMENT)
    return _pdf(documents.agreement_pdf(agreement, _verify_url(request, agreement.verification_code)),
                f"{agreement.number}.pdf")


@clerk_required
def acceptance_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    case = _document_case(request, reference)
    agreement = case.current_agreement
    if case.confirmation_number is None or agreement is None:
        raise Http404
    _record_access(request, case, WorkerAccess.What.DOCUMENT)
    content = documents.acceptance_pdf(case, agreement, _verify_url(request, case.acceptance_code))
    return _pdf(content, f"{case.confirmation_number}.pdf")


@clerk_required
def contact_letter_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    letter = selectors.contact_letter(_case(request, reference, detail=False))
    _record_access(request, letter.case, WorkerAccess.What.DOCUMENT)
    return _pdf(documents.contact_letter_pdf(letter), f"{letter.case.reference}-contact-letter.pdf")


# --- contribution history ---------------------------------------------------------------------


@dataclass(frozen=True)
class DeletedPeriod:
    """A period that was deleted, by its versions: the last one is the deletion."""

    versions: list

    @property
    def last(self) -> object:
        return self.versions[-1]


def _contributions_page(
    request: HttpRequest, case: TransferCase, *, period_form: ContributionPeriodForm | None = None,
    upload_form: ContributionUploadForm | None = None, row_errors: list | None = None, status: int = 200,
) -> HttpResponse:
    may_record = case.is_open
    city = request.user.membership.agency.city
    histories = selectors.contribution_history(case.worker_id)
    versions = selectors.worker_period_versions(case.worker_id)
    for history in histories:
        for period in history.periods:
            period.versions = versions.pop(period.pk, [])
            period.may_correct = may_record and not period.locked and period.city_id == city.code
    _record_access(request, case, WorkerAccess.What.CONTRIBUTIONS)
    return render(request, "cases/contributions.html", {
        "case": case,
        "city": city,
        "histories": histories,
        # What is left are the versions of periods no longer recorded: each ends with its deletion.
        "deleted": [DeletedPeriod(rows) for rows in versions.values() if rows[-1].history_type == "-"],
        "period_form": (period_form or ContributionPeriodForm(
            action=reverse("cases:add_period", args=[case.reference]), initial={"insurance_type": case.insurance_type}
        )) if may_record else None,
        "upload_form": (upload_form or ContributionUploadForm(
            action=reverse("cases:upload_periods", args=[case.reference])
        )) if may_record else None,
        "row_errors": row_errors or [],
        "columns": COLUMNS,
        "template_languages": TEMPLATE_LANGUAGES,
    }, status=status)


@clerk_required
def contributions(request: HttpRequest, reference: str) -> HttpResponse:
    return _contributions_page(request, _registered_case(request, reference))


def _record(request: HttpRequest, case: TransferCase, records: list[dict[str, object]]) -> None:
    services.contributions_record(actor=Actor.for_user(request.user), worker=case.worker, records=records,
                                  user=request.user)


def _closed(request: HttpRequest, case: TransferCase) -> HttpResponse:
    """A closed case's page offers no form; a request from a stale page is refused the same way."""
    messages.error(request, _("The case is closed."))
    return redirect("cases:contributions", case.reference)


@require_POST
@clerk_required
def add_period(request: HttpRequest, reference: str) -> HttpResponse:
    case = _registered_case(request, reference)
    if not case.is_open:
        return _closed(request, case)
    form = ContributionPeriodForm(request.POST, action=reverse("cases:add_period", args=[case.reference]))
    if form.is_valid():
        try:
            _record(request, case, [form.record(request.user.membership.agency.city_id)])
        except BatchInvalid as invalid:
            for field, errors in invalid.row_errors[0].items():
                form.add_error(field if field in form.fields else None, errors)
        except CaseError as error:
            messages.error(request, error.message)
            return redirect("cases:contributions", case.reference)
        else:
            messages.success(request, _("The period is recorded."))
            return redirect("cases:contributions", case.reference)
    return _contributions_page(request, case, period_form=form, status=400)


@require_POST
@clerk_required
def upload_periods(request: HttpRequest, reference: str) -> HttpResponse:
    case = _registered_case(request, reference)
    if not case.is_open:
        return _closed(request, case)
    form = ContributionUploadForm(request.POST, request.FILES,
                                  action=reverse("cases:upload_periods", args=[case.reference]))
    row_errors = []
    if form.is_valid():
        table = form.cleaned_data["file"]
        try:
            _record(request, case, table.records)
        except BatchInvalid as invalid:
            # By the file's own line numbers and column headers, in whichever language it was written.
            row_errors = [
                (table.line_of(index), table.header_of(column), message)
                for index, errors in sorted(invalid.row_errors.items())
                for column, messages_ in errors.items() for message in messages_
            ]
            form.add_error("file", _("Nothing was stored: %(rows)s rows have errors, listed below.")
                           % {"rows": len(invalid.row_errors)})
        except CaseError as error:
            messages.error(request, error.message)
            return redirect("cases:contributions", case.reference)
        else:
            messages.success(request, _("%(count)s periods are recorded.") % {"count": len(table.records)})
            return redirect("cases:contributions", case.reference)
    return _contributions_page(request, case, upload_form=form, row_errors=row_errors, status=400)


def _period_to_change(request: HttpRequest, reference: str, pk: int) -> tuple[TransferCase, ContributionPeriod]:
    """The case's worker's period: 404 for the case or the period, 403 for a clerk of another city."""
    case = _registered_case(request, reference)
    period = selectors.worker_period(case.worker, pk)
    if period.city_id != request.user.membership.agency.city_id:
        raise PermissionDenied(_("Only a clerk of the city where the period was paid may correct or delete it."))
    return case, period


def _cannot_change(request: HttpRequest, case: TransferCase, period: ContributionPeriod) -> HttpResponse | None:
    if not case.is_open:
        return _closed(request, case)
    if period.locked:
        messages.error(request, services.PERIOD_LOCKED)
        return redirect("cases:contributions", case.reference)
    return None


def _refused(form: object, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@clerk_required
def correct_period(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case, period = _period_to_change(request, reference, pk)
    if (refusal := _cannot_change(request, case, period)) is not None:
        return refusal
    action = reverse("cases:correct_period", args=[case.reference, period.pk])
    form = ContributionCorrectionForm(request.POST or None, period=period, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_correct(
                actor=Actor.for_user(request.user), worker=case.worker, period_id=period.pk, changes=form.changes(),
                reason=form.cleaned_data["reason"], user=request.user,
            )
        except ValidationError as error:
            _refused(form, error)
        except CaseError as error:
            messages.error(request, error.message)
            return redirect("cases:contributions", case.reference)
        else:
            messages.success(request, _("The period is corrected; its earlier version is kept."))
            return redirect(f"{reverse('cases:contributions', args=[case.reference])}#period-{period.pk}")
    return render(request, "cases/period_change.html", {
        "case": case, "period": period, "form": form, "deleting": False,
    }, status=400 if form.is_bound and form.errors else 200)


@clerk_required
def delete_period(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """A confirmation page first; the period goes only on a posted reason and confirmation."""
    case, period = _period_to_change(request, reference, pk)
    if (refusal := _cannot_change(request, case, period)) is not None:
        return refusal
    action = reverse("cases:delete_period", args=[case.reference, period.pk])
    form = ContributionDeleteForm(request.POST or None, period=period, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_delete(
                actor=Actor.for_user(request.user), worker=case.worker, period_id=period.pk,
                reason=form.cleaned_data["reason"], user=request.user,
            )
        except ValidationError as error:
            _refused(form, error)
        except CaseError as error:
            messages.error(request, error.message)
            return redirect("cases:contributions", case.reference)
        else:
            messages.success(request, _("The period is deleted; its versions stay in the history."))
            return redirect("cases:contributions", case.reference)
    return render(request, "cases/period_change.html", {
        "case": case, "period": period, "form": form, "deleting": True,
    }, status=400 if form.is_bound and form.errors else 200)


@clerk_required
def contributions_template(request: HttpRequest, extension: str) -> HttpResponse:
    """The upload's header row, with the parser's English names or the agencies' Chinese ones (?headers=zh)."""
    language = request.GET.get("headers", "en")
    if language not in TEMPLATE_LANGUAGES:
        language = "en"
    filename = f"contributions-template-{language}.{extension}"
    if extension == "xlsx":
        response = HttpResponse(
            template_xlsx(language), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        # The byte-order mark makes spreadsheet programs read the file as UTF-8.
        # The header only: an example row would be stored by anyone who uploads the template unchanged.
        response.write("\ufeff" + template_csv(language))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- supervisors' dashboard ------------------------------------------------------------------


@supervisor_required
def dashboard(request: HttpRequest) -> HttpResponse:
    figures = selectors.dashboard(request.user.membership.agency_id, timezone.localdate())
    chart = {
        "labels": [str(step.label) for step in figures.steps],
        "values": [step.median_workdays for step in figures.steps],
        "title": _("Median working days"),
    }
    total = sum(count for _status, _label, count in figures.by_status)
    return render(request, "cases/dashboard.html", {
        "figures": figures, "chart": chart, "total": total, "window_days": selectors.DASHBOARD_WINDOW_DAYS,
    })


@supervisor_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    figures = selectors.dashboard(request.user.membership.agency_id, today)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{today:%Y%m%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Figure"), _("Key"), _("Label"), _("Value"), _("Steps counted")])
    for status, label, count in figures.by_status:
        writer.writerow([_("Cases by state"), status, label, count, ""])
    writer.writerow([_("Overdue"), "ours", _("On our step"), figures.overdue_ours, ""])
    writer.writerow([_("Overdue"), "theirs", _("On the other agency's step"), figures.overdue_theirs, ""])
    writer.writerow([_("Funds"), "to_remit", _("Funds to remit"), figures.to_remit, ""])
    writer.writerow([_("Funds"), "to_receive", _("Funds to receive"), figures.to_receive, ""])
    for step in figures.steps:
        writer.writerow([
            _("Median working days since %(date)s") % {"date": f"{figures.since:%Y-%m-%d}"},
            step.status, step.label, "" if step.median_workdays is None else step.median_workdays, step.count,
        ])
    return response
