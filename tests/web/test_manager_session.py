"""The manager's dashboard as a browser uses it (issue 12): the filter form sent with blank
fields, a mistyped filter answered on the page, the officer filter on the headline figures,
the default period, the menu, the departments offered, and the report and JSON links
downloaded with the sign-in cookie; the report's totals row and office name."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from checklists.schema import DEPARTMENTS
from tracking.clock import THAI_MONTHS
from tracking.reads.selection import departments_with_types

from .conftest import PASSWORD, Staff

OFFICE_TH = "สำนักงานเขตปทุมวัน"
# The issue's own URL: every field sent, two of them blank.
BLANKS = (
    "/manager?date_from=2026-12-01&date_to=2026-12-02&department=environment-sanitation"
    "&permit_type=&officer="
)
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def _travel(day: date) -> Any:
    return time_machine.travel(datetime.combine(day, time(3), UTC), tick=False)


def _figure(html: str, name: str) -> str:
    match = re.search(rf'id="fig-{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


def _sign_in(
    client: TestClient, staff: Staff, role: str = "manager", dept: str | None = None
) -> str:
    username = staff(role, dept).username
    signed = client.post(
        "/staff/login",
        data={"username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    return username


# --- the filter form ---------------------------------------------------------------------------


def test_the_form_sent_with_blank_fields_shows_the_dashboard(
    staff: Staff, client: TestClient
) -> None:
    _sign_in(client, staff)
    page = client.get(BLANKS)
    assert page.status_code == 200, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="fig-received"' in page.text
    assert 'role="alert"' not in page.text
    # Every field blank: every date, department, type and officer.
    every = client.get("/manager?date_from=&date_to=&department=&permit_type=&officer=&lang=en")
    assert every.status_code == 200
    assert "Period: any date to any date" in every.text
    # The JSON the page links to takes blanks alike.
    data = client.get(
        "/api/v1/compliance/summary?date_from=&date_to=&department=&permit_type=&officer="
    )
    assert data.status_code == 200, data.text
    assert data.json()["filters"] == {
        "date_from": None,
        "date_to": None,
        "department": None,
        "permit_type": None,
        "officer": None,
    }


@pytest.mark.parametrize(
    ("query", "field", "thai", "english"),
    [
        ({"date_from": "2026-02-30"}, "date_from", "ไม่มีวันที่นี้", "No such day"),
        ({"date_from": "30/02/2569"}, "date_from", "ไม่มีวันที่นี้", "No such day"),
        ({"date_from": "1/2/69"}, "date_from", "ปีต้องมี 4 หลัก", "The year needs 4 digits"),
        ({"date_from": "next week"}, "date_from", "วันที่ไม่ถูกต้อง", "The date is not valid"),
        (
            {"date_from": "2026-12-02", "date_to": "2026-12-01"},
            "date_from",
            "วันเริ่มต้นต้องไม่อยู่หลังวันสิ้นสุด",
            "The start date must not be after the end date",
        ),
        ({"department": "finance"}, "department", "ไม่มีฝ่ายนี้", "No such department"),
        ({"permit_type": "moon-landing"}, "permit_type", "ไม่มีประเภทคำขอนี้", "No such permit"),
        ({"officer": "two words"}, "officer", "ชื่อผู้ใช้ของเจ้าหน้าที่", "username has only"),
    ],
    ids=[
        "no-such-day",
        "no-such-be-day",
        "two-digit-year",
        "not-a-date",
        "start-after-end",
        "department",
        "permit-type",
        "officer",
    ],
)
def test_an_invalid_filter_is_named_on_the_dashboard_page(
    staff: Staff,
    client: TestClient,
    query: dict[str, str],
    field: str,
    thai: str,
    english: str,
) -> None:
    _sign_in(client, staff)
    for lang, text in (("th", thai), ("en", english)):
        page = client.get("/manager", params={**query, "lang": lang})
        assert page.status_code == 422
        assert page.headers["content-type"].startswith("text/html")
        alert = page.text.split('<div class="alert" role="alert" id="filter-error">', 1)[1]
        assert text in alert.split("</div>", 1)[0].replace("&#39;", "'")
        # The form again, the field marked, to be put right and sent again.
        assert re.search(rf'id="{field}" name="{field}" aria-invalid="true"', page.text)
        assert 'action="/manager"' in page.text
    api = client.get("/api/v1/compliance/summary", params=query)
    assert api.status_code == 422
    assert api.json()["error"] == "invalid_input"
    assert api.json()["field"] == field


def test_the_officer_filter_narrows_the_headline_figures(
    engine: Engine, staff: Staff, client: TestClient, scenario: dict[str, Any]
) -> None:
    _sign_in(client, staff)
    everyone = client.get("/manager", params={**MARCH, "lang": "en"}).text
    assert _figure(everyone, "received") == "25"
    assert 'id="officer-note"' not in everyone
    # The clerk took every file in and decided none; the approver the other way round.
    clerk = client.get("/manager", params={**MARCH, "officer": "clerk-1", "lang": "en"}).text
    assert _figure(clerk, "received") == "25"
    assert _figure(clerk, "decided") == "0"
    span = {"date_from": "2026-03-01", "date_to": "2026-12-31"}
    approver = client.get("/manager", params={**span, "officer": "approver-1", "lang": "en"})
    html = approver.text
    assert _figure(html, "received") == "0"
    assert _figure(html, "decided") == "2"  # one on time, one late
    assert _figure(html, "on-time") == "50%"
    assert _figure(html, "four-eyes") == "0"
    # What no officer filter can narrow says so.
    assert "Showing approver-1&#39;s work only" in html
    overdue_card = html.split('id="fig-overdue"', 1)[1].split("</li>", 1)[0]
    assert "(whole office)" in overdue_card
    data = client.get("/api/v1/compliance/summary", params={**span, "officer": "approver-1"})
    assert data.json()["received"] == 0
    assert data.json()["decided"] == 2
    assert data.json()["not_by_officer"] == ["overdue", "result_notices"]
    everyone_json = client.get("/api/v1/compliance/summary", params=span).json()
    assert everyone_json["not_by_officer"] == []
    assert everyone_json["received"] == 25


def test_the_default_period_is_last_month_and_this_month(staff: Staff, client: TestClient) -> None:
    staff("manager")
    with _travel(date(2026, 12, 1)):  # signed in on the day: a token is dated
        _sign_in(client, staff)
        page = client.get("/manager")
        english = client.get("/manager", params={"lang": "en"})
    assert page.status_code == 200
    assert 'id="date_from" name="date_from"' in page.text
    # Dates are typed and shown in the Buddhist Era on the Thai page, ISO on the English one.
    assert 'value="01/11/2569"' in page.text
    assert 'value="01/12/2569"' in page.text
    assert 'value="2026-11-01"' in english.text
    assert "ช่วงเวลา 1 พฤศจิกายน 2569 ถึง 1 ธันวาคม 2569" in page.text
    assert "Period: 1 November 2026 to 1 December 2026" in english.text
    with _travel(date(2026, 12, 1)):
        typed = client.get("/manager", params={"date_from": "๐๑/๑๑/๒๕๖๙", "date_to": "1/12/2569"})
    assert typed.status_code == 200
    assert "ช่วงเวลา 1 พฤศจิกายน 2569 ถึง 1 ธันวาคม 2569" in typed.text
    # The report links: last month's whole, then this month's so far.
    assert "month=2026-11&amp;format=xlsx" in page.text
    assert "month=2026-12&amp;format=csv" in page.text
    with _travel(date(2026, 1, 15)):
        _sign_in(client, staff)
        january = client.get("/manager")
    assert 'value="01/12/2568"' in january.text


def test_the_dashboard_has_the_staff_menu_and_signs_out(staff: Staff, client: TestClient) -> None:
    username = _sign_in(client, staff)
    page = client.get("/manager", params={"lang": "en"})
    assert '<a href="/staff?lang=en">Work queue</a>' in page.text
    assert '<a href="/manager?lang=en" aria-current="page">' in page.text
    assert username in page.text.split('class="staff-nav"', 1)[1].split("</nav>", 1)[0]
    assert '<form method="post" action="/staff/logout">' in page.text
    assert page.headers["cache-control"] == "no-store"
    out = client.post("/staff/logout", follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/manager", follow_redirects=False).status_code == 303


def test_only_departments_with_permit_types_are_offered(staff: Staff, client: TestClient) -> None:
    _sign_in(client, staff)
    page = client.get("/manager").text
    select = page.split('<select id="department"', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option value="([a-z-]+)"', select)
    assert offered == departments_with_types()
    assert offered == ["public-works", "environment-sanitation", "city-law-enforcement", "revenue"]
    for slug in set(DEPARTMENTS) - set(offered):
        assert f'value="{slug}"' not in select


# --- the downloads -----------------------------------------------------------------------------


def test_the_dashboard_links_download_with_the_sign_in_cookie(
    engine: Engine, staff: Staff, client: TestClient, scenario: dict[str, Any]
) -> None:
    assert client.get("/api/v1/reports/monthly?month=2026-03&format=csv").status_code == 401
    staff("manager")
    with _travel(date(2026, 4, 2)):
        _sign_in(client, staff)
        page = client.get("/manager").text
        links = [link.replace("&amp;", "&") for link in re.findall(r'href="(/api/v1/[^"]+)"', page)]
        assert len(links) == 7  # Excel, CSV and JSON of two months, and the page's figures
        answers = {link: client.get(link) for link in links}
    for link, response in answers.items():
        assert response.status_code == 200, (link, response.text[:200])
        assert response.headers["cache-control"] == "no-store"
    csv_link = next(link for link in links if "month=2026-03" in link and "csv" in link)
    assert answers[csv_link].headers["content-disposition"] == (
        'attachment; filename="tidtam-2026-03.csv"'
    )
    assert _csv(answers[csv_link].content)[0][0].endswith(OFFICE_TH)
    figures = answers[next(link for link in links if "compliance" in link)].json()
    assert figures["filters"]["date_from"] == "2026-03-01"
    assert figures["received"] == 25


def test_the_cookie_opens_reads_only(staff: Staff, client: TestClient) -> None:
    clerk = staff.for_type("food-premises", "clerk")
    _sign_in(client, staff, "clerk", "environment-sanitation")
    # A clerk's cookie is someone, but not a manager.
    assert client.get("/api/v1/reports/monthly?month=2026-03").status_code == 403
    assert client.get("/api/v1/compliance/summary").status_code == 403
    # The cookie alone changes nothing through the API: writes still need the token.
    sent = client.post("/api/v1/applications", json={"permit_type": "food-premises"})
    assert sent.status_code == 401
    assert clerk.get("/api/v1/applications").status_code == 200


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_monthly_report_has_a_totals_row_and_the_office(
    engine: Engine, staff: Staff, scenario: dict[str, Any]
) -> None:
    manager = staff("manager")
    params = {"month": "2026-03"}
    table = _csv(manager.get("/api/v1/reports/monthly", params={**params, "format": "csv"}).content)
    assert table[0][0] == f"รายงานผลการให้บริการประจำเดือนมีนาคม 2569 {OFFICE_TH}"
    body, total = table[2:-1], table[-1]
    assert total[0].startswith("รวม")
    for column in range(2, 7):
        assert int(total[column]) == sum(int(row[column]) for row in body)
    assert int(total[2]) == 25
    assert "hygiene-criteria-not-met: 8" in total[7]

    book = load_workbook(io.BytesIO(manager.get("/api/v1/reports/monthly", params=params).content))
    sheet = book.active
    assert sheet is not None
    assert sheet["A1"].value.endswith(OFFICE_TH)
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[0].startswith("รวม")
    assert last[2] == 25
    assert sheet.cell(row=sheet.max_row, column=1).font.bold

    data = manager.get("/api/v1/reports/monthly", params={**params, "format": "json"}).json()
    assert data["office"] == {
        "slug": "pathumwan",
        "name": {"th": OFFICE_TH, "en": data["office"]["name"]["en"]},
    }
    assert data["month"] == "2026-03"
    assert data["totals"]["received"] == sum(r["received"] for r in data["rows"]) == 25
    assert data["totals"]["refused_by_ground"]["hygiene-criteria-not-met"] == 8
    food = next(r for r in data["rows"] if r["permit_type"] == "food-premises")
    assert food["department_name"]["th"] == "ฝ่ายสิ่งแวดล้อมและสุขาภิบาล"


def test_the_overdue_table_dates_are_thai_on_the_thai_page(
    engine: Engine, staff: Staff, client: TestClient, scenario: dict[str, Any]
) -> None:
    staff("manager")
    with _travel(scenario["today"]):
        _sign_in(client, staff)
        page = client.get("/manager", params=MARCH).text
        data = client.get("/api/v1/compliance/summary", params=MARCH).json()
    due = date.fromisoformat(data["overdue"]["oldest"][0]["due_date"])
    table = page.split('<h2 id="overdue">', 1)[1].split("</table>", 1)[0]
    assert f"{due.day} {THAI_MONTHS[due.month - 1]} {due.year + 543}" in table
    assert due.isoformat() not in table
