"""Registering insured workers; recording who read their personal data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.ids import mask_in_text, parse_id_number
from cases.models import (
    Actor,
    Worker,
    WorkerAccess,
)
from regions.models import Agency, City


def worker_register(
    *, id_number: str, name: str, hukou_city: City, phone: str = "", email: str = "",
    registered_by_agency: Agency | None = None,
) -> Worker:
    """`registered_by_agency` is the clerk's agency (it may read the worker from then on); None online."""
    try:
        facts = parse_id_number(id_number)
    except ValidationError as error:
        # Keyed by field like every other refusal here, so callers can rely on message_dict.
        raise ValidationError({"id_number": error.error_list}) from None
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter the worker's name.")]})
    if Worker.objects.filter(id_number=facts.id_number).exists():
        raise ValidationError({"id_number": [_("A worker with this ID number is already registered.")]})
    worker = Worker(
        id_number=facts.id_number, name=name, gender=facts.gender, birth_date=facts.birth_date,
        hukou_city=hukou_city, phone=str(phone or "").strip(), email=(email or "").strip(),
        registered_by_agency=registered_by_agency,
    )
    # Lengths, the e-mail address and the phone number as the fields define them: PostgreSQL would refuse an
    # over-long value with a DataError instead of saying which field is wrong.
    worker.full_clean(exclude=["id_number"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            worker.save(force_insert=True)
            return worker
    except IntegrityError:
        raise ValidationError({"id_number": [_("A worker with this ID number is already registered.")]}) from None


# --- the access record ---------------------------------------------------------------------------


def worker_access_record(
    *, user: object, worker_id: int, what: str, ip: str | None, path: str, case_id: int | None = None
) -> WorkerAccess:
    """One read of a worker's full ID number or contribution history: who, which agency, what, when, from where.

    The path is stored with any ID number in it masked; the record names the worker by its link.
    """
    actor = Actor.for_user(user)
    return WorkerAccess.objects.create(
        user_id=actor.user_id, username=actor.label, agency_id=actor.agency_id, worker_id=worker_id,
        case_id=case_id, what=what, ip=ip or None,
        path=mask_in_text(path)[: WorkerAccess._meta.get_field("path").max_length],
    )
