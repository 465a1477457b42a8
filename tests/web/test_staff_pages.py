"""The staff web pages: work queue, one application, its checklist and action forms, intake,
sign-out; every form goes through the same services as the API, and a refused rule writes
nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import col, select

from checklists.loader import default_catalogue
from tracking import codes
from tracking.db import unit_of_work
from tracking.models import Application, ApplicationEvent
from tracking.workflow import transitions
from web.routes.staff import intake as intake_pages
from web.routes.staff import queue

from ..factories import step
from .conftest import APPLICANT, PASSWORD, SUBJECT, Staff, User, fire, intake, verify_items

FOOD = "food-premises"
FINE = "fine-settlement"  # two documents to accept: the shortest walk to a new step
SAME_SITE = {"Origin": "https://testserver"}


def _events(engine: Engine, app_id: int) -> int:
    with unit_of_work(engine) as session:
        statement = select(func.count()).where(col(ApplicationEvent.application_id) == app_id)
        return int(session.exec(statement).one())


def _stored(engine: Engine, app_id: int) -> Application:
    with unit_of_work(engine) as session:
        return transitions.get_application(session, app_id)


def _record(user: User, app_id: int, item: str, version: int, **form: str) -> Any:
    return user.post(
        f"/staff/applications/{app_id}/checklist/{item}",
        data={"status": "verified", "note": "", "version": str(version), **form},
        follow_redirects=False,
    )


def _fire(user: User, app_id: int, event: str, version: int, **form: str) -> Any:
    return user.post(
        f"/staff/applications/{app_id}/transitions",
        data={"event": event, "version": str(version), **form},
        follow_redirects=False,
    )


def _alert(html: str) -> str:
    found = re.search(r'<div class="alert" role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert found, "no alert on the page"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


# --- signing in and out -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "back_to"),
    [
        ("get", "/staff", "/staff"),
        ("get", "/staff?state=intake&page=2", "/staff?state=intake&page=2"),
        ("get", "/staff/applications/7", "/staff/applications/7"),
        ("get", "/staff/applications/new", "/staff/applications/new"),
        ("post", "/staff/applications/7/transitions", "/staff/applications/7"),
        ("post", "/staff/applications/7/checklist/site_map", "/staff/applications/7"),
        ("post", "/staff/applications/new", "/staff/applications/new"),
    ],
)
def test_signed_out_visitors_are_sent_to_sign_in(
    client: TestClient, method: str, url: str, back_to: str
) -> None:
    response = client.request(method, url, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/staff/login?next=")
    signed_in = client.get(location)
    assert signed_in.status_code == 200
    assert f'name="next" value="{back_to}"' in signed_in.text.replace("&amp;", "&")


def test_sign_in_with_the_cookie_then_sign_out(staff: Staff, client: TestClient) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    form = client.get("/staff/login")
    assert 'name="next" value="/staff"' in form.text  # staff land on their queue
    signed = client.post(
        "/staff/login",
        data={"username": clerk.username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/staff"
    page = client.get("/staff")
    assert page.status_code == 200
    assert clerk.username in page.text
    assert page.headers["cache-control"] == "no-store"
    out = client.post("/staff/logout", headers=SAME_SITE, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/staff/login"
    cookie = out.headers["set-cookie"]
    assert cookie.startswith("tidtam_session=")
    assert "Max-Age=0" in cookie
    assert "samesite=strict" in cookie.lower()
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_signing_out_ends_the_session_even_where_the_token_was_kept(
    staff: Staff, client: TestClient
) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    signed = client.post(
        "/staff/login",
        data={"username": clerk.username, "password": PASSWORD},
        follow_redirects=False,
    )
    kept = signed.cookies["tidtam_session"]
    # The same person's token on another device (the API's bearer token).
    assert clerk.get("/api/v1/applications").status_code == 200
    out = client.post("/staff/logout", headers=SAME_SITE, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set("tidtam_session", kept)  # a copy of the cookie made before
    assert client.get("/staff", follow_redirects=False).status_code == 303
    assert clerk.get("/api/v1/applications").status_code == 401
    again = client.post(
        "/staff/login",
        data={"username": clerk.username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert client.get("/staff").status_code == 200
    # Signing out with a token that no longer works changes nothing and still signs out.
    client.cookies.set("tidtam_session", kept)
    assert (
        client.post("/staff/logout", headers=SAME_SITE, follow_redirects=False).status_code == 303
    )


# --- work queue -------------------------------------------------------------------------------


def test_queue_lists_the_own_department_first_come_first_served(staff: Staff) -> None:
    food = [intake(staff, FOOD) for _ in range(2)]
    works = intake(staff, "building-small")
    clerk = staff.for_type(FOOD, "clerk")
    page = clerk.get("/staff")
    assert page.status_code == 200
    html = page.text
    first, second = (f["tracking_code"] for f in food)
    assert first in html
    assert second in html
    assert html.index(first) < html.index(second)
    assert works["tracking_code"] not in html
    assert f'href="/staff/applications/{food[0]["id"]}"' in html
    assert 'href="/staff/applications/new"' in html  # clerks take in
    assert "พบ 2 รายการ" in html
    # The other department sees only its own.
    other = staff("clerk", "public-works").get("/staff?lang=en").text
    assert works["tracking_code"] in other
    assert first not in other
    assert "1 found" in other
    # Officers see the queue but are not offered intake.
    officer = staff.for_type(FOOD, "officer").get("/staff").text
    assert first in officer
    assert 'href="/staff/applications/new"' not in officer


def test_managers_see_every_department(staff: Staff) -> None:
    food = intake(staff, FOOD)
    works = intake(staff, "building-small")
    html = staff("manager").get("/staff?lang=en").text
    assert food["tracking_code"] in html
    assert works["tracking_code"] in html
    assert "Public Works Section" in html  # the department of each row
    assert "every section" in html
    assert 'href="/manager?lang=en"' in html
    assert 'href="/staff/applications/new' not in html


def test_queue_filters_pages_and_marks_overdue_in_text(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [intake(staff, FOOD)["id"] for _ in range(3)]
    codes_ = [_code_of(staff, i) for i in ids]
    health = intake(staff, "health-hazard-business")
    clerk = staff.for_type(FOOD, "clerk")
    version = verify_items(staff, FOOD, ids[1], default_catalogue()[FOOD].transitions[0].requires)
    assert fire(clerk, ids[1], event="accept_application", version=version).status_code == 200

    only_food = clerk.get("/staff", params={"permit_type": FOOD}).text
    assert all(code in only_food for code in codes_)
    assert health["tracking_code"] not in only_food
    assert 'value="food-premises" selected' in only_food
    at_intake = clerk.get("/staff", params={"state": "intake", "permit_type": FOOD}).text
    assert codes_[1] not in at_intake
    assert codes_[0] in at_intake
    inspecting = clerk.get("/staff", params={"state": "site_inspection"}).text
    assert [c for c in codes_ if c in inspecting] == [codes_[1]]

    assert "เกินกำหนด" not in clerk.get("/staff").text.split("</form>", 2)[-1]
    assert clerk.get("/staff", params={"overdue": "1"}).text.count("queue-item") == 0
    with time_machine.travel(datetime.now(UTC) + timedelta(days=120), tick=False):
        later = staff.sign_in(clerk.username)
        overdue = later.get("/staff", params={"overdue": "1", "lang": "en"}).text
        assert overdue.count('class="queue-item is-overdue"') == 4
        assert overdue.count('<strong class="badge badge-late">Overdue</strong>') == 4
        assert 'id="f-overdue" name="overdue" value="1" checked' in overdue

    monkeypatch.setattr(queue, "PER_PAGE", 2)
    first = clerk.get("/staff", params={"permit_type": FOOD}).text
    assert "หน้า 1 จาก 2" in first
    assert codes_[2] not in first
    assert 'href="/staff?permit_type=food-premises&amp;page=2"' in first
    second = clerk.get("/staff", params={"permit_type": FOOD, "page": "2"}).text
    assert codes_[2] in second
    assert codes_[0] not in second
    assert 'start="3"' in second
    assert 'href="/staff?permit_type=food-premises&amp;page=1"' in second


def _code_of(staff: Staff, app_id: int) -> str:
    return str(staff.for_type(FOOD, "clerk").detail(app_id)["tracking_code"])


@pytest.mark.parametrize(
    "params",
    [
        {"permit_type": "space-elevator"},
        {"permit_type": "building-small"},  # another department's type
        {"state": "<script>alert(1)</script>"},
        {"page": "-3", "state": "nowhere"},
    ],
)
def test_bad_queue_filters_are_explained_and_never_echoed(
    staff: Staff, params: dict[str, str]
) -> None:
    code = intake(staff, FOOD)["tracking_code"]
    page = staff.for_type(FOOD, "clerk").get("/staff", params={**params, "lang": "en"})
    assert page.status_code == 422
    assert _alert(page.text) == "Some filters were not valid and were not applied"
    assert code in page.text  # the valid part of the query still applies
    main = page.text.split('<main id="main"', 1)[1]
    for value in params.values():
        if value != "-3":
            assert value not in main


# --- one application --------------------------------------------------------------------------


def test_detail_shows_applicant_checklist_events_and_history(staff: Staff) -> None:
    created = intake(staff, FOOD)
    app_id = created["id"]
    clerk = staff.for_type(FOOD, "clerk")
    page = clerk.get(f"/staff/applications/{app_id}?lang=en")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert created["tracking_code"] in html
    assert f'href="/applications/{app_id}/receipt?lang=en"' in html
    assert APPLICANT["name"] in html
    assert APPLICANT["id_number"] in html
    assert SUBJECT["address"] in html
    assert 'id="current-step">Checking the application<' in html
    assert "The office" in html  # whose turn
    # Each item of this step, with its status, in one form with one version and one button.
    form = html.split('<form class="checklist-form"', 1)[1].split("</form>", 1)[0]
    assert f'action="/staff/applications/{app_id}/checklist?lang=en"' in form
    assert form.count('name="version"') == 1
    assert form.count('type="submit"') == 1
    assert ">Save checklist</button>" in form
    for item in default_catalogue()[FOOD].initial_step.checklist:
        assert f'name="item" value="{item.id}"' in form
        assert f'<label for="status-{item.id}">' in form
        assert f'<label for="note-{item.id}">' in form
    assert form.count("<fieldset") == form.count("<legend")
    assert "not yet received" in html
    # Items of later steps are there too, folded away.
    assert "<summary>Checklist items of other steps</summary>" in html
    assert 'id="item-hygiene_inspection"' in html
    # Events: blocked ones say why, allowed ones have a form with what they need.
    assert "These checklist items are not yet verified or waived" in html
    assert "Mark the missing items in the checklist" in html
    withdraw = html.split('id="event-withdraw"', 1)[1].split("</form>", 1)[0]
    assert 'name="event" value="withdraw"' in withdraw
    assert 'name="reason"' in withdraw
    assert 'name="ground"' not in withdraw
    assert 'name="deadline"' not in withdraw
    assert 'name="event" value="accept_application"' not in html
    assert "Application received" in html  # the history
    assert clerk.username in html
    assert "Delay letters" in html
    thai = clerk.get(f"/staff/applications/{app_id}").text
    assert "ตรวจสอบคำขอและเอกสาร" in thai
    assert "ยังตรวจรายการต่อไปนี้ไม่ครบ" in thai


def test_items_an_event_needs_are_listed_with_this_steps(staff: Staff) -> None:
    """Waiting for documents, the step has no items of its own: the intake documents that
    "documents supplied" needs verified are the ones offered, not folded away."""
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    version = clerk.detail(app_id)["version"]
    missing = _record(clerk, app_id, "application_form", version, status="missing", note="ไม่มี")
    assert missing.status_code == 303
    assert _record(clerk, app_id, "deficiency_record_signed", version + 1).status_code == 303
    asked = fire(
        clerk,
        app_id,
        event="request_documents",
        version=version + 2,
        deadline=(date.today() + timedelta(days=7)).isoformat(),
    )
    assert asked.status_code == 200, asked.text
    html = clerk.get(f"/staff/applications/{app_id}?lang=en").text
    main = html.split('<h2 id="checklist-h">', 1)[1].split('<details class="other-items"', 1)[0]
    needs = next(
        t.requires for t in default_catalogue()[FOOD].transitions if t.event == "documents_supplied"
    )
    assert f'action="/staff/applications/{app_id}/checklist?lang=en"' in main
    for item in needs:
        assert f'name="item" value="{item}"' in main
    assert 'id="item-hygiene_inspection"' not in main


def test_detail_of_another_department_or_unknown_is_refused(staff: Staff) -> None:
    app_id = intake(staff, FOOD)["id"]
    works = staff("clerk", "public-works")
    refused = works.get(f"/staff/applications/{app_id}?lang=en")
    assert refused.status_code == 403
    assert "This application belongs to another department" in _alert(refused.text)
    assert APPLICANT["name"] not in refused.text
    missing = works.get("/staff/applications/424242")
    assert missing.status_code == 404
    assert "ไม่พบคำขอ" in _alert(missing.text)


def test_forms_record_items_and_fire_the_event(staff: Staff, engine: Engine) -> None:
    created = intake(staff, FINE)
    app_id = created["id"]
    clerk = staff.for_type(FINE, "clerk")
    permit = default_catalogue()[FINE]
    accept = next(t for t in permit.transitions if t.event == "accept_application")
    version = 1
    for item in accept.requires:
        response = _record(clerk, app_id, item, version, note="ตรวจกับต้นฉบับแล้ว")
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"/staff/applications/{app_id}?done=checklist"
        version += 1
    page = clerk.get(f"/staff/applications/{app_id}?done=checklist")
    assert "บันทึกรายการตรวจสอบแล้ว" in page.text
    assert 'name="event" value="accept_application"' in page.text
    assert "ตรวจกับต้นฉบับแล้ว" in page.text
    response = _fire(clerk, app_id, "accept_application", version)
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/applications/{app_id}?done=transition"
    assert _stored(engine, app_id).state == accept.target
    detail = clerk.detail(app_id)  # the API sees the same
    assert detail["state"] == accept.target
    assert [e["event"] for e in detail["trail"]] == [
        "submit",
        *(f"checklist:{i}" for i in accept.requires),
        "accept_application",
    ]
    after = clerk.get(f"/staff/applications/{app_id}?done=transition&lang=en")
    assert "Done; the current step is shown below" in after.text
    label = permit.step(accept.target).label.en
    assert f'id="current-step">{label}<' in after.text


def _item(html: str, item: str) -> str:
    return html.split(f'id="item-{item}"', 1)[1].split("</li>", 1)[0]


def test_each_item_offers_only_what_the_signed_in_role_may_record(
    staff: Staff, engine: Engine
) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    html = clerk.get(f"/staff/applications/{app_id}?lang=en").text
    document, inspection = _item(html, "site_map"), _item(html, "hygiene_inspection")
    assert '<option value="verified">' in document
    assert '<option value="waived">' in document
    # The counter may say the inspection report came in or is missing, not verify it.
    assert '<option value="received">' in inspection
    assert '<option value="verified">' not in inspection
    assert '<option value="waived">' not in inspection
    assert "Verified or waived by: officer" in inspection
    assert "Verified or waived by" not in document
    # The approver records no item: no form at all, and who does instead.
    approver = staff.for_type(FOOD, "approver").get(f"/staff/applications/{app_id}?lang=en")
    assert "/checklist/" not in approver.text
    assert "Verified or waived by: clerk" in _item(approver.text, "site_map")
    officer = staff.for_type(FOOD, "officer").get(f"/staff/applications/{app_id}?lang=en").text
    assert '<option value="verified">' in _item(officer, "hygiene_inspection")
    assert "/checklist/site_map" not in _item(officer, "site_map")
    # A form posted anyway is refused and writes nothing.
    response = _record(clerk, app_id, "hygiene_inspection", 1, note="ตรวจเอง")
    assert response.status_code == 403
    assert "(บันทึกได้โดย: เจ้าหน้าที่ผู้ตรวจสอบ)" in _alert(response.text)
    assert _events(engine, app_id) == 1
    assert _stored(engine, app_id).version == 1


def test_language_is_kept_across_the_redirect(staff: Staff) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    response = clerk.post(
        f"/staff/applications/{app_id}/checklist/site_map?lang=en",
        data={"status": "received", "version": "1"},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/staff/applications/{app_id}?done=checklist&lang=en"


def test_a_refused_rule_re_renders_with_the_message_and_writes_nothing(
    staff: Staff, engine: Engine
) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    before = _events(engine, app_id)

    # A rule not met: accepting before the documents are verified.
    response = _fire(clerk, app_id, "accept_application", 1)
    assert response.status_code == 422
    assert _alert(response.text).startswith("ข้อผิดพลาด: ยังตรวจรายการต่อไปนี้ไม่ครบ")
    assert 'id="current-step">ตรวจสอบคำขอและเอกสาร<' in response.text  # the page, re-read
    # Nothing written, not even the version claimed before the rule refused.
    assert _events(engine, app_id) == before
    assert _stored(engine, app_id).version == 1

    # A stale version: changed by someone else.
    assert _record(clerk, app_id, "site_map", 1, status="missing").status_code == 303
    stale = _fire(clerk, app_id, "withdraw", 1, reason="ผู้ยื่นขอยกเลิก")
    assert stale.status_code == 409
    assert "ถูกแก้ไขโดยผู้อื่นแล้ว กรุณาโหลดข้อมูลใหม่" in _alert(stale.text)
    assert 'name="version" value="2"' in stale.text  # the page shows the current version
    stale_en = clerk.post(
        f"/staff/applications/{app_id}/checklist/site_map?lang=en",
        data={"status": "verified", "version": "1"},
        follow_redirects=False,
    )
    assert stale_en.status_code == 409
    assert "changed by someone else; reload it" in _alert(stale_en.text)
    assert _events(engine, app_id) == before + 1
    assert _stored(engine, app_id).state == "intake"

    # What was typed into the refused form comes back, with the field marked.
    late = (date.today() - timedelta(days=1)).isoformat()
    assert _record(clerk, app_id, "deficiency_record_signed", 2).status_code == 303
    response = _fire(clerk, app_id, "request_documents", 3, deadline=late)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text.split('id="deadline-request_documents"')[1][:200]
    assert f'value="{late}"' in response.text
    waive = _record(clerk, app_id, "application_form", 3, status="waived", note="   ")
    assert waive.status_code == 422
    # The refusal names the item it refuses.
    assert "การยกเว้น “แบบคำขอรับใบอนุญาต (สอ.1)” ต้องระบุเหตุผล" in _alert(waive.text)
    assert _events(engine, app_id) == before + 2
    assert _stored(engine, app_id).version == 3


def test_approval_without_required_items_is_refused_through_the_form(
    staff: Staff, engine: Engine
) -> None:
    permit = default_catalogue()[FOOD]
    app_id = intake(staff, FOOD)["id"]
    rules = {(t.source, t.event): t for t in permit.transitions}
    step(engine, app_id, rules[("intake", "accept_application")])
    step(engine, app_id, rules[("site_inspection", "complete_inspection")])
    version = verify_items(staff, FOOD, app_id, ["officer_recommendation"])
    clerk = staff.for_type(FOOD, "clerk")
    # A document accepted at intake turns out to be invalid.
    assert _record(clerk, app_id, "building_consent", version, status="missing").status_code == 303
    before = _events(engine, app_id)
    approver = staff.for_type(FOOD, "approver")
    page = approver.get(f"/staff/applications/{app_id}?lang=en").text
    assert "Cannot approve: required items are neither verified nor waived" in page
    response = approver.post(
        f"/staff/applications/{app_id}/transitions?lang=en",
        data={"event": "approve", "version": str(version + 1)},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "Cannot approve" in _alert(response.text)
    assert "owner&#39;s consent" in _alert(response.text)
    assert _events(engine, app_id) == before
    assert _stored(engine, app_id).state == "pending_decision"
    # A refusal needs a ground: the select offers the type's grounds.
    refuse = page.split('id="event-refuse"', 1)[1].split("</form>", 1)[0]
    for ground in permit.refusal_grounds:
        assert f'<option value="{ground.code}">' in refuse
    assert 'name="reason"' in refuse
    response = _fire(
        approver, app_id, "refuse", version + 1, ground="hygiene-criteria-not-met", reason=""
    )
    assert response.status_code == 422
    assert "selected>สถานที่ไม่ถูกต้องตามหลักเกณฑ์" in response.text  # the choice is kept
    response = _fire(
        approver,
        app_id,
        "refuse",
        version + 1,
        ground="hygiene-criteria-not-met",
        reason="ครัวไม่ผ่านเกณฑ์ข้อ ๔",
    )
    assert response.status_code == 303
    stored = _stored(engine, app_id)
    assert stored.outcome == "refused"
    closed = approver.get(f"/staff/applications/{app_id}").text
    assert "ครัวไม่ผ่านเกณฑ์ข้อ ๔" in closed  # the reason, in the history
    assert "/checklist/" not in closed  # a closed file's checklist no longer changes


def test_managers_read_but_cannot_act(staff: Staff, engine: Engine) -> None:
    app_id = intake(staff, FOOD)["id"]
    manager = staff("manager")
    page = manager.get(f"/staff/applications/{app_id}?lang=en")
    assert page.status_code == 200
    assert "Managers and auditors can read applications but cannot act on them" in page.text
    assert 'name="event"' not in page.text
    assert "/checklist/" not in page.text
    before = _events(engine, app_id)
    response = _fire(manager, app_id, "withdraw", 1, reason="ทดสอบ")
    assert response.status_code == 403
    assert "ผู้บริหารและผู้ตรวจสอบดูข้อมูลได้แต่ไม่ดำเนินการกับคำขอ" in _alert(response.text)
    response = _record(manager, app_id, "site_map", 1)
    assert response.status_code == 403
    assert _events(engine, app_id) == before
    assert _stored(engine, app_id).version == 1


def test_another_department_cannot_post(staff: Staff, engine: Engine) -> None:
    app_id = intake(staff, FOOD)["id"]
    works = staff("clerk", "public-works")
    response = _fire(works, app_id, "withdraw", 1, reason="x")
    assert response.status_code == 403
    assert APPLICANT["name"] not in response.text
    assert _record(works, app_id, "site_map", 1).status_code == 403
    assert _events(engine, app_id) == 1


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/staff/applications/{id}/transitions", {"event": "withdraw", "reason": "x"}),
        ("/staff/applications/{id}/checklist/site_map", {"status": "verified"}),
        ("/staff/applications/new", {"permit_type": FOOD}),
        ("/staff/logout", {}),
        ("/staff/login", {"username": "x", "password": "y"}),
    ],
)
@pytest.mark.parametrize("origin", ["https://evil.example", "null", "https://testserver.evil"])
def test_cross_site_posts_are_refused(
    staff: Staff, engine: Engine, url: str, data: dict[str, str], origin: str
) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    response = clerk.post(
        url.format(id=app_id),
        data={"version": "1", **data},
        headers={"Origin": origin},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "ส่งมาจากเว็บไซต์อื่น" in _alert(response.text)
    assert "set-cookie" not in response.headers
    assert _events(engine, app_id) == 1
    assert _stored(engine, app_id).version == 1
    with unit_of_work(engine) as session:
        assert session.exec(select(func.count()).select_from(Application)).one() == 1


def test_same_site_posts_are_accepted(staff: Staff, engine: Engine) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    response = clerk.post(
        f"/staff/applications/{app_id}/transitions",
        data={"event": "withdraw", "version": "1", "reason": "ผู้ยื่นขอยกเลิก"},
        headers=SAME_SITE,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _stored(engine, app_id).outcome == "withdrawn"


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"event": "withdraw", "version": "abc", "reason": "x"}, 422),
        ({"event": "withdraw", "version": "", "reason": "x"}, 422),
        ({"event": "withdraw", "version": "99999999999", "reason": "x"}, 422),
        ({"event": "<script>alert(1)</script>", "version": "1"}, 422),
        ({"event": "", "version": "1"}, 422),
        ({"event": "no_such_event", "version": "1"}, 409),
        ({"event": "withdraw", "version": "1", "reason": "ก" * 2001}, 422),
        ({"event": "withdraw", "version": "1", "reason": "a\x00b"}, 422),
        ({"event": "request_documents", "version": "1", "deadline": "31/12/2569"}, 422),
        ({"event": "refuse", "version": "1", "ground": "x" * 80}, 422),
    ],
)
def test_malformed_transition_forms_get_a_readable_4xx(
    staff: Staff, engine: Engine, data: dict[str, str], status: int
) -> None:
    app_id = intake(staff, FOOD)["id"]
    response = staff.for_type(FOOD, "clerk").post(
        f"/staff/applications/{app_id}/transitions", data=data, follow_redirects=False
    )
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert _alert(response.text)
    assert "<script>alert" not in response.text
    assert _events(engine, app_id) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"status": "bogus", "version": "1"},
        {"status": "", "version": "1"},
        {"status": "verified", "version": "x"},
        {"status": "verified", "version": "1", "note": "n" * 1001},
        {"status": "verified", "version": "1", "note": "\x00"},
    ],
)
def test_malformed_checklist_forms_get_a_readable_422(
    staff: Staff, engine: Engine, data: dict[str, str]
) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    response = clerk.post(
        f"/staff/applications/{app_id}/checklist/site_map?lang=en",
        data=data,
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert _alert(response.text).startswith("Error:")
    assert _events(engine, app_id) == 1
    unknown = clerk.post(
        f"/staff/applications/{app_id}/checklist/no_such_item",
        data={"status": "verified", "version": "1"},
        follow_redirects=False,
    )
    assert unknown.status_code == 404


def test_success_message_is_a_fixed_text(staff: Staff) -> None:
    app_id = intake(staff, FOOD)["id"]
    clerk = staff.for_type(FOOD, "clerk")
    for done in ["<b>owned</b>", "ข้อความปลอม", "checklist2"]:
        html = clerk.get(f"/staff/applications/{app_id}", params={"done": done}).text
        assert 'role="status"' not in html
        main = html.split('<main id="main"', 1)[1]
        assert done not in main
        assert "owned" not in main


# --- intake -----------------------------------------------------------------------------------


def _intake_form(user: User, lang: str = "th") -> tuple[str, str]:
    page = user.get(f"/staff/applications/new?lang={lang}")
    assert page.status_code == 200
    key = re.search(r'name="form_key" value="([^"]+)"', page.text)
    assert key
    return page.text, key.group(1)


GOOD = {
    "permit_type": FOOD,
    "applicant_name": "  สมหญิง รักไทย ",
    "id_number": "1-1017-00123-45-6",
    "phone": "+66 81 234 5678",
    "email": "somying@example.org",
    "address": "12/3 ซอยจุฬา ๔๒ แขวงวังใหม่ เขตปทุมวัน",
    "description": "ร้านก๋วยเตี๋ยว",
}


def test_intake_creates_the_application_and_shows_its_receipt(staff: Staff, engine: Engine) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    html, key = _intake_form(clerk)
    assert '<label for="id_number">' in html
    # Only the types of the clerk's department are offered.
    assert '<option value="food-premises">' in html
    assert '<option value="building-small">' not in html
    response = clerk.post(
        "/staff/applications/new", data={**GOOD, "form_key": key}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    found = re.fullmatch(r"/applications/(\d+)/receipt", location)
    assert found
    app_id = int(found.group(1))
    stored = _stored(engine, app_id)
    assert stored.applicant_name == "สมหญิง รักไทย"
    assert stored.applicant_id_number == "1101700123456"
    assert stored.applicant_phone == "0812345678"
    assert stored.state == "intake"
    receipt = clerk.get(location)
    assert receipt.status_code == 200
    assert codes.format_code(stored.tracking_code) in receipt.text
    # The same form sent again (a double click, a reload) takes in nothing more.
    again = clerk.post(
        "/staff/applications/new", data={**GOOD, "form_key": key}, follow_redirects=False
    )
    assert again.headers["location"] == location
    # Sent again with other values, it is a new application.
    other = clerk.post(
        "/staff/applications/new",
        data={**GOOD, "form_key": key, "description": "ร้านข้าวมันไก่"},
        follow_redirects=False,
    )
    assert other.status_code == 303
    assert other.headers["location"] != location
    assert clerk.get("/api/v1/applications").json()["total"] == 2
    english = clerk.post(
        "/staff/applications/new?lang=en", data=GOOD, follow_redirects=False
    ).headers["location"]
    assert english.endswith("/receipt?lang=en")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id_number": "1101700123457"}, "id_number", "check digit does not match"),
        ({"id_number": "12"}, "id_number", "13-digit Thai ID number or a passport number"),
        ({"phone": "12"}, "phone", "phone number is not valid"),
        ({"email": "not-an-address"}, "email", "e-mail address is not valid"),
        ({"applicant_name": "   "}, "applicant_name", "Enter the applicant's name"),
        ({"address": ""}, "address", "Enter the address"),
        ({"description": "ก" * 2001}, "description", "longer than 2,000 characters"),
        ({"permit_type": "space-elevator"}, "permit_type", "Unknown permit type"),
        ({"permit_type": ""}, "permit_type", "Unknown permit type"),
    ],
)
def test_bad_intake_input_re_shows_the_form(
    staff: Staff, changes: dict[str, str], field: str, message: str
) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    _, key = _intake_form(clerk)
    data = {**GOOD, "form_key": key, **changes}
    response = clerk.post("/staff/applications/new?lang=en", data=data, follow_redirects=False)
    assert response.status_code == 422
    html = response.text
    error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html, re.S)
    assert error, html
    assert message.replace("'", "&#39;") in error.group(1)
    control = re.search(rf'<(input|select|textarea) id="{field}"[^>]*>', html)
    assert control
    assert 'aria-invalid="true"' in control.group(0)
    assert f"{field}-error" in control.group(0)
    assert f'href="#{field}"' in html  # the summary links to the field
    # The values typed are shown again.
    if field != "applicant_name":
        assert 'value="  สมหญิง รักไทย "' in html
    if field != "address":
        assert GOOD["address"] in html
    assert f'name="form_key" value="{key}"' in html
    assert clerk.get("/api/v1/applications").json()["total"] == 0


def test_several_intake_problems_are_listed_together(staff: Staff) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    response = clerk.post(
        "/staff/applications/new",
        data={**GOOD, "applicant_name": "", "email": "nope", "address": " "},
        follow_redirects=False,
    )
    assert response.status_code == 422
    summary = _alert(response.text)
    assert "กรุณาแก้ไขข้อมูลต่อไปนี้" in summary
    for text in ["กรุณากรอกชื่อผู้ยื่นคำขอ", "อีเมลไม่ถูกต้อง", "กรุณากรอกที่ตั้ง"]:
        assert text in summary


def test_only_clerks_of_the_department_take_in(staff: Staff) -> None:
    officer = staff.for_type(FOOD, "officer")
    page = officer.get("/staff/applications/new?lang=en")
    assert page.status_code == 403
    assert "Only clerks take in applications" in _alert(page.text)
    posted = officer.post("/staff/applications/new", data=GOOD, follow_redirects=False)
    assert posted.status_code == 403
    assert "รับคำขอได้เฉพาะเจ้าหน้าที่รับคำขอ" in _alert(posted.text)
    works = staff("clerk", "public-works")
    posted = works.post("/staff/applications/new", data=GOOD, follow_redirects=False)
    assert posted.status_code == 403
    assert "ฝ่ายอื่น" in _alert(posted.text)
    assert staff("manager").get("/staff/applications/new").status_code == 403
    assert staff.for_type(FOOD, "clerk").get("/api/v1/applications").json()["total"] == 0


def test_the_same_intake_form_sent_twice_at_once_takes_in_one(
    staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    _, key = _intake_form(clerk)
    first = clerk.post(
        "/staff/applications/new", data={**GOOD, "form_key": key}, follow_redirects=False
    )
    assert first.status_code == 303
    # The second copy looked before the first had committed, so found nothing...
    real = intake_pages.idempotency.recall
    calls: list[str] = []

    def late(*args: Any) -> Any:
        calls.append("recall")
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(intake_pages.idempotency, "recall", late)
    second = clerk.post(
        "/staff/applications/new", data={**GOOD, "form_key": key}, follow_redirects=False
    )
    # ...and when its own record clashed, it went to the first one's receipt.
    assert second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert calls == ["recall", "recall"]
    total = clerk.get("/api/v1/applications").json()["total"]
    assert total == 1


def test_nul_characters_in_intake_are_refused_and_not_shown_again(staff: Staff) -> None:
    clerk = staff.for_type(FOOD, "clerk")
    response = clerk.post(
        "/staff/applications/new?lang=en",
        data={**GOOD, "description": "ร้าน\x00อาหาร"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "cannot be stored" in _alert(response.text)
    assert "\x00" not in response.text
    assert "ร้านอาหาร" in response.text
