"""E-mail the other party about a change: each message is an outbox row written in the change's own transaction,
sent by a worker after the commit, retried until the mail server takes it (outbox.services; docs/deploy.md).

Call these inside the transaction that makes the change. Every message goes through `_send_one`, never through
`send_mail`: a message sent inside the request is lost when the mail server is down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from cases.models import CaseEvent

from outbox.services import email_enqueue


def clerk_addresses_of(agency_ids: set[int]) -> list[str]:
    """The e-mail addresses of the active staff of these agencies."""
    return list(
        get_user_model().objects.filter(membership__agency_id__in=agency_ids, is_active=True)
        .exclude(email="").values_list("email", flat=True)
    )


def transition_made(event_id: int) -> None:
    from cases.models import CaseEvent, CaseStatus, TransferCase

    event = CaseEvent.objects.select_related(
        "case__worker", "case__applicant", "case__origin_agency", "case__destination_agency"
    ).get(pk=event_id)
    case: TransferCase = event.case
    other_agencies = {case.origin_agency_id, case.destination_agency_id} - {event.agency_id}
    if CaseStatus.APPLIED in (event.from_status, event.to_status) and event.transition != "accept_application":
        # An application not accepted is the lodging agency's alone: it hears of a new one, the other end of
        # nothing until it is accepted (then it gets the contact letter, below).
        other_agencies = {case.lodged_at_id} if event.transition == "open" else set()
    clerk_addresses = clerk_addresses_of(other_agencies)
    messages = []
    worker_email = case.contact_email
    with translation.override(settings.LANGUAGE_CODE):
        if clerk_addresses:
            messages.append((*clerk_update(event), clerk_addresses))
        # Events the worker caused carry no clerk; the worker needs no mail about their own action.
        if worker_email and event.actor_id is not None:
            subject, body = worker_update(event)
            messages.append((subject, body, [worker_email]))
    for subject, body, to in messages:
        _send_one(subject, body, to, f"event {event_id}")


def clerk_update(event: CaseEvent) -> tuple[str, str]:
    """The other agency's copy of a step; the contact letter's arrival for the origin when the destination
    accepts an application (or opens a case at its counter), with what to send and by when."""
    from cases.models import CaseStatus

    case = event.case
    status = CaseStatus(case.status).label
    names = {
        "reference": case.reference, "type": case.get_insurance_type_display(), "origin": case.origin_agency.name,
        "destination": case.destination_agency.name, "status": status, "note": event.note,
    }
    if event.transition == "open" and event.to_status == CaseStatus.APPLIED:
        subject = _("Case %(reference)s: an online application waits for acceptance") % names
        body = _(
            "An online application %(reference)s (%(type)s, from %(origin)s) was lodged with %(destination)s. "
            "Check the applicant's identity document, then accept or decline it: %(url)s"
        ) % {**names, "url": site_url(case.get_absolute_url())}
        return subject, body
    if event.transition in ("accept_application", "open") and case.has_contact_letter:
        subject = _("Case %(reference)s: contact letter from %(destination)s") % names
        body = _(
            "%(destination)s accepted the application %(reference)s (%(type)s) and asks %(origin)s to verify the "
            "contribution history, issue the transfer information form and, for a full transfer, remit the "
            "funds by %(due)s.\nThe contact letter: %(letter)s\nThe case: %(url)s\n%(note)s"
        ) % {
            **names, "due": f"{case.due_date:%Y-%m-%d}" if case.due_date else "—",
            "letter": site_url(reverse("cases:contact_letter_pdf", args=[case.reference])),
            "url": site_url(case.get_absolute_url()),
        }
        return subject, body
    subject = _("Case %(reference)s: %(status)s") % names
    body = _(
        "Case %(reference)s (%(type)s) between %(origin)s and %(destination)s is now “%(status)s”.\n"
        "%(note)s"
    ) % names
    return subject, body


def site_url(path: str) -> str:
    """An absolute link for an e-mail, which is written outside any request (settings.SITE_URL)."""
    return f"{settings.SITE_URL}{path}"


def worker_update(event: CaseEvent) -> tuple[str, str]:
    """The worker's copy of a step: where the case stands and where to look; for a request, what is needed.

    It carries no personal data beyond the reference (e-mail is not private), except what the origin
    asks for, which the worker must read to answer.
    """
    from cases.models import CaseStatus

    case = event.case
    status = CaseStatus(case.status).label
    names = {
        "reference": case.reference, "status": status, "origin": case.origin_agency.name,
        "destination": case.destination_agency.name,
    }
    if event.transition == "accept_application":
        subject = _("Your social insurance transfer %(reference)s is accepted") % names
        body = _(
            "%(destination)s accepted your application %(reference)s and has asked %(origin)s to send your "
            "contribution record. Follow each step online with the reference and your ID number: %(url)s"
        ) % {**names, "url": site_url(reverse("cases:status"))}
        return subject, body
    if event.transition == "complete":
        subject = _("Your social insurance transfer %(reference)s is complete") % names
        body = _(
            "The transfer %(reference)s is complete: your insurance relationship continues at %(destination)s, "
            "which holds the acceptance confirmation. See the steps online with the reference and your ID "
            "number: %(url)s"
        ) % {**names, "url": site_url(reverse("cases:status"))}
        return subject, body
    if event.transition == "request_info":
        subject = _("Your social insurance transfer %(reference)s: information needed") % names
        body = _(
            "%(origin)s needs more information from you before it can go on with your transfer case "
            "%(reference)s. It asks:\n\n%(note)s\n\n"
            "Answer online, and send documents, on “My case”: %(url)s\n"
            "You need the reference, your ID number and your access code; %(origin)s gives you a new access "
            "code if you have none. You may also hand the documents in at %(origin)s.\n"
            "The time limit is paused until you answer."
        ) % {**names, "note": event.note, "url": site_url(reverse("cases:act"))}
        return subject, body
    subject = _("Your social insurance transfer %(reference)s: %(status)s") % names
    body = _(
        "Your transfer case %(reference)s is now “%(status)s”. Check its progress online with the "
        "reference and your ID number: %(url)s"
    ) % {**names, "url": site_url(reverse("cases:status"))}
    return subject, body


def worker_material_added(event_id: int, attachment_ids: list[int]) -> None:
    """The agency whose turn it is hears of documents the worker sent without being asked."""
    from cases.models import CaseAttachment, CaseEvent, Side

    event = CaseEvent.objects.select_related("case__origin_agency", "case__destination_agency").get(pk=event_id)
    case = event.case
    # While the case waits on the worker it is the origin's, which asked and reads the answer.
    agency = case.destination_agency if case.next_side() == Side.DESTINATION else case.origin_agency
    addresses = list(
        get_user_model().objects.filter(membership__agency=agency, is_active=True)
        .exclude(email="").values_list("email", flat=True)
    )
    if not addresses:
        return
    files = list(CaseAttachment.objects.filter(pk__in=attachment_ids, case=case).values_list("original_name", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Case %(reference)s: the worker sent more material") % {"reference": case.reference}
        body = _(
            "The worker sent documents for case %(reference)s (%(type)s, %(origin)s to %(destination)s):\n"
            "%(files)s\n\n%(note)s\n\nThey are on the case page: %(url)s"
        ) % {
            "reference": case.reference, "type": case.get_insurance_type_display(),
            "origin": case.origin_agency.name, "destination": case.destination_agency.name,
            "files": "\n".join(f"- {name}" for name in files), "note": event.note,
            "url": site_url(case.get_absolute_url()),
        }
    _send_one(subject, body, addresses, f"material of event {event_id}")


def withdrawal_confirmed(event_id: int, language: str) -> None:
    """The worker's own record that they withdrew, in the language they used on the page."""
    from cases.models import CaseEvent

    event = CaseEvent.objects.select_related(
        "case__worker", "case__applicant", "case__origin_agency", "case__destination_agency"
    ).get(pk=event_id)
    case = event.case
    if not case.contact_email:
        return
    with translation.override(language):
        subject = _("Your social insurance transfer %(reference)s is withdrawn") % {"reference": case.reference}
        body = _(
            "You withdrew your application %(reference)s (%(type)s, from %(origin)s to %(destination)s) on "
            "%(date)s. Nothing more happens with it, and your insurance stays where it is now.\n"
            "To transfer it later, apply again: %(url)s\n"
            "If you did not withdraw it yourself, contact %(origin)s at once."
        ) % {
            "reference": case.reference, "type": case.get_insurance_type_display(),
            "origin": case.origin_agency.name, "destination": case.destination_agency.name,
            "date": f"{timezone.localtime(event.at):%Y-%m-%d %H:%M}", "url": site_url(reverse("cases:apply")),
        }
    _send_one(subject, body, [case.contact_email], f"withdrawal of event {event_id}")


