"""No English on a Chinese page: every page rendered in zh-hans, every catalogue entry translated."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import Resolver404, URLPattern, get_resolver, resolve, reverse
from django.utils import translation
from django.views import defaults
from django.views.csrf import csrf_failure

from cases import selectors, services
from cases.models import Actor
from cases.selectors.funds import case_transfer
from regions.models import City
from sstransfer.auth_views import locked_out
from sstransfer.middleware import unavailable_response
from tests.conftest import PASSWORD
from tests.factories import WorkerFactory, advance, apply_online, latest_agreement, make_id_number, open_case, periods
from tests.translation_support import Lookup, latin_phrases, recording_untranslated

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Pages that are files, not HTML: nothing in them goes through a template in the reader's language.
NOT_HTML = {"agreement_pdf", "acceptance_pdf", "contact_letter_pdf", "contributions_template",
            "contributions_template_xlsx", "dashboard_csv", "attachment", "act_attachment", "worklist_csv",
            "worklist_xlsx"}
PDF = b"%PDF-1.4\n%test\n"
# Latin that belongs on a Chinese page, word by word (codes and abbreviations in capitals pass anyway):
# the product's name, the other language's button and the word Chinese keeps for cookies; the values
# of the CSV columns a clerk types; in Django's admin, the key names its Chinese help text keeps, the alt
# text of its search and yes/no icons, and its error for a form posted without its management form.
LATIN_ALLOWED = {
    "sstransfer", "English", "Cookie", "pension", "medical", "unemployment", "paid",
    "Control", "Command", "Mac", "Search", "True", "False", "ManagementForm",
    # The worklist's export button names the file format by its product name, as Chinese software does.
    "Excel",
}
# What this test's own data says in English: the factories' note and credited rate source, a user name.
TEST_DATA = {"reason", "test", "boss"}


def test_every_catalogue_entry_has_a_chinese_translation():
    catalogue = polib.pofile(str(CATALOGUE))
    missing = [
        entry.msgid for entry in catalogue
        if not entry.obsolete and ("fuzzy" in entry.flags or not entry.translated())
    ]
    assert not missing, f"{len(missing)} entries of {CATALOGUE.name} lack a translation: {missing}"


def test_the_catalogue_check_sees_a_missing_translation(tmp_path):
    # The same reading as above, on a catalogue with one empty and one fuzzy entry: both are found.
    sample = tmp_path / "django.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Worklist"\nmsgstr "工作台"\n\n'
        'msgid "Never translated"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Guessed"\nmsgstr "猜的"\n\n'
        '#~ msgid "Gone"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    catalogue = polib.pofile(str(sample))
    missing = [e.msgid for e in catalogue if not e.obsolete and ("fuzzy" in e.flags or not e.translated())]
    assert missing == ["Never translated", "Guessed"]


# --- the recorder ----------------------------------------------------------------------------


def render_chinese(source: str, **context: object) -> str:
    with translation.override("zh-hans"):
        return Template("{% load i18n %}" + source).render(Context(context))


def test_the_recorder_catches_a_deliberately_untranslated_string():
    with recording_untranslated() as recorder:
        page = render_chinese(
            "<p>{% translate 'Worklist' %}</p><p>{% translate 'A sentence nobody translated' %}</p>"
            "{% blocktranslate %}Also {{ n }} untranslated things{% endblocktranslate %}",
            n=3,
        )
    assert "工作台" in page
    assert recorder.shown(page) == [Lookup("A sentence nobody translated"), Lookup("Also %(n)s untranslated things")]


def test_the_recorder_ignores_what_is_looked_up_but_not_shown_and_what_is_not_chinese():
    with recording_untranslated() as recorder:
        page = render_chinese("<p>{% translate 'Looked up' as unused %}</p>")
        with translation.override("en"):
            english = Template("{% load i18n %}{% translate 'Only English here' %}").render(Context())
    assert recorder.lookups == [Lookup("Looked up")]
    assert recorder.shown(page) == []
    assert recorder.shown(english) == []


def test_the_recorder_sees_python_gettext_with_context_and_plurals():
    # Through variables, so that makemessages does not put these test strings into the catalogue.
    context, message = "some context", "Said in context"
    singular, plural = "%(n)s apple left", "%(n)s apples left"
    with recording_untranslated() as recorder, translation.override("zh-hans"):
        shown = " ".join([
            translation.pgettext(context, message),
            translation.ngettext(singular, plural, 2) % {"n": 2},
        ])
    assert recorder.shown(shown) == [Lookup(message, context), Lookup(plural)]


# --- every page ------------------------------------------------------------------------------


class Visits:
    """Requests in Chinese, each remembered with what it showed and which URL it reached."""

    def __init__(self, recorder) -> None:
        self.recorder = recorder
        self.leaks: dict[Lookup, list[str]] = defaultdict(list)
        self.latin: dict[str, list[str]] = defaultdict(list)
        self.url_names: set[str] = set()
        self.pages = 0

    def client(self, user: object = None) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        if user is not None:
            client.force_login(user)
        return client

    def get(self, client: Client, path: str, *, status: int | tuple[int, ...] = 200, **kwargs: object) -> object:
        return self._visit(client, "get", path, status, kwargs)

    def post(self, client: Client, path: str, data: dict, *, status: int | tuple[int, ...] = 200, **kwargs: object):
        return self._visit(client, "post", path, status, {"data": data, **kwargs})

    def _visit(self, client: Client, method: str, path: str, status: int | tuple[int, ...], kwargs: dict) -> object:
        self.recorder.clear()
        response = getattr(client, method)(path, follow=True, **kwargs)
        expected = status if isinstance(status, tuple) else (status,)
        label = f"{method.upper()} {path}"
        assert response.status_code in expected, f"{label} answered {response.status_code}"
        for url, _code in [*response.redirect_chain, (path, None)]:
            self._remember(url)
        self._remember(response.request["PATH_INFO"])
        self.check(label, response.content.decode())
        return response

    def _remember(self, url: str) -> None:
        try:
            match = resolve(url.split("?")[0].split("#")[0].removeprefix("http://testserver"))
        except Resolver404:
            return
        if match.namespace == "cases":
            self.url_names.add(match.url_name)

    def check(self, label: str, page: str) -> None:
        self.pages += 1
        for lookup in self.recorder.shown(page):
            self.leaks[lookup].append(label)
        for phrase in latin_phrases(page):
            if not set(re.split(r"[ -]", phrase)) <= LATIN_ALLOWED | TEST_DATA:
                self.latin[phrase].append(label)


def cases_url_names() -> set[str]:
    resolver = get_resolver()
    cases = resolver.namespace_dict["cases"][1]
    return {p.name for p in cases.url_patterns if isinstance(p, URLPattern)}


@pytest.fixture
def cases_in_every_state(users):
    """One case per state, with what each state shows: duplicates, arrears, the age rule, an open request."""
    made = {status: open_case(users, status=status) for status in (
        "submitted", "verifying", "info_requested", "agreement_issued", "completed", "rejected", "withdrawn",
    )}
    duplicated = WorkerFactory(email="dup@example.org")
    periods(duplicated, ("510100", "2019-07", "2019-12", "5000"), ("420100", "2018-01", "2018-03", "4000"))
    made["receiving"] = open_case(users, worker=duplicated, status="receiving")
    owing = WorkerFactory()
    periods(owing, ("440300", "2024-07", "2024-09", "8000", None, False))
    made["arrears"] = open_case(users, worker=owing, status="verifying")
    # Born 1970, hukou in Hubei, moving to Sichuan: the age rule keeps him at the origin (66号 Art. 5).
    older = WorkerFactory(id_number=make_id_number(county="420103", birth=dt.date(1970, 1, 20)),
                          hukou_city=City.objects.get(code="420100"))
    made["temporary"] = open_case(users, worker=older, status="verifying")
    # Returned and issued again: a void agreement superseded by the next, both listed and verifiable.
    made["reissued"] = advance(open_case(users, status="receiving"), users, "return_to_origin", "issue_agreement")
    clerk = Actor.for_user(users["dest_clerk"])
    services.case_add_note(case=made["receiving"], actor=clerk, user=users["dest_clerk"], text="请核对")
    services.case_add_attachment(
        case=made["receiving"], actor=clerk, user=users["dest_clerk"],
        uploaded_file=SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf"),
    )
    return made


def visit_clerk_pages(visits: Visits, users: dict, cases: dict) -> None:
    origin = visits.client(users["origin_clerk"])
    for tab in selectors.WORKLIST_TABS:
        visits.get(origin, f"/?tab={tab}")
        visits.get(origin, f"/?tab={tab}&mine=on")
    for order in ("due_date", "-due_date", "-reference", "-worker__name", "-status", "-created_at"):
        visits.get(origin, f"/?o={order}")
    visits.get(origin, "/?q=没有这个人&status=verifying")
    visits.get(origin, "/?due_from=not-a-date")
    visits.get(origin, "/cases/new/")
    # The intake's lookup is posted (no ID number in a URL); a found worker continues under a token.
    visits.post(origin, "/cases/new/", {"action": "lookup", "id_number": "123"}, status=400)
    visits.post(origin, "/cases/new/", {"action": "lookup", "id_number": make_id_number()})
    visits.post(origin, "/cases/new/", {"action": "lookup", "id_number": cases["verifying"].worker.id_number})
    visits.get(origin, "/cases/new/?worker=forged")
    visits.post(origin, "/cases/new/", {"action": "register", "id_number": make_id_number(), "phone": "1"}, status=400)
    visits.post(origin, "/cases/new/", {
        "action": "open", "worker": selectors.worker_token(cases["verifying"].worker_id), "insurance_type": "pension",
        "our_side": "origin", "other_agency": cases["verifying"].destination_agency.pk,
    }, status=400)
    for case in cases.values():
        visits.get(origin, case.get_absolute_url())
        visits.get(origin, reverse("cases:contributions", args=[case.reference]))
    verifying = cases["verifying"].reference
    visits.post(origin, reverse("cases:transition", args=[verifying, "request_info"]), {}, status=400)
    visits.post(origin, reverse("cases:transition", args=[verifying, "reject"]), {})
    visits.post(origin, reverse("cases:add_note", args=[verifying]), {"text": ""}, status=400)
    visits.post(origin, reverse("cases:add_attachment", args=[verifying]), {}, status=400)
    visits.post(origin, reverse("cases:add_attachment", args=[verifying]), {
        "file": SimpleUploadedFile("x.txt", b"plain text", content_type="text/plain"),
    }, status=400)
    visits.post(origin, reverse("cases:add_period", args=[verifying]), {"monthly_base": "-1"}, status=400)
    visits.post(origin, reverse("cases:upload_periods", args=[verifying]), {
        "file": SimpleUploadedFile("p.csv", b"insurance_type,city_code,start_month,end_month,monthly_base\n"
                                   b"pension,440300,2020-13,2020-01,abc\n"),
    }, status=400)
    visits.post(origin, reverse("cases:upload_periods", args=[verifying]), {
        "file": SimpleUploadedFile("p.csv", b"a,b\n1,2\n"),
    }, status=400)
    visits.post(origin, reverse("cases:add_period", args=[cases["completed"].reference]), {})
    # The funds: the remittance form's refusals, a remittance, then the destination's receipts.
    issued = cases["agreement_issued"].reference
    remittance = reverse("cases:record_remittance", args=[issued])
    visits.post(origin, remittance, {"remittance-pooled_fund": "1.001", "remittance-value_date": "2999-01-01"},
                status=400)
    visits.post(origin, remittance, {
        "remittance-pooled_fund": "1.00", "remittance-personal_account": "1.00", "remittance-bank_reference": "B1",
        "remittance-value_date": "2026-01-05", "remittance-confirm": "on",
    }, status=400)
    moving = case_transfer(cases["agreement_issued"])
    visits.post(origin, remittance, {
        "remittance-pooled_fund": str(moving.pooled_fund), "remittance-personal_account": str(moving.personal_account),
        "remittance-bank_reference": "B1", "remittance-value_date": "2026-01-05", "remittance-confirm": "on",
    })
    visits.post(origin, remittance, {})
    receipts = reverse("cases:record_receipt", args=[issued])
    funds_dest = visits.client(users["dest_clerk"])
    visits.post(funds_dest, receipts, {"receipt-amount": "0"}, status=400)
    visits.post(funds_dest, receipts, {
        "receipt-amount": str(moving.total + 1), "receipt-received_on": "2026-01-06", "receipt-bank_reference": "B2",
        "receipt-confirm": "on",
    })
    visits.get(funds_dest, reverse("cases:detail", args=[issued]))
    visits.get(origin, reverse("cases:detail", args=[issued]))
    # Corrections: the form, its refusals, the confirmation before deleting, a locked period, another city's.
    period = cases["verifying"].worker.periods.filter(city_id="440300").first()
    correct = reverse("cases:correct_period", args=[verifying, period.pk])
    delete = reverse("cases:delete_period", args=[verifying, period.pk])
    visits.get(origin, correct)
    visits.post(origin, correct, {"start_month": "2016-13", "monthly_base": "-1"}, status=400)
    visits.post(origin, correct, {"start_month": f"{period.start_month:%Y-%m}", "end_month": f"{period.end_month:%Y-%m}",
                                  "monthly_base": str(period.monthly_base), "paid": "on", "reason": "x"}, status=400)
    visits.get(origin, delete)
    visits.post(origin, delete, {"reason": ""}, status=400)
    visits.post(origin, correct, {"start_month": f"{period.start_month:%Y-%m}", "end_month": f"{period.end_month:%Y-%m}",
                                  "monthly_base": "8100.00", "paid": "on", "reason": "基数录错"})
    visits.get(origin, reverse("cases:contributions", args=[verifying]))
    visits.get(visits.client(users["dest_clerk"]), correct, status=403)
    visits.post(origin, delete, {"reason": "误录", "confirm": "on"})
    visits.get(origin, reverse("cases:contributions", args=[verifying]))
    visits.post(origin, reverse("cases:reveal_id", args=[verifying]), {})
    visits.post(origin, reverse("cases:issue_access_code", args=[verifying]), {})
    visits.post(origin, reverse("cases:issue_access_code", args=[cases["completed"].reference]), {})
    visits.get(origin, "/dashboard/", status=403)
    visits.get(origin, "/cases/TR-2026-NOSUCH/", status=404)
    visits.post(origin, reverse("cases:transition", args=[verifying, "start_verification"]), {})
    visits.post(origin, reverse("cases:transition", args=[verifying, "start_verification"]), {})
    visits.get(origin, reverse("password_change"))
    visits.post(origin, reverse("password_change"), {"old_password": "wrong"})
    visits.get(origin, reverse("password_change_done"))

    # Assignment: a clerk takes a case, the other agency is refused, a supervisor gives it to a colleague.
    submitted = cases["submitted"]
    visits.post(origin, reverse("cases:assign", args=[submitted.reference]), {"assignee": users["origin_clerk"].pk})
    visits.post(visits.client(users["dest_clerk"]), reverse("cases:assign", args=[submitted.reference]),
                {"assignee": users["dest_clerk"].pk}, status=403)
    origin_supervisor = visits.client(users["origin_supervisor"])
    visits.post(origin_supervisor, reverse("cases:assign", args=[submitted.reference]), {"assignee": "nobody"})
    visits.post(origin_supervisor, reverse("cases:assign", args=[submitted.reference]),
                {"assignee": users["origin_supervisor"].pk})
    visits.post(origin_supervisor, reverse("cases:assign", args=[submitted.reference]), {"assignee": ""})
    visits.post(origin, reverse("cases:assign", args=[submitted.reference]), {"assignee": users["origin_clerk"].pk})
    visits.get(origin, "/?tab=mine")
    for case in cases.values():
        visits.get(origin, reverse("cases:print", args=[case.reference]))

    for who in ("origin_supervisor", "dest_clerk", "dest_supervisor"):
        client = visits.client(users[who])
        for case in cases.values():
            visits.get(client, case.get_absolute_url())
    dest = visits.client(users["dest_clerk"])
    receiving = cases["receiving"]
    duplicate = receiving.duplicates.first()
    visits.post(dest, reverse("cases:resolve_duplicate", args=[receiving.reference, duplicate.pk]), {})
    visits.post(dest, reverse("cases:transition", args=[receiving.reference, "return_to_origin"]), {}, status=400)
    supervisor = visits.client(users["dest_supervisor"])
    visits.post(supervisor, reverse("cases:transition", args=[receiving.reference, "complete"]), {})
    visits.get(supervisor, "/dashboard/")
    visits.post(supervisor, reverse("cases:resolve_duplicate", args=[receiving.reference, duplicate.pk]),
                {f"duplicate-{duplicate.pk}-keep_city_code": duplicate.first_city_id})
    visits.post(supervisor, reverse("cases:transition", args=[receiving.reference, "complete"]),
                {"complete-confirm": "on"})

    nobody = visits.client()
    visits.get(nobody, reverse("login"))
    visits.post(nobody, reverse("login"), {"username": "origin_clerk", "password": "wrong"})
    visits.get(nobody, "/dashboard/")
    visits.get(nobody, "/cases/TR-2026-NOSUCH/")
    unattached = get_user_model().objects.create_user("no_agency", password=PASSWORD)
    visits.get(visits.client(unattached), "/", status=403)


def visit_application_pages(visits: Visits, users: dict) -> None:
    """Online applications waiting in `applied`: the worklist tab, the identity check, the worker's progress."""
    registered = WorkerFactory(name="王五")
    differing = apply_online(id_number=registered.id_number, name="王武")
    new = apply_online()
    accepted = advance(apply_online(), users, "accept_application")
    declined = apply_online()
    advance(declined, users, "decline_application", note="证件不符")
    for who in ("dest_clerk", "origin_clerk"):
        client = visits.client(users[who])
        visits.get(client, "/?tab=applications")
        for case in (differing, new, accepted, declined):
            visits.get(client, case.get_absolute_url())
    dest = visits.client(users["dest_clerk"])
    visits.post(dest, reverse("cases:transition", args=[differing.reference, "accept_application"]), {}, status=400)
    visits.post(dest, reverse("cases:transition", args=[differing.reference, "accept_application"]), {
        "accept_application-identity_checked": "on", "accept_application-confirmed_name": "王武",
    })
    worker = visits.client()
    for case in (differing, new, accepted, declined):
        visits.post(worker, "/status/", {"reference": case.reference, "id_number": case.applicant.id_number})
    visits.post(worker, "/act/", {"reference": new.reference, "id_number": new.applicant.id_number,
                                  "access_code": services.case_issue_access_code(case=new)})
    visits.get(worker, "/act/case/")
    cache.clear()


