"""E-mail the other party after a transition has committed (never inside the transaction)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail, send_mass_mail
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def transition_made(event_id: int) -> None:
    from cases.models import CaseEvent, CaseStatus, TransferCase

    event = CaseEvent.objects.select_related("case__worker", "case__origin_agency", "case__destination_agency").get(
        pk=event_id
    )
    case: TransferCase = event.case
    other_agencies = {case.origin_agency_id, case.destination_agency_id} - {event.agency_id}
    clerk_addresses = list(
        get_user_model().objects.filter(membership__agency_id__in=other_agencies, is_active=True)
        .exclude(email="").values_list("email", flat=True)
    )
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        status = CaseStatus(case.status).label
        if clerk_addresses:
            subject = _("Case %(reference)s: %(status)s") % {"reference": case.reference, "status": status}
            body = _(
                "Case %(reference)s (%(type)s) between %(origin)s and %(destination)s is now “%(status)s”.\n"
                "%(note)s"
            ) % {
                "reference": case.reference, "type": case.get_insurance_type_display(),
                "origin": case.origin_agency.name, "destination": case.destination_agency.name,
                "status": status, "note": event.note,
            }
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, clerk_addresses))
        # Events the worker caused carry no clerk; the worker needs no mail about their own action.
        if case.worker.email and event.actor_id is not None:
            subject = _("Your social insurance transfer %(reference)s: %(status)s") % {
                "reference": case.reference, "status": status,
            }
            # The worker's copy carries no personal data beyond the reference: e-mail is not private.
            body = _(
                "Your transfer case %(reference)s is now “%(status)s”. Check its progress online with the "
                "reference and your ID number."
            ) % {"reference": case.reference, "status": status}
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [case.worker.email]))
    if messages:
        try:
            send_mass_mail(messages, fail_silently=False)
        except OSError:
            # The transition stands; a mail server outage must not undo it.
            logger.exception("notification for event %s not sent", event_id)


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
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)
    except OSError:
        # The application stands; the worker still saw the code on the confirmation page.
        logger.exception("access code for %s not sent", reference)


def history_changed(event_id: int) -> None:
    """A period recorded, corrected or deleted for a worker with an open case: the case's agencies are told,
    except the one that made the change (it knows)."""
    from cases.models import CaseEvent

    event = CaseEvent.objects.select_related("case__origin_agency", "case__destination_agency").get(pk=event_id)
    case = event.case
    agencies = {case.origin_agency_id, case.destination_agency_id} - {event.agency_id}
    addresses = list(
        get_user_model().objects.filter(membership__agency_id__in=agencies, is_active=True)
        .exclude(email="").values_list("email", flat=True)
    )
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
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False)
    except OSError:
        # The change stands; a mail server outage must not undo it.
        logger.exception("notification for event %s not sent", event_id)