def reminder_due(reminder_id: int) -> None:
    """A due date near or missed, to the agency whose turn it is: the assignee and the supervisors when the case is
    assigned, every active member otherwise (cases/services/reminders.py)."""
    from cases.models import CaseReminder
    from regions.models import AgencyMembership

    reminder = CaseReminder.objects.select_related("case__origin_agency", "case__destination_agency").get(
        pk=reminder_id
    )
    case = reminder.case
    members = get_user_model().objects.filter(membership__agency_id=reminder.agency_id, is_active=True).exclude(email="")
    if case.assignee_id is not None:
        members = members.filter(
            models.Q(pk=case.assignee_id) | models.Q(membership__role=AgencyMembership.Role.SUPERVISOR)
        )
    addresses = list(members.values_list("email", flat=True))
    if not addresses:
        return
    names = {
        "reference": case.reference, "type": case.get_insurance_type_display(), "origin": case.origin_agency.name,
        "destination": case.destination_agency.name, "date": f"{reminder.due_date:%Y-%m-%d}",
        "url": site_url(case.get_absolute_url()),
    }
    with translation.override(settings.LANGUAGE_CODE):
        if reminder.kind == CaseReminder.Kind.MISSED:
            subject = _("Case %(reference)s is overdue: it was due on %(date)s") % names
            body = _(
                "Case %(reference)s (%(type)s, %(origin)s to %(destination)s) was due on %(date)s and waits for your "
                "agency's step. Take it up today: %(url)s"
            ) % names
        else:
            subject = _("Case %(reference)s is due on %(date)s") % names
            body = _(
                "Case %(reference)s (%(type)s, %(origin)s to %(destination)s) waits for your agency's step and is "
                "due on %(date)s, in three working days or less: %(url)s"
            ) % names
    _send_one(subject, body, addresses, f"reminder {reminder_id}")


