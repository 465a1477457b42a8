"""The city administration's table (issue 13): three offices in one database, each office's
row equal to its own dashboard's figures, ranked worst first, as a page, JSON and Excel; only
the city's auditors see it; a district manager reads only their own office; the public
statistics per office and for all of Bangkok."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, time
from html import unescape
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, delete, event, text
from sqlmodel import Session

from checklists.offices import default_offices
from checklists.schema import Outcome
from tracking import auth, offices
from tracking.access import Actor
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.models import Office
from tracking.reads import city, compliance, selection

from ..conftest import TABLES_TO_EMPTY
from ..factories import committed_application, step, walk
from ..scenarios import PERMIT, RULES, _append, _at
from .conftest import PASSWORD, Staff

RANGE = {"date_from": "2026-03-01", "date_to": "2026-12-31"}
OTHERS = ("bangrak", "khlongtoei")
CITY = "auditor-city"


def _travel(day: Any) -> Any:
    return time_machine.travel(datetime.combine(day, time(3), UTC), tick=False)


@pytest.fixture
def offices_added(engine: Engine) -> Iterator[dict[str, int]]:
    """Pathumwan (the migrations' office) and two more; removed again afterwards."""
    ids = {}
    with unit_of_work(engine) as session:
        for slug in OTHERS:
            ids[slug] = offices.add(session, default_offices()[slug]).id
        ids["pathumwan"] = offices.office_by_slug(session, "pathumwan").id
    yield ids
    with engine.begin() as connection:
        for table in TABLES_TO_EMPTY:
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(delete(Office).where(Office.slug.in_(OTHERS)))  # type: ignore[attr-defined]


def _clerk(office_id: int) -> Actor:
    return Actor("clerk-1", "clerk", PERMIT.department, office_id)


@pytest.fixture
def city_data(
    engine: Engine, scenario: dict[str, Any], offices_added: dict[str, int]
) -> dict[str, Any]:
    """Pathumwan's month (the compliance scenario); Bang Rak decides two files on time and
    refuses one without a ground; Khlong Toei decides one late and has one overdue."""
    bangrak, khlongtoei = (_clerk(offices_added[slug]) for slug in OTHERS)
    for _ in range(2):
        on_time = committed_application(engine, now=_at(0), actor=bangrak)
        walk(engine, on_time, path_to(PERMIT, {Outcome.approved})[:3], now=_at(5))
    ungrounded = committed_application(engine, now=_at(1), actor=bangrak)
    _append(
        engine,
        ungrounded,
        occurred_at=_at(8),
        actor="approver-r",
        role="approver",
        event="refuse",
        source="pending_decision",
        target="refused",
        transition_kind="refuse",
        reason="ไม่ผ่าน",
        ground=None,
    )
    late = committed_application(engine, now=_at(0), actor=khlongtoei)
    walk(engine, late, path_to(PERMIT, {Outcome.refused})[:2], now=_at(20))
    step(engine, late, RULES[("pending_decision", "refuse")], now=_at(60))
    overdue = committed_application(engine, now=_at(1), actor=khlongtoei)
    step(engine, overdue, RULES[("intake", "accept_application")], now=_at(2))
    with unit_of_work(engine) as session:
        auth.create_staff(
            session,
            username=CITY,
            role="city",
            department=None,
            password=PASSWORD,
            office_slug=None,
        )
    return {**scenario, "offices": offices_added}


def _figure(html: str, name: str) -> str:
    match = re.search(rf'id="fig-{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


def _expected(session: Session, office_id: int, today: Any) -> dict[str, Any]:
    """An office's row as its own dashboard's summary gives it."""
    f = selection.parse_filters(**RANGE, office_id=office_id)
    data = compliance.summary(session, f, today)
    return {
        "decided": data["decided"],
        "on_time": data["on_time"],
        "on_time_rate": data["on_time_rate"],
        "overdue": data["overdue"]["count"],
        "letters_due": data["overdue"]["letters_due"],
        "letters_sent": data["overdue"]["letters_sent"],
        "deficiency_requests": data["deficiency"]["requests"],
        "multi_deficiency": data["deficiency"]["applications_with_more_than_one_request"],
        "four_eyes": data["four_eyes"]["breaches"],
        "out_of_turn": data["out_of_turn"]["decisions_out_of_turn"],
        "out_of_turn_without_reason": data["out_of_turn"]["without_reason"],
        "refusals_without_ground": data["refusals"]["without_ground"],
        "outlier_officers": sum(1 for o in data["officers"] if o["flagged"]),
        "received": data["received"],
    }


def test_each_office_equals_its_own_dashboard(
    engine: Engine, staff: Staff, city_data: dict[str, Any]
) -> None:
    today = city_data["today"]
    with _travel(today):
        auditor = staff.sign_in(CITY)
        response = auditor.get("/api/v1/city", params=RANGE)
        page_json = auditor.get("/city", params={**RANGE, "format": "json"})
    assert response.status_code == 200, response.text
    data = response.json()
    assert page_json.json() == data
    rows = {row["slug"]: row for row in data["offices"]}
    assert set(rows) == {"pathumwan", *OTHERS}
    with Session(engine) as session:
        for slug, office_id in city_data["offices"].items():
            expected = _expected(session, office_id, today)
            assert {k: rows[slug][k] for k in expected} == expected, slug
    # What the files make each office's figures.
    assert rows["pathumwan"]["four_eyes"] == 1
    assert rows["pathumwan"]["out_of_turn_without_reason"] == 1
    assert rows["pathumwan"]["outlier_officers"] >= 1
    # An imported refusal (no workflow date) counts as a refusal, not as a dated decision.
    assert (rows["bangrak"]["decided"], rows["bangrak"]["on_time_rate"]) == (2, 1.0)
    assert rows["bangrak"]["refusals_without_ground"] == 1
    assert rows["khlongtoei"]["on_time_rate"] == 0.0
    assert rows["khlongtoei"]["overdue"] == 1
    # The totals are the offices added up.
    for key in ("decided", "overdue", "four_eyes", "refusals_without_ground", "letters_due"):
        assert data["totals"][key] == sum(row[key] for row in data["offices"])


def test_offices_are_ranked_worst_first(staff: Staff, city_data: dict[str, Any]) -> None:
    with _travel(city_data["today"]):
        data = staff.sign_in(CITY).get("/api/v1/city", params=RANGE).json()
    order = [row["slug"] for row in data["offices"]]
    # Khlong Toei decided nothing on time; Bang Rak everything; Pathumwan in between.
    assert order == ["khlongtoei", "pathumwan", "bangrak"]
    assert [row["rank"] for row in data["offices"]] == [1, 2, 3]
    assert data["ranking"]["en"].startswith("Ranked worst first: on-time rate ascending")
    assert sorted(data["offices"], key=city._rank_key) == data["offices"]
    # Ties on the rate go to the office with more overdue files; no decision at all, last.
    rows = [
        {"on_time_rate": 0.5, "overdue": 1, "bma_code": "1001"},
        {"on_time_rate": None, "overdue": 9, "bma_code": "1002"},
        {"on_time_rate": 0.5, "overdue": 4, "bma_code": "1003"},
    ]
    assert [r["bma_code"] for r in sorted(rows, key=city._rank_key)] == ["1003", "1001", "1002"]


def test_the_page_and_the_workbook(
    client: TestClient, staff: Staff, city_data: dict[str, Any]
) -> None:
    with _travel(city_data["today"]):
        auditor = staff.sign_in(CITY)
        page = auditor.get("/city", params={**RANGE, "lang": "en"})
        thai = auditor.get("/city", params=RANGE)
        book = auditor.get("/city", params={**RANGE, "format": "xlsx"})
        data = auditor.get("/api/v1/city", params=RANGE).json()
        blank = auditor.get("/city")
        bad = auditor.get("/city", params={"date_from": "yesterday", "lang": "en"})
        bad_json = auditor.get("/city", params={"date_from": "yesterday", "format": "json"})
    assert page.status_code == 200
    html = page.text
    assert "Ranked worst first" in html
    assert "อันดับ: สัดส่วนที่แล้วเสร็จตามกำหนดจากน้อยไปมาก" in thai.text
    # The page is of all Bangkok, not of the deployment's own office.
    assert "<title>" in thai.text
    title = thai.text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "กรุงเทพมหานคร" in title
    assert "ปทุมวัน" not in title
    positions = [html.index(f'id="office-{slug}"') for slug in ("khlongtoei", "pathumwan")]
    assert positions == sorted(positions)
    assert 'href="/manager?office=bangrak&amp;date_from=2026-03-01&amp;date_to=2026-12-31' in html
    assert 'href="/city?date_from=2026-03-01&amp;date_to=2026-12-31&amp;format=xlsx"' in html
    assert 'aria-current="page">Offices compared</a>' in html
    assert 'href="/manager' not in html.split('id="offices"')[0]  # the menu: /city, no /manager
    assert blank.status_code == 200  # the default period
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text
    assert bad_json.status_code == 422
    assert bad_json.json()["error"] == "invalid_input"
    assert book.status_code == 200
    assert (
        'filename="tidtam-city-2026-03-01-2026-12-31.xlsx"' in book.headers["content-disposition"]
    )
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "2026-03-01" in str(cells[0][0])
    assert cells[2][:3] == ["อันดับ", "รหัส", "สำนักงานเขต"]
    assert cells[3][:3] == ["Rank", "Code", "Office"]
    body = cells[4:-1]
    assert [row[2] for row in body] == [row["name"]["th"] for row in data["offices"]]
    rate = 3 + [k for k, _, _ in city.MEASURES].index("on_time_rate")
    assert [row[rate] for row in body] == [row["on_time_rate"] for row in data["offices"]]
    assert cells[-1][2].startswith("รวม")
    assert cells[-1][3] == data["totals"]["decided"]


def test_only_the_city_sees_every_office(
    client: TestClient, staff: Staff, city_data: dict[str, Any]
) -> None:
    manager = staff("manager")
    clerk = staff.for_type("food-premises", "clerk")
    for user in (manager, clerk):
        page = user.get("/city")
        assert page.status_code == 403
        assert "ผู้ตรวจสอบของกรุงเทพมหานคร" in page.text
        english = user.get("/city", params={"lang": "en"})
        assert "city administration's auditors" in unescape(english.text)
        api = user.get("/api/v1/city")
        assert api.status_code == 403
        assert api.json()["message"]["en"].startswith("Only the city administration")
    assert client.get("/api/v1/city").status_code == 401
    signed_out = TestClient(client.app, base_url="https://testserver")
    away = signed_out.get("/city", params={"lang": "en"}, follow_redirects=False)
    assert away.status_code == 303
    assert away.headers["location"].startswith("/staff/login")
    assert "city" in away.headers["location"]


def test_the_city_reads_one_office_through_its_dashboard(
    engine: Engine, staff: Staff, city_data: dict[str, Any]
) -> None:
    today = city_data["today"]
    with _travel(today):
        auditor = staff.sign_in(CITY)
        rows = {r["slug"]: r for r in auditor.get("/api/v1/city", params=RANGE).json()["offices"]}
        for slug in ("pathumwan", *OTHERS):
            page = auditor.get("/manager", params={**RANGE, "office": slug, "lang": "en"})
            assert page.status_code == 200, slug
            html = page.text
            assert _figure(html, "decided") == str(rows[slug]["decided"])
            assert _figure(html, "overdue") == str(rows[slug]["overdue"])
            assert _figure(html, "four-eyes") == str(rows[slug]["four_eyes"])
            assert _figure(html, "no-ground") == str(rows[slug]["refusals_without_ground"])
            assert '<input type="hidden" name="office" value="' + slug + '">' in html
            assert f"format=xlsx&amp;office={slug}" in html
            summary = auditor.get(
                "/api/v1/compliance/summary", params={**RANGE, "office": slug}
            ).json()
            assert summary["decided"] == rows[slug]["decided"]
        report = auditor.get(
            "/api/v1/reports/monthly",
            params={"month": "2026-03", "format": "json", "office": "bangrak"},
        ).json()
        everyone = auditor.get("/manager", follow_redirects=False)
        unknown = auditor.get("/manager", params={"office": "atlantis"})
    assert report["office"]["slug"] == "bangrak"
    assert report["totals"]["decided"] == 2
    assert everyone.status_code == 303
    assert everyone.headers["location"] == "/city"
    assert unknown.status_code == 404
    assert "atlantis" in unknown.text


def test_a_district_manager_reads_only_their_own_office(
    engine: Engine, staff: Staff, city_data: dict[str, Any]
) -> None:
    staff("manager")
    with _travel(city_data["today"]):
        manager = staff.sign_in("manager-office-a")
        own = manager.get("/manager", params={**RANGE, "office": "pathumwan", "lang": "en"})
        other = manager.get("/manager", params={**RANGE, "office": "bangrak", "lang": "en"})
        summary = manager.get("/api/v1/compliance/summary", params=RANGE).json()
        refused = manager.get("/api/v1/compliance/summary", params={"office": "bangrak"})
        report = manager.get(
            "/api/v1/reports/monthly", params={"month": "2026-03", "format": "json"}
        )
        report_other = manager.get(
            "/api/v1/reports/monthly",
            params={"month": "2026-03", "format": "json", "office": "khlongtoei"},
        )
    assert own.status_code == 200
    assert 'name="office"' not in own.text  # their own office: nothing to carry
    assert other.status_code == 403
    assert "own office" in unescape(other.text)
    assert refused.status_code == 403
    assert report_other.status_code == 403
    with Session(engine) as session:
        pathumwan = _expected(session, city_data["offices"]["pathumwan"], city_data["today"])
    assert summary["decided"] == pathumwan["decided"]
    assert summary["refusals"]["without_ground"] == 0  # Bang Rak's refusal is not theirs
    assert report.json()["office"]["slug"] == "pathumwan"
    everyone = sum(
        r["decided"]
        for r in staff.sign_in(CITY).get("/api/v1/city", params=RANGE).json()["offices"]
    )
    assert summary["decided"] < everyone


def test_statistics_per_office_and_for_all_bangkok(
    client: TestClient, city_data: dict[str, Any]
) -> None:
    with _travel(city_data["today"]):
        default = client.get("/api/v1/stats").json()
        per = {
            slug: client.get("/api/v1/stats", params={"office": slug}).json()
            for slug in ("pathumwan", *OTHERS)
        }
        every = client.get("/api/v1/stats", params={"office": "all"}).json()
        page = client.get("/stats", params={"office": "bangrak", "lang": "en"})
        whole = client.get("/stats", params={"office": "all"})
        csv_all = client.get("/stats.csv", params={"office": "all"})
        unknown = client.get("/stats", params={"office": "atlantis", "lang": "en"})
        unknown_json = client.get("/api/v1/stats", params={"office": "atlantis"})
    assert default == per["pathumwan"]
    assert per["bangrak"] != per["khlongtoei"]
    for index, row in enumerate(every):
        for key in ("received", "decided"):
            assert row[key] == sum(per[slug][index][key] for slug in per), (row, key)
    food = next(r for r in per["bangrak"] if r["permit_type"] == "food-premises")
    assert (food["decided"], food["on_time_rate"]) == (2, 1.0)
    assert page.status_code == 200
    assert '<option value="bangrak" selected>' in page.text
    assert 'href="/stats.csv?office=bangrak"' in page.text
    assert "Bang Rak" in page.text
    assert 'rel="canonical" href="https://tidtam.example.org/stats?office=bangrak&amp;lang=en"' in (
        page.text
    )
    assert '<option value="all" selected>' in whole.text
    assert "ทั้งกรุงเทพมหานคร" in whole.text
    assert csv_all.status_code == 200
    assert 'filename="tidtam-stats-all.csv"' in csv_all.headers["content-disposition"]
    assert unknown.status_code == 404
    assert "No office 'atlantis'" in unescape(unknown.text)
    assert unknown_json.status_code == 404
    assert unknown_json.json()["message"]["th"].startswith("ไม่พบสำนักงานเขต")


def test_one_query_per_measure_whatever_the_number_of_offices(
    engine: Engine, city_data: dict[str, Any]
) -> None:
    statements: list[str] = []

    def counted(*args: Any) -> None:
        statements.append(str(args[2]))

    f = selection.parse_filters(**RANGE)
    with Session(engine) as session:
        event.listen(engine, "before_cursor_execute", counted)
        try:
            data = city.comparison(session, f, city_data["today"])
        finally:
            event.remove(engine, "before_cursor_execute", counted)
    assert len(data["offices"]) == 3
    # Received, decided, overdue, deficiency, refusals, two case kinds, officers (two), and
    # the offices themselves: the same ten for three offices or fifty.
    assert len(statements) == 10, "\n\n".join(statements)
    grouped = [s for s in statements if "GROUP BY" in s]
    assert len(grouped) == 9
    assert all("office_id" in s.split("GROUP BY")[1] for s in grouped)
