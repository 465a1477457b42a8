"""The manager's dashboard, the compliance JSON, the monthly report and the public stats,
with the figures of the compliance scenario asserted exactly in each."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine
from typer.testing import CliRunner

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking.cli import app as cli
from tracking.demo import path_to
from tracking.trail import rebuild

from ..factories import committed_application, walk
from .conftest import BASE_URL, PASSWORD, Staff, intake

RANGE = {"date_from": "2026-03-01", "date_to": "2026-12-31"}


def _travel(day: Any) -> Any:
    return time_machine.travel(datetime.combine(day, time(3), UTC), tick=False)


def _figure(html: str, name: str) -> str:
    match = re.search(rf'id="fig-{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


def test_summary_json_is_for_managers_only(staff: Staff, client: TestClient) -> None:
    assert client.get("/api/v1/compliance/summary").status_code == 401
    clerk = staff.for_type("food-premises", "clerk")
    assert clerk.get("/api/v1/compliance/summary").status_code == 403
    assert staff("admin").get("/api/v1/compliance/summary").status_code == 403
    manager = staff("manager")
    response = manager.get("/api/v1/compliance/summary")
    assert response.status_code == 200
    assert response.json()["refusals"]["without_ground"] == 0
    bad = manager.get("/api/v1/compliance/summary", params={"date_from": "yesterday"})
    assert bad.status_code == 422


def test_dashboard_shows_the_scenario_figures(
    engine: Engine,
    staff: Staff,
    client: TestClient,
    scenario: dict[str, Any],
) -> None:
    staff("manager")
    with _travel(scenario["today"]):
        manager = staff.sign_in("manager-office-a")
        data = manager.get("/api/v1/compliance/summary", params=RANGE).json()
        signed = client.post(
            "/staff/login",
            data={"username": "manager-office-a", "password": PASSWORD, "next": "/manager"},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        page = client.get("/manager", params={**RANGE, "lang": "en"})
    assert page.status_code == 200
    html = page.text
    assert _figure(html, "four-eyes") == "1"
    assert _figure(html, "out-of-turn") == "1"
    assert _figure(html, "out-of-turn-no-reason") == "1"
    assert _figure(html, "multi-deficiency") == "0"
    assert _figure(html, "no-ground") == "0"
    assert _figure(html, "overdue") == str(data["overdue"]["count"])
    assert _figure(html, "letters") == (
        f"{data['overdue']['letters_sent']}/{data['overdue']['letters_due']}"
    )
    assert _figure(html, "decided") == str(data["decided"])
    assert 'class="flagged"' in html
    assert "peer-4" in html
    assert "<svg" in html
    assert data["four_eyes"]["breaches"] == 1
    overdue = next(r for r in data["overdue"]["oldest"] if r["id"] == scenario["overdue"])
    assert (overdue["letters_sent"], overdue["letters_due"]) == (2, 3)
    assert f"{overdue['tracking_code']}</a></td>" in html
    # Each case opens the file as staff see it: who did what, and when.
    for case in ("overdue", "breach", "legacy"):
        assert f'<a href="/staff/applications/{scenario[case]}">' in html
    assert '<a href="/staff?overdue=1"><span class="figure" id="fig-overdue">' in html
    with _travel(scenario["today"]):
        opened = client.get(f"/staff/applications/{scenario['breach']}", params={"lang": "en"})
        queue = client.get("/staff", params={"overdue": "1", "lang": "en"})
    assert opened.status_code == 200
    assert "approver-y" in opened.text
    assert queue.status_code == 200
    assert f'href="/staff/applications/{scenario["overdue"]}' in queue.text


def test_waivers_of_required_items_show_per_officer(
    engine: Engine, staff: Staff, client: TestClient
) -> None:
    slug = "food-premises"
    clerk = staff.for_type(slug, "clerk")
    app_id = clerk.post(
        "/api/v1/applications",
        json={
            "permit_type": slug,
            "applicant": {"name": "สมหญิง รักไทย", "id_number": "1101700123456"},
            "subject": {"address": "12/3 ซอยจุฬา ๔๒ เขตปทุมวัน"},
        },
    ).json()["id"]
    version = 1
    for item, note in [("site_map", "ผังอยู่ในแบบคำขอแล้ว"), ("power_of_attorney", "ยื่นเอง")]:
        response = clerk.patch(
            f"/api/v1/applications/{app_id}/checklist/{item}",
            json={"status": "waived", "note": note, "version": version},
        )
        assert response.status_code == 200, response.text
        version = response.json()["version"]
    manager = staff("manager")
    data = manager.get("/api/v1/compliance/summary").json()["waivers"]
    # The optional power of attorney is no discretion point; the required site map is.
    assert data["required_items_waived"] == 1
    assert data["by_officer"] == [
        {
            "department": "environment-sanitation",
            "officer": clerk.username,
            "waived": 1,
            "signed_off": 1,
            "waiver_rate": 1.0,
        }
    ]
    client.post("/staff/login", data={"username": manager.username, "password": PASSWORD})
    html = client.get("/manager", params={"lang": "en"}).text
    assert _figure(html, "waivers") == "1"
    section = html.split('<h2 id="waivers">', 1)[1].split("</table>", 1)[0]
    # The officer's link narrows the dashboard to them, in the period shown.
    link = re.search(rf'<a href="(/manager\?[^"]*)">{clerk.username}</a>', section)
    assert link is not None
    assert f"officer={clerk.username}" in link.group(1)
    assert "date_from=" in link.group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", section)
    assert cells[-3:] == ["1", "1", "100%"]
    with engine.connect() as connection:
        counted = rebuild.snapshot(connection)
    with engine.begin() as connection:
        rebuild.rebuild(connection)
    with engine.connect() as connection:
        assert rebuild.snapshot(connection) == counted


def test_dashboard_sign_in_and_roles(staff: Staff, client: TestClient) -> None:
    anonymous = client.get("/manager", follow_redirects=False)
    assert anonymous.status_code == 303
    clerk = staff.for_type("food-premises", "clerk")
    client.post("/staff/login", data={"username": clerk.username, "password": PASSWORD})
    assert client.get("/manager").status_code == 403


def test_monthly_report_xlsx_and_csv(
    engine: Engine,
    staff: Staff,
    scenario: dict[str, Any],
    tmp_path: Path,
    env_database: str,
) -> None:
    manager = staff("manager")
    response = manager.get("/api/v1/reports/monthly", params={"month": "2026-03", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.title == "มีนาคม 2569"
    assert "มีนาคม 2569" in sheet["A1"].value
    headers = [c.value for c in sheet[2]]
    assert headers[:4] == ["ประเภทคำขอ", "หน่วยงาน", "รับคำขอ", "พิจารณาแล้วเสร็จ"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    food = next(r for r in rows if r[0].startswith("การขอรับใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร"))
    received, decided, on_time, _, refused, grounds, letters = food[2:9]
    assert received == 25  # 2 walked + 1 overdue + legacy + breach + 20 peers
    assert refused == 8
    assert "hygiene-criteria-not-met: 8" in grounds
    # Decisions through the workflow set the application's decision date; in March, one.
    assert (decided, on_time) == (1, 1)
    assert letters == 0  # the notices were sent in April and May
    csv_response = manager.get(
        "/api/v1/reports/monthly", params={"month": "2026-03", "format": "csv"}
    )
    table = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert table[1][0] == "ประเภทคำขอ"
    assert (
        staff.for_type("food-premises", "clerk")
        .get("/api/v1/reports/monthly", params={"month": "2026-03"})
        .status_code
        == 403
    )
    assert manager.get("/api/v1/reports/monthly", params={"month": "2026-13"}).status_code == 422
    out = tmp_path / "m.xlsx"
    result = CliRunner().invoke(
        cli, ["report", "monthly", "--month", "2026-03", "--format", "xlsx", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(out).active["A1"].value == sheet["A1"].value


def test_public_stats_without_people(
    engine: Engine,
    client: TestClient,
    scenario: dict[str, Any],
) -> None:
    with _travel(scenario["today"] + timedelta(days=30)):
        page = client.get("/stats?lang=en")
        data = client.get("/api/v1/stats").json()
        table = client.get("/stats.csv").content.decode("utf-8-sig")
    assert page.status_code == 200
    food = next(r for r in data if r["permit_type"] == "food-premises")
    assert food["decided"] == 2
    assert food["on_time_rate"] == 0.5
    for text in (page.text, table, str(data)):
        assert "peer-" not in text
        assert "approver-" not in text
        assert "สมชาย" not in text
    assert "food-premises" in table


def test_the_stats_chart_names_each_permit_type_in_full(
    engine: Engine, client: TestClient, scenario: dict[str, Any]
) -> None:
    """The chart's labels are the permit types' whole names, as text that wraps (the two
    building types differ only at the end of theirs)."""
    with _travel(scenario["today"]):
        for slug in ("building-small", "building-large"):
            _decided_today(engine, slug)
        page = client.get("/stats", params={"lang": "th"}).text
    chart = page.split('<figure class="chart">', 1)[1].split("</figure>", 1)[0]
    labels = re.findall(r'<span class="bar-label">([^<]*)</span>', chart)
    catalogue = default_catalogue()
    for slug in ("building-small", "building-large", "food-premises"):
        assert catalogue[slug].name.th in labels
    assert "<text" not in chart  # no SVG text, scaled down with the chart on a phone


def _decided_today(engine: Engine, slug: str) -> None:
    """A file of ``slug`` decided through the workflow today."""
    app_id = committed_application(engine, slug)
    walk(engine, app_id, path_to(default_catalogue()[slug], {Outcome.approved}))


@pytest.mark.parametrize(
    ("path", "key", "lang"),
    [
        ("/track", "ติดตามสถานะคำขออนุญาตของสำนักงานเขตปทุมวัน", "th"),
        ("/track", "Track a permit application at", "en"),
        ("/stats", "สถิติระยะเวลาการให้บริการของสำนักงานเขตปทุมวัน", "th"),
        ("/stats", "Processing times at", "en"),
        ("/permit-types/food-premises", "การขอรับใบอนุญาตจัดตั้งสถานที่จำหน่ายอาหาร", "th"),
        ("/permit-types/building-large", "(300 m² or more) at", "en"),
        ("/permit-types", "คู่มือสำหรับประชาชนของสำนักงานเขตปทุมวัน", "th"),
    ],
)
def test_published_pages_have_a_description_and_a_canonical_url(
    client: TestClient, path: str, key: str, lang: str
) -> None:
    page = client.get(path, params={"lang": lang})
    assert page.status_code == 200
    head = page.text.split("</head>", 1)[0]
    description = re.search(r'<meta name="description" content="([^"]+)">', head)
    assert description is not None
    assert key in description.group(1)
    canonical = f"{BASE_URL}{path}" + ("?lang=en" if lang == "en" else "")
    assert f'<link rel="canonical" href="{canonical}">' in head
    assert f'<link rel="alternate" hreflang="th" href="{BASE_URL}{path}">' in head
    assert f'<link rel="alternate" hreflang="en" href="{BASE_URL}{path}?lang=en">' in head


def test_a_status_page_is_not_indexed(staff: Staff, client: TestClient) -> None:
    code = intake(staff, "food-premises")["tracking_code"]
    head = client.get(f"/track/{code}").text.split("</head>", 1)[0]
    assert '<meta name="robots" content="noindex">' in head
    assert 'rel="canonical"' not in head
