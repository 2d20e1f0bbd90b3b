"""worker_register: the ID number decides gender and birth date; one worker per ID number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cases.models import Worker
from cases.services import worker_register
from regions.models import City

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "reference_data")]


def chengdu() -> City:
    return City.objects.get(code="510100")


def test_register_decodes_the_id_number():
    worker = worker_register(id_number="11010519491231002x", name=" 王芳 ", hukou_city=chengdu(), phone=" 13800000000 ",
                             email=" wf@example.org ")
    worker.refresh_from_db()
    assert worker.id_number == "11010519491231002X"
    assert (worker.gender, worker.birth_date) == ("female", dt.date(1949, 12, 31))
    assert (worker.name, worker.phone, worker.email) == ("王芳", "13800000000", "wf@example.org")
    assert worker.masked_id == "1101**********002X"
    assert worker.hukou_province_code == "51"
    assert str(worker) == "王芳 (1101**********002X)"


def test_an_invalid_id_number_is_a_field_error():
    with pytest.raises(ValidationError) as caught:
        worker_register(id_number="320106199003071235", name="张三", hukou_city=chengdu())
    assert "should be 4" in caught.value.message_dict["id_number"][0]
    assert not Worker.objects.exists()


def test_a_name_is_required():
    with pytest.raises(ValidationError) as caught:
        worker_register(id_number="440524188001010014", name="  ", hukou_city=chengdu())
    assert list(caught.value.message_dict) == ["name"]


def test_one_worker_per_id_number():
    worker_register(id_number="440524188001010014", name="张三", hukou_city=chengdu())
    with pytest.raises(ValidationError) as caught:
        worker_register(id_number="440524188001010014", name="张三", hukou_city=chengdu())
    assert "already registered" in caught.value.message_dict["id_number"][0]
    assert Worker.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "values"),
    [("name", {"name": "名" * 65}), ("phone", {"phone": "1" * 33}), ("email", {"email": "not-an-address"})],
)
def test_too_long_or_malformed_details_are_field_errors(field, values):
    # PostgreSQL would refuse an over-long value with a DataError (a 500); say which field instead.
    kwargs = {"id_number": "440524188001010014", "name": "张三", "hukou_city": chengdu(), **values}
    with pytest.raises(ValidationError) as caught:
        worker_register(**kwargs)
    assert field in caught.value.message_dict
    assert not Worker.objects.exists()