def visit_portal_pages(visits: Visits, cases: dict, settings) -> None:
    worker = visits.client()
    for path in ("/", "/status/", "/apply/", "/act/", "/verify/", "/verify/?code=", "/agencies/",
                 "/agencies/?q=深圳", "/agencies/?q=没有&province=44", "/no-such-page/"):
        visits.get(worker, path, status=404 if path == "/no-such-page/" else 200)
    visits.get(worker, "/apply/done/")
    for case in cases.values():
        visits.post(worker, "/status/", {"reference": case.reference, "id_number": case.worker.id_number})
    visits.post(worker, "/status/", {"reference": "TR-2026-NOSUCH", "id_number": "11010519491231002X"})
    visits.post(worker, "/status/", {})
    visits.get(worker, reverse("cases:verify", args=[latest_agreement(cases["agreement_issued"]).verification_code]))
    visits.get(worker, reverse("cases:verify", args=[cases["reissued"].agreements.get(status="void").verification_code]))
    visits.get(worker, reverse("cases:verify", args=[cases["completed"].acceptance_code]))
    visits.get(worker, reverse("cases:verify", args=["NOSUCH9"]), status=404)
    visits.post(worker, "/apply/", {"id_number": "123", "email": "bad", "phone": "x"})
    visits.post(worker, "/apply/", {
        "id_number": make_id_number(), "name": "韩梅梅", "hukou_city": "510100", "phone": "13800138000",
        "email": "hmm@example.org", "insurance_type": "pension", "origin_city": "440300",
        "destination_city": "510100", "consent": "on",
    })
    visits.post(worker, "/act/", {"reference": "TR-2026-NOSUCH", "id_number": "1", "access_code": "X"})
    for state in ("info_requested", "verifying", "agreement_issued", "completed"):
        case = cases[state]
        code = services.case_issue_access_code(case=case)
        client = visits.client()
        visits.post(client, "/act/", {"reference": case.reference, "id_number": case.worker.id_number,
                                      "access_code": code})
        visits.post(client, "/act/case/", {"note": ""}, status=(200, 400))
        visits.post(client, "/act/material/", {"note": "只有留言"}, status=(200, 400))
        visits.post(client, "/act/material/", {"attachments": [SimpleUploadedFile("证明.pdf", PDF)], "note": "补充"})
        visits.get(client, "/act/withdraw/")
        visits.get(client, "/act/withdrawn/")
        if state == "verifying":
            visits.post(client, "/act/withdraw/", {})
        visits.post(client, "/act/leave/", {})
        visits.get(client, "/act/case/")
    cache.clear()
    settings.STATUS_LOOKUP_MAX_FAILURES = 1
    visits.post(worker, "/status/", {"reference": "TR-2026-NOSUCH", "id_number": "1"})
    visits.post(worker, "/status/", {"reference": "TR-2026-NOSUCH", "id_number": "1"}, status=429)
    visits.post(worker, "/act/", {"reference": "TR-2026-NOSUCH", "id_number": "1", "access_code": "X"}, status=429)
    cache.clear()