def _send_one(subject: str, body: str, to: list[str], what: str) -> None:
    """One message to `to` through the outbox; `what` names it in the admin and the log (never personal data)."""
    email_enqueue(subject=subject, body=body, to=to, about=what)


def access_code_issued(*, email: str, reference: str, access_code: str, act_url: str, language: str) -> None:
    """The one copy of the access code besides the confirmation page; in the applicant's language."""
    with translation.override(language):
        subject = _("Your social insurance transfer application %(reference)s") % {"reference": reference}
        body = _(
            "Your application is lodged.\n\nReference: %(reference)s\nAccess code: %(code)s\n\n"
            "Keep both. With the reference and your ID number you can check the progress at any time; "
            "with the access code as well you can answer a request for information or withdraw the "
            "application: %(url)s\nNo agency will ever ask you for the access code."
        ) % {"reference": reference, "code": access_code, "url": act_url}
    _send_one(subject, body, [email], f"access code of {reference}")


def history_changed(event_id: int) -> None:
    """A period recorded, corrected or deleted for a worker with an open case: the case's agencies are told,
    except the one that made the change (it knows)."""
    from cases.models import CaseEvent

    event = CaseEvent.objects.select_related("case__origin_agency", "case__destination_agency").get(pk=event_id)
    case = event.case
    addresses = clerk_addresses_of({case.origin_agency_id, case.destination_agency_id} - {event.agency_id})
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Case %(reference)s: the contribution history changed") % {"reference": case.reference}
        # Periods carry no name or ID number: the reference is enough for a clerk to open the case.
        body = _(
            "The contribution history behind case %(reference)s (%(type)s) between %(origin)s and %(destination)s "
            "changed. Check the figures before the next step.\n%(note)s"
        ) % {
            "reference": case.reference, "type": case.get_insurance_type_display(),
            "origin": case.origin_agency.name, "destination": case.destination_agency.name, "note": event.note,
        }
    _send_one(subject, body, addresses, f"history change of event {event_id}")


def funds_recorded(event_id: int) -> None:
    """The other agency hears of money recorded: the destination of a remittance, the origin of a receipt."""
    from cases.models import CaseEvent

    event = CaseEvent.objects.select_related("case__origin_agency", "case__destination_agency").get(pk=event_id)
    case = event.case
    addresses = clerk_addresses_of({case.origin_agency_id, case.destination_agency_id} - {event.agency_id})
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        names = {
            "reference": case.reference, "type": case.get_insurance_type_display(),
            "origin": case.origin_agency.name, "destination": case.destination_agency.name, "note": event.note,
            "url": site_url(case.get_absolute_url()),
        }
        if event.transition == "record_remittance":
            subject = _("Case %(reference)s: funds remitted") % names
            body = _(
                "%(origin)s remitted the funds of case %(reference)s (%(type)s) to %(destination)s.\n%(note)s\n\n"
                "Record what you receive on the case page: %(url)s"
            ) % names
        else:
            subject = _("Case %(reference)s: funds received") % names
            body = _(
                "%(destination)s recorded funds received for case %(reference)s (%(type)s) from %(origin)s.\n"
                "%(note)s\n\nThe case page: %(url)s"
            ) % names
    _send_one(subject, body, addresses, f"notification for event {event_id}")
