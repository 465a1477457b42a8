from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select
from typer.testing import CliRunner

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import access
from tracking.cli import app
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.errors import (
    Conflict,
    CorruptState,
    GuardFailed,
    InvalidInput,
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
)
from tracking.models import ApplicationEvent, ChecklistStatus
from tracking.workflow import transitions

from ..factories import actor, committed_application, permit_types, walk

runner = CliRunner()


def _trail(engine: Engine, app_id: int) -> list[ApplicationEvent]:
    with unit_of_work(engine) as session:
        return list(
            session.exec(
                select(ApplicationEvent)
                .where(ApplicationEvent.application_id == app_id)
                .order_by(ApplicationEvent.seq)
            ).all()
        )


@pytest.mark.parametrize("slug", permit_types())
@pytest.mark.parametrize("outcome", [Outcome.approved, Outcome.refused])
def test_walk_every_type_to_a_final_state(
    engine: Engine, env_database: str, slug: str, outcome: Outcome
) -> None:
    permit = default_catalogue()[slug]
    path = path_to(permit, {outcome, Outcome.closed} if outcome is Outcome.approved else {outcome})
    assert path, f"{slug} has no path to {outcome}"
    app_id = committed_application(engine, slug)
    walk(engine, app_id, path)

    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        final = permit.step(application.state)
        assert final.final
        assert application.outcome == final.outcome
        assert application.turn == "none"
    moves = [e for e in _trail(engine, app_id) if e.kind == "transition"]
    assert [(e.event, e.source, e.target) for e in moves] == [
        (t.event, t.source, t.target) for t in path
    ]
    refusal = [e for e in moves if e.transition_kind == "refuse"]
    if outcome is Outcome.refused:
        assert len(refusal) == 1
        assert permit.ground(refusal[0].ground or "") is not None

    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output


def _walked(engine: Engine) -> tuple[int, list[ApplicationEvent]]:
    permit = default_catalogue()["food-premises"]
    app_id = committed_application(engine)
    walk(engine, app_id, path_to(permit, {Outcome.approved})[:3])
    return app_id, _trail(engine, app_id)


def _verify_fails_naming(event_id: int | None, *needles: str) -> None:
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    if event_id is not None:
        assert f"event id {event_id} " in result.output
    for needle in needles:
        assert needle in result.output


def test_verify_detects_an_altered_event(engine: Engine, env_database: str) -> None:
    _, trail = _walked(engine)
    victim = trail[3]
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE application_event SET actor = 'someone-else' WHERE id = :id"),
            {"id": victim.id},
        )
    _verify_fails_naming(victim.id, "altered or forged")


def test_verify_detects_a_deleted_event(engine: Engine, env_database: str) -> None:
    _, trail = _walked(engine)
    victim, successor = trail[2], trail[3]
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM application_event WHERE id = :id"), {"id": victim.id})
    _verify_fails_naming(successor.id, "expected seq")


def test_verify_detects_a_deleted_last_event(engine: Engine, env_database: str) -> None:
    _, trail = _walked(engine)
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM application_event WHERE id = :id"), {"id": trail[-1].id}
        )
    _verify_fails_naming(trail[-2].id, "the trail holds")


def test_verify_detects_reordered_events(engine: Engine, env_database: str) -> None:
    _, trail = _walked(engine)
    a, b = trail[1], trail[2]
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE application_event SET seq = -1 WHERE id = :id"), {"id": a.id}
        )
        connection.execute(
            text("UPDATE application_event SET seq = :s WHERE id = :id"), {"s": a.seq, "id": b.id}
        )
        connection.execute(
            text("UPDATE application_event SET seq = :s WHERE id = :id"), {"s": b.seq, "id": a.id}
        )
    _verify_fails_naming(b.id, "broken")


def test_verify_detects_an_inserted_event(engine: Engine, env_database: str) -> None:
    app_id, trail = _walked(engine)
    with engine.begin() as connection:
        # Make room at seq 3 in two passes, so the unique (application, seq) index holds.
        connection.execute(
            text(
                "UPDATE application_event SET seq = -(seq + 1) WHERE"
                " application_id = :a AND seq >= 3"
            ),
            {"a": app_id},
        )
        connection.execute(
            text("UPDATE application_event SET seq = -seq WHERE application_id = :a AND seq < 0"),
            {"a": app_id},
        )
        row = trail[1]
        connection.execute(
            text(
                "INSERT INTO application_event (application_id, seq, kind, occurred_at, actor,"
                " role, event, reason, out_of_turn, data, prev_hash, hash) VALUES (:a, 3,"
                " 'checklist', :t, 'forger', 'clerk', 'checklist:x', '', false, '{}', :p, :h)"
            ),
            {"a": app_id, "t": row.occurred_at, "p": row.hash, "h": row.hash},
        )
    _verify_fails_naming(None, f"application {app_id} ")


def test_fire_with_a_stale_version_conflicts_and_changes_nothing(engine: Engine) -> None:
    app_id = committed_application(engine)
    with pytest.raises(Conflict), unit_of_work(engine) as session:
        transitions.fire(
            session,
            application_id=app_id,
            event="request_documents",
            actor=actor("clerk"),
            version=99,
        )
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        assert (application.state, application.version, application.event_count) == ("intake", 1, 1)