def visit_admin_pages(visits: Visits) -> None:
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", PASSWORD)
    client = visits.client(boss)
    visits.get(client, reverse("admin:index"))
    for model, model_admin in admin.site._registry.items():
        app, name = model._meta.app_label, model._meta.model_name
        visits.get(client, reverse("admin:app_list", args=[app]))
        visits.get(client, reverse(f"admin:{app}_{name}_changelist"))
        if model_admin.has_add_permission(_request_for(boss)):
            visits.get(client, reverse(f"admin:{app}_{name}_add"))
            visits.post(client, reverse(f"admin:{app}_{name}_add"), {})
        first = model_admin.get_queryset(_request_for(boss)).order_by("pk").first()
        if first is not None:
            visits.get(client, reverse(f"admin:{app}_{name}_change", args=[first.pk]))
            visits.get(client, reverse(f"admin:{app}_{name}_history", args=[first.pk]))


def _request_for(user: object) -> object:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def visit_error_pages(visits: Visits) -> None:
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        for label, response in [
            ("500", defaults.server_error(request)),
            ("503", unavailable_response(request)),
            ("sign-in locked", locked_out(request, None, None)),
            ("400", defaults.bad_request(request, Exception())),
            ("CSRF", csrf_failure(request)),
        ]:
            visits.recorder.clear()
            visits.check(label, response.content.decode())


