"""The public tracking pages and JSON, the QR codes, the catalogue and the receipt."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import select

from checklists.loader import default_catalogue
from checklists.schema import Outcome, TransitionKind
from tracking import codes
from tracking.config import Settings
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.models import Application, DelayNotice, utcnow
from tracking.workflow import transitions
from web.app import create_app

from ..factories import committed_application, step, walk
from .conftest import BASE_URL, PASSWORD, Staff

PERSONAL = {
    "applicant_name": "ประยุทธ์ทดสอบ ไม่ควรปรากฏ",
    "id_number": "3100600123450",
    "phone": "0899998877",
    "email": "private.person@example.org",
    "address": "77/7 ซอยลับเฉพาะ ถนนทดสอบ แขวงวังใหม่",
}


def _code(engine: Engine, app_id: int) -> str:
    with unit_of_work(engine) as session:
        return codes.format_code(transitions.get_application(session, app_id).tracking_code)


def _make(engine: Engine, kind: str, slug: str = "food-premises") -> int:
    """An application in one of the states the public page must handle."""
    permit = default_catalogue()[slug]
    start = datetime.now(UTC) - timedelta(days=80)
    app_id = committed_application(engine, slug, now=start, **PERSONAL)
    rules = {(t.source, t.event): t for t in permit.transitions}
    if kind == "applicants-turn":
        step(engine, app_id, rules[("intake", "request_documents")], now=start)
    elif kind == "overdue":
        step(engine, app_id, rules[("intake", "accept_application")], now=start + timedelta(1))
        with unit_of_work(engine) as session:
            application = transitions.get_application(session, app_id)
            for n in (1, 2):
                session.add(
                    DelayNotice(
                        application_id=app_id,
                        seq=n,
                        number=f"กท 5001/{n}",
                        issued_on=application.due_date + timedelta(days=7 * n - 6),
                        reason_th="รอผลตรวจสถานที่",
                        reason_en="Awaiting the site inspection",
                        created_at=utcnow(),
                    )
                )
    elif kind in {"approved", "refused"}:
        outcome = Outcome.approved if kind == "approved" else Outcome.refused
        walk(engine, app_id, path_to(permit, {outcome}))
    return app_id


STATES = ["applicants-turn", "overdue", "approved", "refused"]


@pytest.mark.parametrize("kind", STATES)
def test_no_personal_data_in_any_public_response(
    engine: Engine, client: TestClient, kind: str
) -> None:
    app_id = _make(engine, kind)
    code = _code(engine, app_id)
    bodies = [
        client.get(f"/track/{code}").text,
        client.get(f"/track/{code}?lang=en").text,
        client.get(f"/api/v1/track/{code}").text,
        client.get(f"/track?code={code}", follow_redirects=True).text,
    ]
    with unit_of_work(engine) as session:
        stored = transitions.get_application(session, app_id)
        values = [
            stored.applicant_name,
            stored.applicant_id_number,
            stored.applicant_phone,
            stored.applicant_email,
            stored.subject_address,
        ]
    assert all(values)
    for body in bodies:
        assert code in body
        for value in values:
            assert value not in body
        # Nor in a reformatted form: digits of the ID number or phone in a row.
        digits = re.sub(r"\D", "", body)
        assert stored.applicant_id_number not in digits
        assert stored.applicant_phone not in digits


def test_applicants_turn_says_what_to_bring_by_when(engine: Engine, client: TestClient) -> None:
    app_id = _make(engine, "applicants-turn")
    code = _code(engine, app_id)
    data = client.get(f"/api/v1/track/{code}").json()
    assert data["status"]["turn"] == "applicant"
    action = data["applicant_action"]
    assert action["bring"]
    assert action["by"]
    assert "Pathumwan" in action["where"]["en"]
    page = client.get(f"/track/{code}").text
    assert "สิ่งที่ท่านต้องทำ" in page
    deadline = date.fromisoformat(action["by"])
    assert f"{deadline.year + 543}" in page


def test_overdue_page_explains_delay_letters(engine: Engine, client: TestClient) -> None:
    app_id = _make(engine, "overdue")
    code = _code(engine, app_id)
    data = client.get(f"/api/v1/track/{code}").json()
    assert data["business_days_overdue"] > 0
    assert len(data["delay_notices"]["sent"]) == 2
    assert data["delay_notices"]["due"] >= 3
    page = client.get(f"/track/{code}?lang=en").text
    assert "every 7 days" in page
    assert f"2 sent of {data['delay_notices']['due']} due" in page
    assert "Overdue by" in page


def test_refusal_shows_ground_and_appeal(engine: Engine, client: TestClient) -> None:
    app_id = _make(engine, "refused")
    code = _code(engine, app_id)
    data = client.get(f"/api/v1/track/{code}").json()
    decision = data["decision"]
    assert decision["outcome"] == "refused"
    assert decision["ground"]["en"]
    appeal = decision["appeal"]
    assert appeal["days"] == 30
    # The period runs from the delivery of the order, which is not recorded yet: no date.
    assert (appeal["counted_from"], appeal["deadline"], appeal["notified_on"]) == (
        "delivery",
        None,
        None,
    )
    page = client.get(f"/track/{code}?lang=en").text
    assert "Ground for refusal" in page
    assert "Where to appeal" in page
    assert "not yet recorded" in page


def test_approved_timeline_has_completion_dates(engine: Engine, client: TestClient) -> None:
    app_id = _make(engine, "approved")
    code = _code(engine, app_id)
    data = client.get(f"/api/v1/track/{code}").json()
    assert data["status"]["final"] is True
    assert data["decision"]["outcome"] == "approved"
    timeline = data["timeline"]
    assert all(e["entered_on"] for e in timeline)
    assert all(e["completed_on"] for e in timeline[:-1])
    assert not any(e["upcoming"] for e in timeline)


def test_thai_first_then_english(engine: Engine, client: TestClient) -> None:
    app_id = committed_application(engine, now=datetime(2026, 1, 5, 3, tzinfo=UTC))
    code = _code(engine, app_id)
    thai = client.get(f"/track/{code}")
    assert thai.headers["content-language"] == "th"
    assert '<html lang="th">' in thai.text
    assert "5 มกราคม 2569" in thai.text  # Buddhist Era
    english = client.get(f"/track/{code}?lang=en")
    assert '<html lang="en">' in english.text
    assert "5 January 2026" in english.text
    assert f'href="/track/{code}?lang=th"' in english.text  # the switch keeps the page
    browser = client.get(f"/track/{code}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert browser.headers["content-language"] == "en"
    prefers_thai = client.get(f"/track/{code}", headers={"Accept-Language": "en;q=0.5,th;q=0.9"})
    assert prefers_thai.headers["content-language"] == "th"


def test_typo_is_400_unknown_is_404(engine: Engine, client: TestClient) -> None:
    code = _code(engine, committed_application(engine)).replace("-", "")
    typo = code[:3] + next(c for c in codes.ALPHABET if c != code[3]) + code[4:]
    response = client.get(f"/api/v1/track/{typo}")
    assert response.status_code == 400
    assert "check" in response.json()["message"]["en"]
    assert client.get(f"/track/{typo}").status_code == 400
    unknown = codes.format_code(codes.new_code())
    response = client.get(f"/api/v1/track/{unknown}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert client.get(f"/track/{unknown}").status_code == 404
    # Case, spaces and dashes do not matter.
    assert client.get(f"/api/v1/track/{code.lower()}").status_code == 200
    redirect = client.get(f"/track?code={code[:4]} {code[4:].lower()}", follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == f"/track/{codes.format_code(code)}"
    bad_form = client.get("/track?code=hello")
    assert bad_form.status_code == 400
    assert 'aria-invalid="true"' in bad_form.text


def test_rapid_lookups_from_one_client_hit_429(database_url: str, engine: Engine) -> None:
    app = create_app(Settings(database_url=database_url, base_url=BASE_URL, track_rate_limit=5))
    code = _code(engine, committed_application(engine))
    # Wall time stands still, so all the hits fall in one rate-limit window.
    with (
        time_machine.travel(datetime(2026, 11, 26, 3, 0, 10, tzinfo=UTC), tick=False),
        TestClient(app) as client,
    ):
        statuses = [client.get(f"/api/v1/track/{code}").status_code for _ in range(5)]
        assert statuses == [200] * 5
        limited = client.get(f"/api/v1/track/{code}")
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert client.get(f"/track/{code}").status_code == 429
    # A second app process sharing the database sees the same count.
    with (
        time_machine.travel(datetime(2026, 11, 26, 3, 0, 20, tzinfo=UTC), tick=False),
        TestClient(
            create_app(Settings(database_url=database_url, base_url=BASE_URL, track_rate_limit=5))
        ) as other,
    ):
        assert other.get(f"/api/v1/track/{code}").status_code == 429


def test_qr_codes_hold_the_tracking_url_and_cache(engine: Engine, client: TestClient) -> None:
    code = _code(engine, committed_application(engine))
    png = client.get(f"/track/{code}/qr.png")
    assert png.headers["content-type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert [d.text for d in decoded] == [f"{BASE_URL}/track/{code}"]
    svg = client.get(f"/track/{code}/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text
    again = client.get(f"/track/{code}/qr.svg", headers={"If-None-Match": svg.headers["etag"]})
    assert again.status_code == 304
    assert client.get(f"/track/{codes.format_code(codes.new_code())}/qr.png").status_code == 404


@pytest.mark.parametrize("slug", sorted(default_catalogue()))
def test_published_checklist_and_guideline(client: TestClient, slug: str) -> None:
    permit = default_catalogue()[slug]
    page = client.get(f"/permit-types/{slug}")
    assert page.status_code == 200
    assert permit.name.th in page.text
    for item in permit.items():
        assert item.label.th in page.text
    for ground in permit.refusal_grounds:
        assert ground.text.th in page.text
    assert permit.discretion_guideline[0].criteria[0].th in page.text
    english = client.get(f"/permit-types/{slug}?lang=en").text
    assert permit.name.en.replace("&", "&amp;").replace("'", "&#39;") in english
    data = client.get(f"/api/v1/permit-types/{slug}").json()
    assert data["slug"] == slug
    assert data["service_time"]["days"] == permit.service_time.days


def test_catalogue_index_and_unknown_type(client: TestClient) -> None:
    index = client.get("/permit-types")
    assert all(f"/permit-types/{slug}" in index.text for slug in default_catalogue())
    assert len(client.get("/api/v1/permit-types").json()) == 11
    assert client.get("/permit-types/space-elevator").status_code == 404
    assert client.get("/api/v1/permit-types/space-elevator").status_code == 404


def test_receipt_needs_staff_sign_in_and_shows_the_record(
    engine: Engine, client: TestClient, staff: Staff
) -> None:
    app_id = _make(engine, "applicants-turn")
    code = _code(engine, app_id)
    url = f"/applications/{app_id}/receipt"
    anonymous = client.get(url, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/staff/login?next=")
    clerk = staff.for_type("food-premises", "clerk")
    signed_in = client.post(
        "/staff/login",
        data={"username": clerk.username, "password": PASSWORD, "next": url},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == url
    page = client.get(url)
    assert page.status_code == 200
    assert code in page.text
    assert "<svg" in page.text
    assert "บันทึกความบกพร่อง" in page.text
    assert PERSONAL["applicant_name"] in page.text  # the applicant's own receipt
    with unit_of_work(engine) as session:
        deadline = transitions.get_application(session, app_id).applicant_deadline
    assert deadline is not None
    assert f"{deadline.year + 543}" in page.text
    client.cookies.clear()
    works = staff("clerk", "public-works")
    assert works.get(url).status_code == 403
    bad = client.post("/staff/login", data={"username": "x", "password": "y"})
    assert bad.status_code == 401
    evil = client.post(
        "/staff/login",
        data={"username": clerk.username, "password": PASSWORD, "next": "//evil.example"},
        follow_redirects=False,
    )
    assert evil.headers["location"] == "/track"


def test_due_date_and_days_left(engine: Engine, client: TestClient) -> None:
    app_id = committed_application(engine)
    code = _code(engine, app_id)
    data = client.get(f"/api/v1/track/{code}").json()
    permit = default_catalogue()["food-premises"]
    assert data["business_days_left"] == permit.service_time.days
    assert data["day_unit"] == "calendar"  # Public Health Act s.56: 30 calendar days
    with unit_of_work(engine) as session:
        application = session.exec(select(Application).where(Application.id == app_id)).one()
        assert data["due_date"] == application.due_date.isoformat()
    kinds = {t.kind for t in permit.transitions}
    assert TransitionKind.approve in kinds


def test_office_and_catalogue_text_is_escaped(engine: Engine, client: TestClient) -> None:
    from sqlalchemy import text

    from tracking.reads import public as public_module

    code = _code(engine, _make(engine, "applicants-turn"))
    with engine.begin() as connection:
        original = connection.execute(text("SELECT address_en FROM office WHERE id = 1")).scalar()
        connection.execute(
            text("UPDATE office SET address_en = :a WHERE id = 1"),
            {"a": "<script>alert(1)</script> & Co"},
        )
    public_module._offices.clear()
    try:
        page = client.get(f"/track/{code}?lang=en").text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    finally:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE office SET address_en = :a WHERE id = 1"), {"a": original}
            )
        public_module._offices.clear()


def test_future_steps_are_named_and_only_the_first_is_next(
    engine: Engine, client: TestClient
) -> None:
    app_id = committed_application(engine)
    code = _code(engine, app_id)
    timeline = client.get(f"/api/v1/track/{code}").json()["timeline"]
    upcoming = [e for e in timeline if e["upcoming"]]
    assert len(upcoming) >= 2
    for lang, first, later in (
        ("th", "ขั้นตอนถัดไป", "ขั้นตอนต่อ ๆ ไป"),
        ("en", "next step", "later step"),
    ):
        page = client.get(f"/track/{code}?lang={lang}").text
        items = re.findall(r'<li class="upcoming.*?</li>', page, re.S)
        assert len(items) == len(upcoming)
        assert first in items[0]
        assert later not in items[0]
        assert all(later in item and first not in item for item in items[1:])
