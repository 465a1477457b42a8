"""The staff API end to end: each permit type walked by the right people, and each rule
asserted both ways through HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from checklists.loader import default_catalogue
from checklists.schema import Outcome, TransitionKind
from tracking.cli import app as cli
from tracking.demo import path_to

from .conftest import APPLICANT, BASE_URL, SUBJECT, Staff, fire, intake, step, verify_items

runner = CliRunner()
SLUGS = sorted(default_catalogue())


def _inputs(slug: str, kind: TransitionKind, event: str = "") -> dict[str, Any]:
    permit = default_catalogue()[slug]
    if any(t.fine for t in permit.transitions if t.event == event):
        return {"fine_baht": 2000}
    if kind is TransitionKind.refuse:
        ground = next(g.code for g in permit.refusal_grounds if not g.missing_documents)
        return {"ground": ground, "reason": "ผลการตรวจไม่ผ่านเกณฑ์ตามรายงานที่แนบ"}
    return {}


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("outcome", ["approved", "refused"])
def test_walk_each_type_through_the_api(
    staff: Staff, env_database: str, slug: str, outcome: str
) -> None:
    permit = default_catalogue()[slug]
    wanted = {Outcome.approved, Outcome.closed} if outcome == "approved" else {Outcome.refused}
    path = path_to(permit, wanted)
    created = intake(staff, slug)
    app_id = created["id"]
    assert created["tracking_url"] == f"{BASE_URL}/track/{created['tracking_code']}"
    assert created["state"] == permit.initial_step.id
    for t in path:
        detail = staff.for_type(slug, t.roles[0]).detail(app_id)
        offered = {e["event"] for e in detail["events"]}
        assert t.event in offered
        result = step(staff, slug, app_id, t, **_inputs(slug, t.kind, t.event))
        assert result["state"] == t.target
        assert result["event"]["actor"] == f"{t.roles[0]}-{permit.department}-a"
    final = staff.for_type(slug, "clerk").detail(app_id)
    assert final["outcome"] in {o.value for o in wanted}
    fired = [e["event"] for e in final["trail"] if e["kind"] == "transition"]
    assert fired == [t.event for t in path]
    # Decisions were taken by someone other than the officer who reviewed or inspected.
    actors = {e["transition_kind"]: e["actor"] for e in final["trail"] if e["transition_kind"]}
    decider = actors.get("approve") or actors.get("refuse")
    assert decider is not None
    assert decider not in {actors.get("review"), actors.get("inspection")}

    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 0, result.output


# --- role and department -------------------------------------------------------------------


def test_other_department_cannot_read_or_change(staff: Staff) -> None:
    app_id = intake(staff, "food-premises")["id"]
    works_clerk = staff("clerk", "public-works")
    assert works_clerk.get(f"/api/v1/applications/{app_id}").status_code == 403
    response = works_clerk.patch(
        f"/api/v1/applications/{app_id}/checklist/site_map",
        json={"status": "verified", "version": 1},
    )
    assert response.status_code == 403
    assert response.json()["message"]["en"] == "This application belongs to another department"
    assert fire(works_clerk, app_id, event="withdraw", reason="x", version=1).status_code == 403
    # The same department can.
    assert (
        staff.for_type("food-premises", "clerk").get(f"/api/v1/applications/{app_id}").status_code
        == 200
    )
    # Their queues differ.
    assert works_clerk.get("/api/v1/applications").json()["total"] == 0
    assert staff.for_type("food-premises", "clerk").get("/api/v1/applications").json()["total"] == 1


def test_managers_read_everything_and_fire_nothing(staff: Staff) -> None:
    food = intake(staff, "food-premises")["id"]
    intake(staff, "building-small")
    manager = staff("manager")
    assert manager.get(f"/api/v1/applications/{food}").status_code == 200
    assert manager.get("/api/v1/applications").json()["total"] == 2
    response = fire(manager, food, event="withdraw", reason="ทดสอบ", version=1)
    assert response.status_code == 403
    events = manager.detail(food)["events"]
    assert all(not e["allowed"] for e in events)
    assert response.json()["message"]["th"]


def test_wrong_role_is_refused_and_explained(staff: Staff) -> None:
    app_id = intake(staff, "food-premises")["id"]
    officer = staff.for_type("food-premises", "officer")
    response = fire(officer, app_id, event="withdraw", reason="x", version=1)
    assert response.status_code == 403
    assert response.json()["allowed_roles"] == ["clerk"]
    blocked = {e["event"]: e for e in officer.detail(app_id)["events"]}
    assert blocked["withdraw"]["allowed"] is False
    assert blocked["withdraw"]["blocked_by"][0]["error"] == "not_permitted"


def test_checklist_items_are_recorded_by_their_roles(staff: Staff) -> None:
    slug = "food-premises"
    app_id = intake(staff, slug)["id"]
    url = f"/api/v1/applications/{app_id}/checklist"
    clerk, approver = staff.for_type(slug, "clerk"), staff.for_type(slug, "approver")
    # A clerk does not verify the hygiene inspection, even at intake...
    response = clerk.patch(
        f"{url}/hygiene_inspection", json={"status": "verified", "note": "", "version": 1}
    )
    assert response.status_code == 403
    assert response.json()["error"] == "not_permitted"
    assert response.json()["allowed_roles"] == ["officer"]
    # ...nor does an approver waive documents.
    response = approver.patch(
        f"{url}/building_consent",
        json={"status": "waived", "note": "ผู้ขอเป็นเจ้าของอาคารเอง", "version": 1},
    )
    assert response.status_code == 403
    assert response.json()["allowed_roles"] == ["clerk"]
    assert clerk.detail(app_id)["version"] == 1  # nothing was written
    officer = staff.for_type(slug, "officer")
    response = officer.patch(
        f"{url}/hygiene_inspection", json={"status": "verified", "note": "", "version": 1}
    )
    assert response.status_code == 200, response.text


def test_only_clerks_of_the_department_take_in(staff: Staff) -> None:
    body = {"permit_type": "food-premises", "applicant": APPLICANT, "subject": SUBJECT}
    officer = staff.for_type("food-premises", "officer")
    assert officer.post("/api/v1/applications", json=body).status_code == 403
    assert staff("clerk", "public-works").post("/api/v1/applications", json=body).status_code == 403


# --- Licensing Facilitation Act s.8 ---------------------------------------------------------


def _mark_missing(staff: Staff, app_id: int, item: str = "site_map") -> int:
    """Mark ``item`` missing and verify the signed s.8 record: ready for the request."""
    clerk = staff.for_type("food-premises", "clerk")
    version = clerk.detail(app_id)["version"]
    response = clerk.patch(
        f"/api/v1/applications/{app_id}/checklist/{item}",
        json={"status": "missing", "note": "ยังไม่ได้ยื่น", "version": version},
    )
    assert response.status_code == 200
    return verify_items(staff, "food-premises", app_id, ["deficiency_record_signed"])


def test_deficiency_request_needs_missing_items_and_a_deadline(staff: Staff) -> None:
    app_id = intake(staff, "food-premises")["id"]
    clerk = staff.for_type("food-premises", "clerk")
    tomorrow = (date.today() + timedelta(days=7)).isoformat()
    response = fire(clerk, app_id, event="request_documents", version=1, deadline=tomorrow)
    assert response.status_code == 422
    assert response.json()["unmet_items"] == ["deficiency_record_signed"]
    version = verify_items(staff, "food-premises", app_id, ["deficiency_record_signed"])
    response = fire(clerk, app_id, event="request_documents", version=version, deadline=tomorrow)
    assert response.status_code == 422
    assert "missing" in response.json()["message"]["en"]
    version = _mark_missing(staff, app_id)
    response = fire(clerk, app_id, event="request_documents", version=version)
    assert response.status_code == 422
    assert response.json()["field"] == "deadline"
    response = fire(clerk, app_id, event="request_documents", version=version, deadline=tomorrow)
    assert response.status_code == 200, response.text
    assert response.json()["turn"] == "applicant"
    data = response.json()["event"]["data"]
    assert data == {"missing_items": ["site_map"], "deadline": tomorrow}
    # Once only: the step that offered it is gone.
    again = fire(clerk, app_id, event="request_documents", version=version + 1, deadline=tomorrow)
    assert again.status_code == 409


def test_return_only_after_the_deadline_and_with_a_reason(staff: Staff) -> None:
    app_id = intake(staff, "food-premises")["id"]
    clerk = staff.for_type("food-premises", "clerk")
    version = _mark_missing(staff, app_id)
    deadline = date.today() + timedelta(days=3)
    fire(clerk, app_id, event="request_documents", version=version, deadline=deadline.isoformat())
    version += 1
    early = fire(clerk, app_id, event="return_application", version=version, reason="ไม่ส่งเอกสาร")
    assert early.status_code == 422
    assert early.json()["deadline"] == deadline.isoformat()
    blocked = {e["event"]: e for e in clerk.detail(app_id)["events"]}["return_application"]
    assert blocked["allowed"] is False
    with time_machine.travel(datetime.now(UTC) + timedelta(days=5), tick=False):
        clerk = staff.sign_in(clerk.username)  # the day's token expired overnight
        no_reason = fire(clerk, app_id, event="return_application", version=version)
        assert no_reason.status_code == 422
        assert no_reason.json()["field"] == "reason"
        late = fire(
            clerk,
            app_id,
            event="return_application",
            version=version,
            reason="ผู้ยื่นไม่ส่งเอกสารตามบันทึกความบกพร่องภายในกำหนด",
        )
        assert late.status_code == 200, late.text
        assert late.json()["outcome"] == "returned"


def test_missing_documents_are_no_refusal_ground(staff: Staff) -> None:
    # Documents not supplied by the s.8 deadline lead to a return (see above), never a refusal.
    slug = "food-premises"
    app_id = _to_decision(staff, slug)
    version = staff.for_type(slug, "clerk").detail(app_id)["version"]
    response = fire(
        staff.for_type(slug, "approver"),
        app_id,
        event="refuse",
        version=version,
        ground="deficiencies-not-cured",
        reason="เอกสารไม่ครบ",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "ground"
    assert "deficiencies-not-cured" not in response.json()["grounds"]


# --- decisions -----------------------------------------------------------------------------


def _to_decision(staff: Staff, slug: str = "food-premises", tag: str = "a") -> int:
    permit = default_catalogue()[slug]
    app_id = intake(staff, slug)["id"]
    for t in path_to(permit, {Outcome.approved}):
        if t.kind in {TransitionKind.approve, TransitionKind.refuse}:
            break
        step(staff, slug, app_id, t)
    verify_items(staff, slug, app_id, ["officer_recommendation"], tag=tag)
    return int(app_id)


def test_refusal_needs_a_listed_ground_and_a_reason(staff: Staff) -> None:
    app_id = _to_decision(staff)
    approver = staff.for_type("food-premises", "approver")
    version = approver.detail(app_id)["version"]
    for body, field in [
        ({"reason": "ไม่ผ่าน"}, "ground"),
        ({"reason": "ไม่ผ่าน", "ground": "bad-vibes"}, "ground"),
        ({"ground": "hygiene-criteria-not-met"}, "reason"),
        ({"ground": "hygiene-criteria-not-met", "reason": "   "}, "reason"),
    ]:
        response = fire(approver, app_id, event="refuse", version=version, **body)
        assert response.status_code == 422, body
        assert response.json()["field"] == field
    response = fire(
        approver,
        app_id,
        event="refuse",
        version=version,
        ground="hygiene-criteria-not-met",
        reason="ห้องครัวไม่ผ่านเกณฑ์ข้อ ๔",
    )
    assert response.status_code == 200
    assert response.json()["event"]["ground"] == "hygiene-criteria-not-met"


def test_approval_needs_every_required_item_of_the_steps_passed(staff: Staff) -> None:
    app_id = _to_decision(staff)
    clerk = staff.for_type("food-premises", "clerk")
    version = clerk.detail(app_id)["version"]
    # A document accepted at intake turns out to be invalid.
    response = clerk.patch(
        f"/api/v1/applications/{app_id}/checklist/building_consent",
        json={"status": "missing", "note": "สัญญาเช่าหมดอายุ", "version": version},
    )
    version = response.json()["version"]
    approver = staff.for_type("food-premises", "approver")
    refused = fire(approver, app_id, event="approve", version=version)
    assert refused.status_code == 422
    assert refused.json()["unmet_items"] == ["building_consent"]
    response = clerk.patch(
        f"/api/v1/applications/{app_id}/checklist/building_consent",
        json={"status": "waived", "version": version},
    )
    assert response.status_code == 422  # waiving needs a reason
    response = clerk.patch(
        f"/api/v1/applications/{app_id}/checklist/building_consent",
        json={"status": "waived", "note": "ผู้ขอเป็นเจ้าของอาคารเอง", "version": version},
    )
    assert response.status_code == 200
    approved = fire(approver, app_id, event="approve", version=response.json()["version"])
    assert approved.status_code == 200, approved.text


def test_four_eyes_the_inspector_cannot_decide(staff: Staff, engine: Engine) -> None:
    slug = "food-premises"
    permit = default_catalogue()[slug]
    app_id = intake(staff, slug)["id"]
    rules = {(t.source, t.event): t for t in permit.transitions}
    step(staff, slug, app_id, rules[("intake", "accept_application")])
    # An approver may not inspect the premises themself: inspections are the officers'...
    approver = staff.for_type(slug, "approver")
    version = approver.detail(app_id)["version"]
    response = approver.patch(
        f"/api/v1/applications/{app_id}/checklist/hygiene_inspection",
        json={"status": "verified", "note": "ตรวจเอง", "version": version},
    )
    assert response.status_code == 403
    assert response.json()["allowed_roles"] == ["officer"]
    step(staff, slug, app_id, rules[("site_inspection", "complete_inspection")])
    version = verify_items(staff, slug, app_id, ["officer_recommendation"])
    # ...and the officer who inspected it, made an approver since, may not decide it.
    inspector = staff.for_type(slug, "officer")
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE staff SET role = 'approver' WHERE username = :u"),
            {"u": inspector.username},
        )
    response = fire(inspector, app_id, event="approve", version=version)
    assert response.status_code == 403
    assert response.json()["error"] == "four_eyes"
    # An approver who did not inspect it may.
    response = fire(approver, app_id, event="approve", version=version)
    assert response.status_code == 200, response.text


def test_first_come_first_served(staff: Staff) -> None:
    older = _to_decision(staff)
    newer = _to_decision(staff)
    approver = staff.for_type("food-premises", "approver")
    version = approver.detail(newer)["version"]
    response = fire(approver, newer, event="approve", version=version)
    assert response.status_code == 422
    assert response.json()["older_waiting"] == 1
    response = fire(
        approver, newer, event="approve", version=version, reason="ผู้ยื่นรายก่อนขอเลื่อนการตรวจ"
    )
    assert response.status_code == 200
    assert response.json()["event"]["out_of_turn"] is True
    # The older one is next in line: no reason needed, not out of turn.
    version = approver.detail(older)["version"]
    response = fire(approver, older, event="approve", version=version)
    assert response.status_code == 200
    assert response.json()["event"]["out_of_turn"] is False


# --- queue ---------------------------------------------------------------------------------


def test_queue_is_first_come_first_served_with_filters(staff: Staff) -> None:
    ids = [intake(staff, "food-premises")["id"] for _ in range(3)]
    clerk = staff.for_type("food-premises", "clerk")
    version = _mark_missing(staff, ids[1])
    fire(
        clerk,
        ids[1],
        event="request_documents",
        version=version,
        deadline=(date.today() + timedelta(days=7)).isoformat(),
    )
    page = clerk.get("/api/v1/applications").json()
    assert [i["id"] for i in page["items"]] == ids
    waiting = clerk.get("/api/v1/applications", params={"turn": "applicant"}).json()
    assert [i["id"] for i in waiting["items"]] == [ids[1]]
    at_intake = clerk.get("/api/v1/applications", params={"state": "intake"}).json()
    assert [i["id"] for i in at_intake["items"]] == [ids[0], ids[2]]
    paged = clerk.get("/api/v1/applications", params={"per_page": 2, "page": 2}).json()
    assert [i["id"] for i in paged["items"]] == [ids[2]]
    assert paged["total"] == 3
    assert clerk.get("/api/v1/applications", params={"overdue": True}).json()["total"] == 0
    with time_machine.travel(datetime.now(UTC) + timedelta(days=90), tick=False):
        later = staff.sign_in(clerk.username)
        overdue = later.get("/api/v1/applications", params={"overdue": True}).json()
        assert {i["id"] for i in overdue["items"]} == {ids[0], ids[2]}
    bad = clerk.get("/api/v1/applications", params={"permit_type": "nope"})
    assert bad.status_code == 422


# --- errors, idempotency, sign-in ----------------------------------------------------------


def test_no_token_bad_token_unknown_and_stale(staff: Staff, client: TestClient) -> None:
    app_id = intake(staff, "food-premises")["id"]
    response = client.get(f"/api/v1/applications/{app_id}")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["message"]["th"]
    bad = client.get("/api/v1/applications", headers={"Authorization": "Bearer forged.token.x"})
    assert bad.status_code == 401
    clerk = staff.for_type("food-premises", "clerk")
    assert clerk.get("/api/v1/applications/999999").status_code == 404
    stale = fire(clerk, app_id, event="withdraw", reason="ยกเลิก", version=7)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1
    wrong_step = fire(clerk, app_id, event="issue_licence", version=1)
    assert wrong_step.status_code == 409
    assert wrong_step.json()["error"] == "transition_not_allowed"


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'\xff\xfe{"permit_type": 1}', {"content-type": "application/json"}),
        (b"[1, 2, 3]", {"content-type": "application/json"}),
        (
            b'{"permit_type": "space-elevator", "applicant": {"name": "a", "id_number":'
            b' "1101700123456"}, "subject": {"address": "x"}}',
            {"content-type": "application/json"},
        ),
        (b"[" * 5000 + b"]" * 5000, {"content-type": "application/json"}),
        (b"permit_type=food-premises", {"content-type": "text/plain"}),
        (b"{not json", {"content-type": "application/json"}),
        (b"", {"content-type": "application/json"}),
        (
            b'{"permit_type": "food-premises", "applicant": {"name": "a\\u0000b", "id_number":'
            b' "1101700123456"}, "subject": {"address": "x"}}',
            {"content-type": "application/json"},
        ),
    ],
    ids=[
        "invalid-utf8",
        "json-array",
        "unknown-type",
        "deep-nesting",
        "wrong-type",
        "broken-json",
        "empty",
        "nul-character",
    ],
)
def test_bad_bodies_get_a_readable_4xx(staff: Staff, body: bytes, headers: dict[str, str]) -> None:
    clerk = staff.for_type("food-premises", "clerk")
    response = clerk.post("/api/v1/applications", content=body, headers=headers)
    assert 400 <= response.status_code < 500
    message = response.json()["message"]
    assert message["th"]
    assert message["en"]
    assert clerk.get("/api/v1/applications").json()["total"] == 0


def test_oversized_body_is_413(staff: Staff) -> None:
    clerk = staff.for_type("food-premises", "clerk")
    huge = {
        "permit_type": "food-premises",
        "applicant": APPLICANT,
        "subject": {**SUBJECT, "description": "ก" * 70_000},
    }
    response = clerk.post("/api/v1/applications", json=huge)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_bad_applicant_details_are_explained(staff: Staff) -> None:
    clerk = staff.for_type("food-premises", "clerk")
    for applicant, field in [
        ({**APPLICANT, "id_number": "1101700123457"}, "applicant.id_number"),
        ({**APPLICANT, "phone": "12"}, "applicant.phone"),
    ]:
        response = clerk.post(
            "/api/v1/applications",
            json={"permit_type": "food-premises", "applicant": applicant, "subject": SUBJECT},
        )
        assert response.status_code == 422
        assert response.json()["field"] == field
    response = clerk.post(
        "/api/v1/applications",
        json={
            "permit_type": "food-premises",
            "applicant": {**APPLICANT, "email": "nope"},
            "subject": SUBJECT,
        },
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "applicant.email"


def test_idempotent_intake_and_transition(staff: Staff) -> None:
    clerk = staff.for_type("food-premises", "clerk")
    body = {"permit_type": "food-premises", "applicant": APPLICANT, "subject": SUBJECT}
    first = clerk.post("/api/v1/applications", json=body, headers={"Idempotency-Key": "k-1"})
    again = clerk.post("/api/v1/applications", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert clerk.get("/api/v1/applications").json()["total"] == 1
    other = clerk.post(
        "/api/v1/applications",
        json={**body, "subject": {"address": "อื่น"}},
        headers={"Idempotency-Key": "k-1"},
    )
    assert other.status_code == 422
    app_id = first.json()["id"]
    move = {"event": "withdraw", "reason": "ผู้ยื่นขอยกเลิก", "version": 1}
    a = clerk.post(
        f"/api/v1/applications/{app_id}/transitions", json=move, headers={"Idempotency-Key": "t-1"}
    )
    b = clerk.post(
        f"/api/v1/applications/{app_id}/transitions", json=move, headers={"Idempotency-Key": "t-1"}
    )
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json()
    trail = clerk.detail(app_id)["trail"]
    assert [e["event"] for e in trail] == ["submit", "withdraw"]


def test_sign_in_failures_look_alike_and_are_rate_limited(staff: Staff, client: TestClient) -> None:
    staff.for_type("food-premises", "clerk")
    # Wall time stands still, so every attempt falls in one rate-limit window.
    with time_machine.travel(datetime.now(UTC), tick=False):
        username = "clerk-environment-sanitation-a"
        wrong = client.post("/api/v1/auth/token", data={"username": username, "password": "nope"})
        ghost = client.post("/api/v1/auth/token", data={"username": "ghost", "password": "nope"})
        assert wrong.status_code == ghost.status_code == 401
        assert wrong.json() == ghost.json()
        for _ in range(4):
            client.post("/api/v1/auth/token", data={"username": username, "password": "nope"})
        limited = client.post(
            "/api/v1/auth/token", data={"username": username, "password": "correct horse battery"}
        )
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) > 0
        # Another user from the same client is still fine (the client limit is higher).
        other = staff.for_type("building-small", "clerk")
        assert other.get("/api/v1/applications").status_code == 200


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/auth/token", "post"),
        ("/api/v1/applications", "post"),
        ("/api/v1/applications", "get"),
        ("/api/v1/applications/{application_id}", "get"),
        ("/api/v1/applications/{application_id}/checklist/{item_id}", "patch"),
        ("/api/v1/applications/{application_id}/checklist", "patch"),
        ("/api/v1/applications/{application_id}/transitions", "post"),
    ]:
        operation = paths[path][method]
        assert operation["summary"]
        assert "422" in operation["responses"]
    assert client.get("/docs").status_code == 200