def test_event_not_offered_at_this_step_is_refused(engine: Engine) -> None:
    app_id = committed_application(engine)
    with pytest.raises(TransitionNotAllowed), unit_of_work(engine) as session:
        transitions.fire(
            session, application_id=app_id, event="approve", actor=actor("approver"), version=1
        )


def test_guard_lists_unmet_items(engine: Engine) -> None:
    app_id = committed_application(engine)
    with pytest.raises(GuardFailed) as caught, unit_of_work(engine) as session:
        transitions.fire(
            session,
            application_id=app_id,
            event="accept_application",
            actor=actor("clerk"),
            version=1,
        )
    assert "application_form" in caught.value.detail["unmet_items"]


def test_another_departments_clerk_cannot_act(engine: Engine) -> None:
    app_id = committed_application(engine)  # food premises: environment-sanitation
    with pytest.raises(NotPermitted), unit_of_work(engine) as session:
        transitions.fire(
            session,
            application_id=app_id,
            event="request_documents",
            actor=actor("clerk", "building-small"),
            version=1,
        )


def test_managers_read_but_never_fire(engine: Engine) -> None:
    app_id = committed_application(engine)
    manager = access.Actor("director", "manager", None)
    with pytest.raises(NotPermitted), unit_of_work(engine) as session:
        transitions.fire(
            session, application_id=app_id, event="request_documents", actor=manager, version=1
        )


def test_only_clerks_take_in_applications(engine: Engine) -> None:
    with pytest.raises(NotPermitted):
        committed_application(engine, actor=actor("officer"))


def test_unknown_permit_type_is_invalid_input(engine: Engine) -> None:
    with pytest.raises(InvalidInput):
        committed_application(engine, "space-elevator", actor=actor("clerk"))


def _record(
    engine: Engine, app_id: int, item: str, status: ChecklistStatus, version: int, note: str = ""
) -> None:
    with unit_of_work(engine) as session:
        transitions.record_checklist_item(
            session,
            application_id=app_id,
            item_id=item,
            status=status,
            actor=actor("clerk"),
            version=version,
            note=note,
        )


def test_waiving_needs_a_reason_and_checklist_changes_are_audited(engine: Engine) -> None:
    app_id = committed_application(engine)
    with pytest.raises(InvalidInput):
        _record(engine, app_id, "site_map", ChecklistStatus.waived, 1)
    _record(engine, app_id, "site_map", ChecklistStatus.waived, 1, "ผู้ขอยื่นผังในแบบคำขอแล้ว")
    last = _trail(engine, app_id)[-1]
    assert (last.kind, last.event, last.source, last.target) == (
        "checklist",
        "checklist:site_map",
        "pending",
        "waived",
    )
    with pytest.raises(NotFound):
        _record(engine, app_id, "nope", ChecklistStatus.verified, 2)


def test_unknown_application_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        transitions.fire(
            session, application_id=424242, event="approve", actor=actor("approver"), version=1
        )


def test_a_corrupt_stored_state_is_reported_not_fired(engine: Engine) -> None:
    app_id = committed_application(engine)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE application SET state = 'bogus' WHERE id = :id"), {"id": app_id}
        )
    with pytest.raises(CorruptState), unit_of_work(engine) as session:
        transitions.fire(
            session,
            application_id=app_id,
            event="request_documents",
            actor=actor("clerk"),
            version=1,
        )


def test_a_batch_of_checklist_items_is_all_or_nothing(engine: Engine, env_database: str) -> None:
    app_id = committed_application(engine)
    before = len(_trail(engine, app_id))
    first, second = "application_form", "applicant_id_card"

    def batch(version: int, *changes: transitions.ItemChange) -> None:
        with unit_of_work(engine) as session:
            transitions.record_checklist_items(
                session,
                application_id=app_id,
                changes=list(changes),
                actor=actor("clerk"),
                version=version,
            )

    missing = ChecklistStatus.missing
    # A waiver without a reason, second in the batch: refused naming it, the first not stored.
    with pytest.raises(InvalidInput) as refused:
        batch(
            1,
            transitions.ItemChange(first, missing),
            transitions.ItemChange(second, ChecklistStatus.waived),
        )
    assert refused.value.detail["item"] == second
    label = default_catalogue().types["food-premises"].item(second)
    assert label is not None
    assert label.label.th in refused.value.th
    with pytest.raises(InvalidInput):
        batch(1, transitions.ItemChange(first, missing), transitions.ItemChange(first, missing))
    assert len(_trail(engine, app_id)) == before
    batch(1, transitions.ItemChange(first, missing), transitions.ItemChange(second, missing))
    assert [e.event for e in _trail(engine, app_id)[before:]] == [
        f"checklist:{first}",
        f"checklist:{second}",
    ]
    with pytest.raises(Conflict):  # the version moved once for the whole batch
        batch(1, transitions.ItemChange(first, ChecklistStatus.verified))
    # The same status and note again: no event.
    batch(2, transitions.ItemChange(first, missing))
    assert len(_trail(engine, app_id)) == before + 2
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
