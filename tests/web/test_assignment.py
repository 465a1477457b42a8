"""Assignment over HTTP: the API moves one file or many (approver, manager; never an officer),
the application's page shows who holds it and who may still decide it, and its form moves it
with a reason; a refusal keeps what was typed and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from checklists.loader import default_catalogue
from tracking import access
from tracking.models import Application, ApplicationEvent, EventKind
from tracking.workflow import rules

from .conftest import Staff, intake

FOOD = "food-premises"
DEPT = "environment-sanitation"


def _file(engine: Engine, app_id: int) -> Application:
    with Session(engine) as session:
        found = session.get(Application, app_id)
        assert found is not None
        return found


def _moves(engine: Engine, app_id: int) -> list[ApplicationEvent]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(ApplicationEvent).where(
                    ApplicationEvent.application_id == app_id,
                    ApplicationEvent.kind == EventKind.assignment,
                )
            ).all()
        )


def test_the_api_moves_one_file_with_a_reason(staff: Staff, engine: Engine) -> None:
    first = staff(role="officer", department=DEPT, tag="a")
    staff(role="officer", department=DEPT, tag="b")
    approver = staff(role="approver", department=DEPT)
    created = intake(staff, FOOD)
    app_id = created["id"]
    detail = first.detail(app_id)
    assert detail["assignee"] == first.username  # intake gave it to the least loaded
    url = f"/api/v1/applications/{app_id}/assignment"
    body: dict[str, Any] = {"assignee": "officer-environment-sanitation-b", "reason": "ลาป่วย"}
    assert first.post(url, json={**body, "version": detail["version"]}).status_code == 403
    refused = approver.post(url, json={**body, "reason": " ", "version": detail["version"]})
    assert refused.status_code == 422
    assert refused.json()["message"]["th"]
    stale = approver.post(url, json={**body, "version": detail["version"] + 5})
    assert stale.status_code == 409
    done = approver.post(url, json={**body, "version": detail["version"]})
    assert done.status_code == 201, done.text
    assert done.json()["assignee"] == "officer-environment-sanitation-b"
    assert done.json()["event"]["reason"] == "ลาป่วย"
    assert [e.reason for e in _moves(engine, app_id)] == ["ลาป่วย"]


def test_a_manager_moves_many_files_at_once(staff: Staff, engine: Engine) -> None:
    staff(role="officer", department=DEPT, tag="a")
    staff(role="officer", department=DEPT, tag="b")
    manager = staff(role="manager")
    ids = [intake(staff, FOOD)["id"] for _ in range(3)]
    files = [{"id": i, "version": _file(engine, i).version} for i in ids]
    url = "/api/v1/applications/assignments"
    to = "officer-environment-sanitation-b"
    twice = manager.post(url, json={"applications": [files[0], files[0]], "assignee": to})
    assert twice.status_code == 422  # the reason is missing, too: refused before anything
    body = {"applications": files, "assignee": to, "reason": "ปรับภาระงาน"}
    done = manager.post(url, json=body)
    assert done.status_code == 200, done.text
    assert done.json()["moved"] == 2  # one of the three was theirs from intake
    assert {_file(engine, i).assignee for i in ids} == {to}
    again = manager.post(url, json=body)  # all theirs now: nothing to move, nothing written
    assert again.status_code == 200
    assert again.json()["moved"] == 0
    back = {**body, "assignee": "officer-environment-sanitation-a"}
    assert manager.post(url, json=back).status_code == 409  # stale versions: nothing moves
    assert sum(len(_moves(engine, i)) for i in ids) == 2


def test_the_page_shows_the_holder_and_moves_the_file(
    staff: Staff, engine: Engine, client: TestClient
) -> None:
    staff(role="officer", department=DEPT, tag="a")
    staff(role="officer", department=DEPT, tag="b")
    approver = staff(role="approver", department=DEPT)
    app_id = intake(staff, FOOD)["id"]
    page = approver.get(f"/staff/applications/{app_id}")
    assert 'id="assignment"' in page.text
    assert "assign-to" in page.text  # the approver gets the form
    officer_page = staff(role="officer", department=DEPT, tag="a").get(
        f"/staff/applications/{app_id}"
    )
    assert "assign-to" not in officer_page.text  # an officer does not
    version = str(_file(engine, app_id).version)
    form = {"assignee": "officer-environment-sanitation-b", "reason": "", "version": version}
    refused = approver.post(
        f"/staff/applications/{app_id}/assignment", data=form, follow_redirects=False
    )
    assert refused.status_code == 422
    assert 'id="assign-reason"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert not _moves(engine, app_id)
    moved = approver.post(
        f"/staff/applications/{app_id}/assignment",
        data={**form, "reason": "ผู้รับผิดชอบเดิมลา"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    shown = approver.get(moved.headers["location"])
    assert "บันทึกการมอบหมายผู้รับผิดชอบแล้ว" in shown.text
    assert _file(engine, app_id).assignee == "officer-environment-sanitation-b"


def test_the_dashboard_shows_each_persons_caseload(staff: Staff, engine: Engine) -> None:
    staff(role="officer", department=DEPT, tag="a")
    manager = staff(role="manager")
    for _ in range(2):
        intake(staff, FOOD)
    page = manager.get("/manager")
    assert page.status_code == 200, page.text
    section = page.text.split('id="caseload"', 1)[1].split("</table>", 1)[0]
    assert "officer-environment-sanitation-a" in section
    assert '<td data-label="คำขอที่ยังไม่เสร็จ">2</td>' in section
    assert "/staff?assignee=none" in section


def test_the_queue_shows_and_filters_by_holder(staff: Staff, engine: Engine) -> None:
    mine = staff(role="officer", department=DEPT, tag="a")
    staff(role="officer", department=DEPT, tag="b")
    ids = [intake(staff, FOOD)["id"] for _ in range(3)]  # a, b, a
    with Session(engine) as session:
        held = {i: session.get(Application, i).assignee for i in ids}  # type: ignore[union-attr]
    listed = mine.get("/api/v1/applications?assignee=me").json()
    assert {r["id"] for r in listed["items"]} == {
        i for i, who in held.items() if who == mine.username
    }
    assert all(r["assignee"] == mine.username for r in listed["items"])
    assert mine.get("/api/v1/applications?assignee=none").json()["total"] == 0
    page = mine.get("/staff?assignee=me")
    assert page.status_code == 200
    assert page.text.count('class="assignee"') == 2
    assert 'id="bulk"' not in page.text  # an officer gives no files away
    other = mine.get("/staff?assignee=officer-environment-sanitation-b")
    assert other.text.count('class="assignee"') == 1
    assert mine.get("/staff?assignee=someone-else").status_code == 422  # not in scope


def test_the_queue_form_moves_the_ticked_files(staff: Staff, engine: Engine) -> None:
    staff(role="officer", department=DEPT, tag="a")
    staff(role="officer", department=DEPT, tag="b")
    approver = staff(role="approver", department=DEPT)
    ids = [intake(staff, FOOD)["id"] for _ in range(3)]
    page = approver.get("/staff?assignee=officer-environment-sanitation-a")
    assert 'id="bulk"' in page.text
    ticked = [f"{i}:{_file(engine, i).version}" for i in (ids[0], ids[2])]
    to = "officer-environment-sanitation-b"
    back = "assignee=officer-environment-sanitation-a&page=1"
    refused = approver.post(
        "/staff/assignments",
        data={"applications": ticked, "assignee": to, "reason": "", "back": back},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert 'id="queue-error"' in refused.text
    for value in ticked:  # what was ticked stays ticked
        assert f'value="{value}" id="pick-{value.split(":")[0]}" checked' in refused.text
    assert {_file(engine, i).assignee for i in (ids[0], ids[2])} == {
        "officer-environment-sanitation-a"
    }
    done = approver.post(
        "/staff/assignments",
        data={"applications": ticked, "assignee": to, "reason": "ลาพักร้อน", "back": back},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "moved=2" in done.headers["location"]
    assert "assignee=officer-environment-sanitation-a" in done.headers["location"]
    shown = approver.get(done.headers["location"])
    assert 'id="done"' in shown.text
    assert {_file(engine, i).assignee for i in ids} == {to}
    hostile = approver.post(
        "/staff/assignments",
        data={"applications": ["1:x", "'; drop"], "assignee": to, "reason": "r", "back": "%%"},
        follow_redirects=False,
    )
    assert hostile.status_code == 422


def test_the_page_warns_a_decider_before_they_verify_a_review_item(
    staff: Staff, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No catalogue type lets an approver verify a review item today; a type that did (here,
    the item roles widened) would have the page warn beside each such item's control, and
    only to a deciding role."""
    for kind in rules.REVIEW_ITEMS:
        monkeypatch.setitem(access.ITEM_ROLES, kind, ("officer", "approver"))
    approver = staff(role="approver", department=DEPT)
    officer = staff(role="officer", department=DEPT)
    app_id = intake(staff, FOOD)["id"]
    permit = default_catalogue()[FOOD]
    review = [i.id for i in permit.items() if i.kind in rules.REVIEW_ITEMS and not i.recorded_by]
    assert review
    page = approver.get(f"/staff/applications/{app_id}").text
    for item in review:
        assert f'id="four-eyes-{item}"' in page
    assert "หลักสี่ตา" in page.split(f'id="four-eyes-{review[0]}"', 1)[1].split("</p>", 1)[0]
    assert 'class="note four-eyes-warning"' not in officer.get(f"/staff/applications/{app_id}").text