def test_every_page_in_chinese_shows_no_untranslated_text(users, cases_in_every_state, settings):
    with recording_untranslated() as recorder:
        visits = Visits(recorder)
        visit_clerk_pages(visits, users, cases_in_every_state)
        visit_application_pages(visits, users)
        visit_portal_pages(visits, cases_in_every_state, settings)
        visit_admin_pages(visits)
        visit_error_pages(visits)
    leaks = {f"{lookup.context}|{lookup.message}" if lookup.context else lookup.message: pages[:3]
             for lookup, pages in visits.leaks.items()}
    assert not leaks, f"untranslated on a Chinese page ({len(leaks)}): {leaks}"
    latin = {phrase: pages[:3] for phrase, pages in visits.latin.items()}
    assert not latin, f"English on a Chinese page ({len(latin)}): {latin}"
    unvisited = cases_url_names() - visits.url_names - NOT_HTML
    assert not unvisited, f"pages never rendered by this test: {sorted(unvisited)}"
    assert visits.pages > 200


def test_the_latin_check_finds_english_words_but_not_data_or_markup():
    page = (
        '<p title="Open the case">工作台 origin_clerk a@b.org application/pdf TR-2026-ABC123 MB</p>'
        "<script>var hidden = 'not shown';</script><bdi>Salty</bdi>"
    )
    assert latin_phrases(page) == {"Open the case"}
    assert latin_phrases("<p>访问码 GRJMSYFQ，PDF 或 JPEG</p>") == set()
