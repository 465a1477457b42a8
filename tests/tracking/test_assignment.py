"""Who works a file (tracking.workflow.assignment): intake gives it to the least-loaded officer,
an approver or manager moves one or many with a reason, each move is a trail event the
verifier replays, and a direct edit of the assignee fails ``audit verify``."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select
from typer.testing import CliRunner

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import auth
from tracking.access import Actor
from tracking.cli import app
from tracking.clock import bangkok_date
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.errors import Conflict, GuardFailed, InvalidInput, NotPermitted
from tracking.models import Application, ApplicationEvent, EventKind, utcnow
from tracking.reads.staff import holders
from tracking.workflow import assignment, rules, transitions

from ..factories import OFFICE, committed_application, walk

runner = CliRunner()
DEPARTMENT = default_catalogue()["food-premises"].department
PASSWORD = "a long enough password"


def _staff(engine: Engine, username: str, role: str, department: str | None = DEPARTMENT) -> None:
    with unit_of_work(engine) as session:
        auth.create_staff(
            session,
            username=username,
            role=role,
            department=None if role == "manager" else department,
            password=PASSWORD,
            office_slug=OFFICE,
            display_name=f"คุณ {username}",
        )


def _as(engine: Engine, username: str) -> Actor:
    with Session(engine) as session:
        staff = auth.staff_by_username(session, username)
        assert staff is not None
        return Actor(staff.username, staff.role, staff.department, staff.office_id)


def _file(engine: Engine, app_id: int) -> Application:
    with Session(engine) as session:
        found = session.get(Application, app_id)
        assert found is not None
        session.expunge(found)
        return found


def test_intake_gives_the_file_to_the_least_loaded_officer(engine: Engine) -> None:
    assert _file(engine, committed_application(engine)).assignee is None  # no officer yet
    _staff(engine, "officer-b", "officer")
    _staff(engine, "officer-a", "officer")
    _staff(engine, "approver-a", "approver")
    held = [_file(engine, committed_application(engine)).assignee for _ in range(3)]
    # Equal loads: by username; then whoever holds fewer; never the approver.
    assert held == ["officer-a", "officer-b", "officer-a"]
    with unit_of_work(engine) as session:
        office_id = session.exec(select(Application.office_id)).first()
        assert office_id is not None
        assert assignment.least_loaded(session, office_id, "no-such-department") is None


def test_an_approver_reassigns_with_a_reason_and_the_trail_verifies(
    engine: Engine, env_database: str
) -> None:
    _staff(engine, "officer-a", "officer")
    _staff(engine, "officer-b", "officer")
    _staff(engine, "approver-a", "approver")
    app_id = committed_application(engine)
    approver = _as(engine, "approver-a")

    def give(to: str, *, who: Actor = approver, reason: str = "ลาพักร้อน", version: int = 0) -> None:
        with unit_of_work(engine) as session:
            current = version or transitions.get_application(session, app_id).version
            assignment.assign(
                session, application_id=app_id, assignee=to, actor=who, reason=reason,
                version=current,
            )  # fmt: skip

    with pytest.raises(InvalidInput) as no_reason:
        give("officer-b", reason="  \u200b ")
    assert no_reason.value.detail["field"] == "reason"
    with pytest.raises(InvalidInput):
        give("officer-a")  # theirs already
    with pytest.raises(InvalidInput):
        give("nobody-here")
    with pytest.raises(NotPermitted):
        give("officer-b", who=_as(engine, "officer-a"))
    with pytest.raises(Conflict):
        give("officer-b", version=99)
    give("officer-b")
    moved = _file(engine, app_id)
    assert (moved.assignee, moved.version) == ("officer-b", 2)
    with Session(engine) as session:
        event = session.exec(
            select(ApplicationEvent).where(ApplicationEvent.kind == EventKind.assignment)
        ).one()
    assert (event.actor, event.reason, event.source, event.target) == (
        "approver-a",
        "ลาพักร้อน",
        moved.state,
        moved.state,
    )
    assert event.transition_kind is None
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output

    # Moving the file by editing the column, not by an event, is found.
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE application SET assignee = 'officer-a' WHERE id = :id"), {"id": app_id}
        )
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "assignee" in result.output


def test_a_file_of_another_department_or_a_closed_one_is_not_moved(engine: Engine) -> None:
    _staff(engine, "officer-a", "officer")
    _staff(engine, "builder", "officer", default_catalogue()["building-small"].department)
    _staff(engine, "approver-a", "approver")
    app_id = committed_application(engine)
    with pytest.raises(InvalidInput), unit_of_work(engine) as session:
        assignment.assign(
            session, application_id=app_id, assignee="builder", actor=_as(engine, "approver-a"),
            reason="ย้าย", version=1,
        )  # fmt: skip
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        application.outcome = "withdrawn"
    with pytest.raises(GuardFailed), unit_of_work(engine) as session:
        assignment.assign(
            session, application_id=app_id, assignee="officer-a", actor=_as(engine, "approver-a"),
            reason="ย้าย", version=1,
        )  # fmt: skip


def test_a_manager_moves_many_files_all_or_nothing(engine: Engine) -> None:
    _staff(engine, "officer-a", "officer")
    _staff(engine, "officer-b", "officer")
    _staff(engine, "boss", "manager")
    ids = [committed_application(engine) for _ in range(3)]
    owners = [_file(engine, i).assignee for i in ids]
    assert owners == ["officer-a", "officer-b", "officer-a"]
    boss = _as(engine, "boss")
    moves = [assignment.Move(i, 1) for i in ids]
    # One stale version: nothing moves, and the error names the file.
    with pytest.raises(Conflict) as stale, unit_of_work(engine) as session:
        assignment.assign_many(
            session, moves=[*moves[:2], assignment.Move(ids[2], 7)], assignee="officer-b",
            actor=boss, reason="ปรับภาระงาน",
        )  # fmt: skip
    assert _file(engine, ids[2]).tracking_code in stale.value.en
    assert [_file(engine, i).assignee for i in ids] == owners
    with pytest.raises(InvalidInput), unit_of_work(engine) as session:
        assignment.assign_many(
            session, moves=[moves[0], moves[0]], assignee="officer-b", actor=boss, reason="x"
        )
    with unit_of_work(engine) as session:
        done = assignment.assign_many(
            session, moves=moves, assignee="officer-b", actor=boss, reason="ปรับภาระงาน"
        )
    assert [e is not None for e in done] == [True, False, True]  # the second was theirs
    assert {_file(engine, i).assignee for i in ids} == {"officer-b"}
    with Session(engine) as session:
        office_id = _file(engine, ids[0]).office_id
        load = holders.caseloads(session, boss, office_id, bangkok_date(utcnow()))
    assert [(c.username, c.open_files) for c in load.people] == [
        ("officer-b", 3),
        ("officer-a", 0),
    ]
    assert load.unassigned == 0


def test_who_may_still_decide_a_file_its_approver_reviewed(engine: Engine) -> None:
    """An officer who reviewed the file and is then made approver is barred by four-eyes; the
    view names the approver who may still decide it."""
    permit = default_catalogue()["food-premises"]
    _staff(engine, "officer-1", "officer")
    _staff(engine, "approver-a", "approver")
    app_id = committed_application(engine)
    road = path_to(permit, {Outcome.approved})
    decision = next(n for n, t in enumerate(road) if t.kind.value == "approve")
    walk(engine, app_id, road[:decision])  # the factories' officer-1 reviews and inspects
    with unit_of_work(engine) as session:
        staff = auth.staff_by_username(session, "officer-1")
        assert staff is not None
        staff.role = "approver"
        session.add(staff)
    with Session(engine) as session:
        application = transitions.get_application(session, app_id)
        history = rules.load_history(session, app_id)
        seen = holders.hands(session, application, permit, history, _as_in(session, "officer-1"))
        other = holders.hands(session, application, permit, history, _as_in(session, "approver-a"))
    assert seen.actor_barred
    assert not other.actor_barred
    assert seen.deciders is not None
    assert seen.deciders.may == ["คุณ approver-a"]
    assert seen.deciders.barred == ["คุณ officer-1"]


def _as_in(session: Session, username: str) -> Actor:
    staff = auth.staff_by_username(session, username)
    assert staff is not None
    return Actor(staff.username, staff.role, staff.department, staff.office_id)


def test_verifying_a_review_item_bars_only_a_deciding_role() -> None:
    permit = default_catalogue()["food-premises"]
    review = next(i for i in permit.items() if i.kind.value in ("review", "inspection"))
    document = next(i for i in permit.items() if i.kind.value == "document")
    assert rules.verifying_bars(permit, review.id, "approver")
    assert not rules.verifying_bars(permit, review.id, "officer")
    assert not rules.verifying_bars(permit, document.id, "approver")
