"""The contribution upload reads what Chinese offices export: CSV in UTF-8, UTF-8 with BOM or GBK, and .xlsx; Chinese
or English headers; months and insurance types as people write them. Every file is made here, in the test."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from cases.models import ContributionPeriod
from regions.models import RegionPolicy
from tests.factories import open_case

pytestmark = pytest.mark.usefixtures("english")

ZH_HEADER = "险种,参保城市代码,起始月份,截止月份,月缴费基数,个人账户月记账额,是否已缴\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, case, content: bytes, name: str = "periods.csv", content_type: str = "text/csv"):
    return client.post(
        f"/cases/{case.reference}/contributions/upload/",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def stored(case) -> list[tuple]:
    return list(
        ContributionPeriod.objects.filter(worker=case.worker).order_by("start_month").values_list(
            "insurance_type", "city_id", "start_month", "end_month", "monthly_base", "personal_account_credit", "paid"
        )
    )


def file_error(response) -> str:
    return " ".join(response.context["upload_form"].errors["file"])


@pytest.fixture
def case(users, client):
    made = open_case(users, with_periods=False)
    client.force_login(users["origin_clerk"])
    client.cookies["django_language"] = "en"
    return made


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_gbk_file_with_chinese_headers_months_and_types(client, case):
    body = ZH_HEADER + (
        "养老,440300,2018/1,2018/12,6000.00,,是\n"
        "养老保险,440300,201901,201906,6500,520.00,否\n"
        "医疗,440300,2019-07,2019-07,6500.00,,\n"
        "失业保险,440300,2019年8月,2019年9月,6500.00,,已缴\n"
    )
    response = upload(client, case, body.encode("gbk"))
    assert response.status_code == 302, response.context and response.context["row_errors"]
    assert stored(case) == [
        ("pension", "440300", dt.date(2018, 1, 1), dt.date(2018, 12, 1), Decimal("6000.00"), None, True),
        ("pension", "440300", dt.date(2019, 1, 1), dt.date(2019, 6, 1), Decimal("6500.00"), Decimal("520.00"), False),
        ("medical", "440300", dt.date(2019, 7, 1), dt.date(2019, 7, 1), Decimal("6500.00"), None, True),
        ("unemployment", "440300", dt.date(2019, 8, 1), dt.date(2019, 9, 1), Decimal("6500.00"), None, True),
    ]


def test_utf8_with_a_byte_order_mark_and_english_words(client, case):
    body = "Insurance type,City code,First month,Last month,Monthly base,Paid\n" \
           "Pension insurance,440300,2020-01,2020-12,7000.00,yes\n" \
           "MEDICAL,440300,2020-1,2020-2,7000.00,no\n"
    response = upload(client, case, b"\xef\xbb\xbf" + body.encode("utf-8"))
    assert response.status_code == 302
    assert [(r[0], r[2], r[6]) for r in stored(case)] == [
        ("pension", dt.date(2020, 1, 1), True), ("medical", dt.date(2020, 1, 1), False),
    ]


def test_plain_utf8_with_the_parsers_own_names(client, case):
    body = "insurance_type,city_code,start_month,end_month,monthly_base\npension,440300,2021-01,2021-03,7100.00\n"
    assert upload(client, case, body.encode("utf-8")).status_code == 302
    assert len(stored(case)) == 1


def test_an_xlsx_written_by_openpyxl_with_a_title_row_dates_and_numbers(client, case):
    content = xlsx([
        ["深圳市社会保险缴费明细"],
        ["险种", "参保城市代码", "起始月份", "截止月份", "月缴费基数", "个人账户月记账额", "是否已缴", "备注"],
        ["养老", 440300, dt.datetime(2017, 1, 1), dt.datetime(2017, 12, 1), 5800.5, None, "是", "note"],
        ["养老", "440300", "2018-01", 201806, 6000, 480, True, None],
        [None, None, None, None, None, None, None, None],
        ["医疗", 440300, "2018/7", "2018/7", "6000.00", None, False, ""],
    ])
    response = upload(client, case, content, "明细.xlsx", XLSX)
    assert response.status_code == 302, response.context and (response.context["row_errors"], file_error(response))
    assert stored(case) == [
        ("pension", "440300", dt.date(2017, 1, 1), dt.date(2017, 12, 1), Decimal("5800.50"), None, True),
        ("pension", "440300", dt.date(2018, 1, 1), dt.date(2018, 6, 1), Decimal("6000.00"), Decimal("480.00"), True),
        ("medical", "440300", dt.date(2018, 7, 1), dt.date(2018, 7, 1), Decimal("6000.00"), None, False),
    ]


def test_row_errors_name_the_files_own_line_and_header(client, case):
    content = xlsx([
        ["明细"],
        ["险种", "参保城市代码", "起始月份", "截止月份", "月缴费基数"],
        ["养老", 440300, "2018-01", "2018-12", 6000],
        ["工伤", 440300, "2019-01", "2019-13", "lots"],
    ])
    response = upload(client, case, content, "x.xlsx", XLSX)
    assert response.status_code == 400
    assert {(line, column) for line, column, _m in response.context["row_errors"]} == {
        (4, "险种"), (4, "截止月份"), (4, "月缴费基数"),
    }
    assert not stored(case)


def test_a_base_below_the_policy_floor_is_refused_naming_the_bound(client, case):
    RegionPolicy.objects.create(province_id="44", year=2023, base_floor=Decimal("4546.00"))
    response = upload(client, case, (ZH_HEADER + "养老,440300,2023-01,2023-12,1.00,,是\n").encode("gbk"))
    assert response.status_code == 400
    assert [(line, column, message) for line, column, message in response.context["row_errors"]] == [
        (2, "月缴费基数", "2023: the base is below the floor of 4546.00."),
    ]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".xls"),
        (b"\x00\x01\x02\x03\xfe\xff\x00\x10" * 20, "not a table"),
        (b"insurance_type,city_code\x00,start_month\npension,440300\x00,2020-01\n", "NUL"),
        ("这是一封信，不是表格。\n谢谢。\n".encode("gbk"), "not a table"),
        (b"", "empty"),
    ],
)
def test_a_file_that_is_not_a_table_is_told_so(client, case, content, fragment):
    response = upload(client, case, content)
    assert response.status_code == 400
    assert fragment in file_error(response)
    assert not stored(case)


def test_a_zip_that_is_no_workbook_and_a_broken_workbook_are_told_so(client, case):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    response = upload(client, case, buffer.getvalue(), "a.xlsx", XLSX)
    assert response.status_code == 400 and "not an Excel workbook" in file_error(response)
    broken = xlsx([["险种"]])[:-200]
    response = upload(client, case, broken, "b.xlsx", XLSX)
    assert response.status_code == 400 and "not a table" in file_error(response)


def test_a_row_longer_than_its_header_is_refused(client, case):
    body = "insurance_type,city_code,start_month,end_month,monthly_base\n" \
           "pension,440300,2020-01,2020-12,7000.00\n" \
           "pension,440300,2021-01,2021-12,7,000.00\n"
    response = upload(client, case, body.encode())
    assert response.status_code == 400
    assert "Lines 3 have more cells than the header" in file_error(response)
    assert not stored(case)


def test_a_200_kib_field_is_a_clear_error_not_a_crash(client, case):
    body = "insurance_type,city_code,start_month,end_month,monthly_base\n" + "pension,440300,2020-01,2020-12," + \
        "9" * (200 * 1024) + "\n"
    response = upload(client, case, body.encode())
    assert response.status_code == 400
    assert "line 2" in file_error(response)
    quoted = "insurance_type,city_code,start_month,end_month,monthly_base\n" + 'pension,440300,2020-01,2020-12,"' + \
        "x" * 1000 + '"\n'
    response = upload(client, case, quoted.encode())
    assert response.status_code == 400 and "at most 255 characters" in file_error(response)


def test_a_file_larger_than_the_limit_is_refused(client, case):
    response = upload(client, case, b"a" * (1024 * 1024 + 10))
    assert response.status_code == 400 and "1 MB" in file_error(response)


def test_missing_columns_are_named(client, case):
    response = upload(client, case, "险种,参保城市代码\n养老,440300\n".encode())
    assert response.status_code == 400
    assert "起始月份 (start_month)" in file_error(response) and "月缴费基数 (monthly_base)" in file_error(response)


def test_two_columns_for_one_field_are_refused(client, case):
    response = upload(client, case, "险种,insurance_type,参保城市代码,起始月份,截止月份,月缴费基数\n".encode())
    assert response.status_code == 400 and "keep one" in file_error(response)


@pytest.mark.parametrize(
    ("language", "header"),
    [
        ("en", ["insurance_type", "city_code", "start_month", "end_month", "monthly_base", "personal_account_credit",
                "paid"]),
        ("zh", ["险种", "参保城市代码", "起始月份", "截止月份", "月缴费基数", "个人账户月记账额", "是否已缴"]),
    ],
)
def test_the_templates_in_both_languages_round_trip(client, case, language, header):
    csv_template = client.get("/contributions-template.csv", {"headers": language})
    assert csv_template["Content-Type"].startswith("text/csv")
    assert f"contributions-template-{language}.csv" in csv_template["Content-Disposition"]
    assert csv_template.content.decode("utf-8-sig").strip().split(",") == header
    xlsx_template = client.get("/contributions-template.xlsx", {"headers": language})
    assert xlsx_template["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(xlsx_template.content))
    assert [cell.value for cell in workbook.active[1]] == header
    # A clerk fills the template in and uploads it.
    workbook.active.append(["养老" if language == "zh" else "pension", "440300", "2022-01", "2022-06", "8000.00"])
    filled = io.BytesIO()
    workbook.save(filled)
    assert upload(client, case, filled.getvalue(), "filled.xlsx", XLSX).status_code == 302
    assert len(stored(case)) == 1
