"""Registering insured workers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.ids import parse_id_number
from cases.models import (
    Worker,
)
from regions.models import City


def worker_register(
    *, id_number: str, name: str, hukou_city: City, phone: str = "", email: str = ""
) -> Worker:
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
        hukou_city=hukou_city, phone=(phone or "").strip(), email=(email or "").strip(),
    )
    # Lengths and the e-mail address as the fields define them: PostgreSQL would refuse an over-long value
    # with a DataError instead of saying which field is wrong.
    worker.full_clean(exclude=["id_number"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            worker.save(force_insert=True)
            return worker
    except IntegrityError:
        raise ValidationError({"id_number": [_("A worker with this ID number is already registered.")]}) from None

