"""The public agency directory at /agencies/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from regions.models import Agency
from tests.cases.portal_support import in_language

URL = reverse("cases:agencies")


def names(response) -> list[str]:
    return [agency.name for agency in response.context["page"].object_list]


def test_search_by_city_name(client, reference_data):
    agency = Agency.objects.get(code="440300")
    agency.address, agency.phone, agency.hours = "深圳市福田区福中三路", "0755-12333", "周一至周五 9:00–18:00"
    agency.save()
    response = client.get(URL, {"q": "深圳"})
    assert names(response) == ["深圳市社会保险事业管理局"]
    html = response.content.decode()
    assert "深圳市福田区福中三路" in html
    assert 'href="tel:0755-12333"' in html
    assert "周一至周五 9:00–18:00" in html


def test_search_by_the_first_digits_of_a_code(client, reference_data):
    assert names(client.get(URL, {"q": "4403"})) == ["深圳市社会保险事业管理局"]
    assert names(client.get(URL, {"q": "0" * 64})) == []


def test_search_by_province_name_lists_its_cities(client, reference_data):
    found = names(client.get(URL, {"q": "广东"}))
    assert "广州市社会保险事业管理局" in found
    assert "深圳市社会保险事业管理局" in found
    assert all("广东" in Agency.objects.get(name=name).city.province.name for name in found)


def test_filter_by_province(client, reference_data):
    response = client.get(URL, {"province": "51"})
    assert "成都市社会保险事业管理局" in names(response)
    assert response.context["page"].paginator.count == Agency.objects.filter(city__province_id="51").count()


def test_inactive_agencies_are_not_listed(client, reference_data):
    Agency.objects.filter(code="440300").update(is_active=False)
    assert names(client.get(URL, {"q": "深圳"})) == []


def test_nothing_found_says_so(client, reference_data):
    response = in_language(client, "en").get(URL, {"q": "Atlantis"})
    assert "No agency matches" in response.content.decode()


def test_pages_keep_the_search(client, reference_data):
    response = client.get(URL, {"q": "市", "province": "", "page": "2"})
    assert response.context["page"].number == 2
    assert "q=%E5%B8%82&amp;province=&amp;page=3" in response.content.decode()


@pytest.mark.parametrize("params", [{}, {"q": "深圳"}, {"province": "44"}, {"page": "5"}])
def test_the_directory_costs_a_fixed_number_of_queries(client, reference_data, django_assert_max_num_queries, params):
    with django_assert_max_num_queries(3):
        client.get(URL, params)
