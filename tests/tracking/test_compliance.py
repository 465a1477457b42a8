"""Compliance measures, each produced by a scenario built with frozen time, asserted exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import audit, compliance, notices, services
from tracking.config import Settings
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.errors import TransitionNotAllowed
from tracking.models import EventKind

from ..factories import actor, committed_application, step, walk

PERMIT = default_catalogue()["food-premises"]
RULES = {(t.source, t.event): t for t in PERMIT.transitions}
START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 in Bangkok


def _at(days: int) -> datetime:
    return START + timedelta(days=days)


def _append(engine: Engine, app_id: int, **fields: Any) -> None:
    """Record an event the way an import from the previous system would: chained in the
    trail, but without passing the workflow's rules."""
    with unit_of_work(engine) as session:
        application = services.get_application(session, app_id)
        audit.append_event(session, application, kind=EventKind.transition, **fields)
        session.add(application)


def _decide(
    engine: Engine,
    app_id: int,
    who: str,
    kind: str,
    when: datetime,
    out_of_turn: bool = False,
    reason: str = "",
) -> None:
    event = "approve" if kind == "approve" else "refuse"
    _append(
        engine,
        app_id,
        occurred_at=when,
        actor=who,
        role="approver",
        event=event,
        source="pending_decision",
        target="approved" if kind == "approve" else "refused",
        transition_kind=kind,
        reason=reason,
        out_of_turn=out_of_turn,
        ground=None if kind == "approve" else "hygiene-criteria-not-met",
    )


@pytest.fixture
def scenario(engine: Engine) -> dict[str, Any]:
    """An office's month: on-time and late decisions, an overdue file with 2 of 3 letters,
    an out-of-turn decision without a reason, a four-eyes breach, an outlier approver."""
    ids: dict[str, Any] = {}
    # Two decided through the workflow: one on time, one late.
    on_time = committed_application(engine, now=_at(0))
    walk(engine, on_time, path_to(PERMIT, {Outcome.approved})[:3], now=_at(5))
    ids["on_time"] = on_time
    late = committed_application(engine, now=_at(0))
    walk(engine, late, path_to(PERMIT, {Outcome.refused})[:2], now=_at(20))
    step(engine, late, RULES[("pending_decision", "refuse")], now=_at(60))
    ids["late"] = late
    # Overdue, still open: notices run on the first day of periods 1 and 2, not 3.
    overdue = committed_application(engine, now=_at(1))
    step(engine, overdue, RULES[("intake", "accept_application")], now=_at(2))
    with unit_of_work(engine) as session:
        due = services.get_application(session, overdue).due_date
    settings = Settings(smtp_host="")
    notices.run(engine, settings, due + timedelta(days=1))
    notices.run(engine, settings, due + timedelta(days=8))
    ids["overdue"] = overdue
    ids["today"] = due + timedelta(days=15)
    # An out-of-turn decision recorded without a reason, and a four-eyes breach.
    legacy = committed_application(engine, now=_at(3))
    _decide(engine, legacy, "approver-x", "approve", _at(10), out_of_turn=True)
    ids["legacy"] = legacy
    breach = committed_application(engine, now=_at(3))
    _append(
        engine,
        breach,
        occurred_at=_at(6),
        actor="approver-y",
        role="officer",
        event="complete_inspection",
        source="site_inspection",
        target="pending_decision",
        transition_kind="inspection",
        reason="",
    )
    _decide(engine, breach, "approver-y", "approve", _at(9))
    ids["breach"] = breach
    # Five approvers with four decisions each: four approve half, one approves all.
    for n in range(5):
        for k in range(4):
            app = committed_application(engine, now=_at(4))
            kind = "approve" if n == 4 or k % 2 == 0 else "refuse"
            _decide(engine, app, f"peer-{n}", kind, _at(12))
    return ids


def test_summary_figures(engine: Engine, scenario: dict[str, Any]) -> None:
    today = scenario["today"]
    with unit_of_work(engine) as session:
        data = compliance.summary(session, compliance.Filters(), today)
    food = next(t for t in data["by_permit_type"] if t["permit_type"] == "food-premises")
    # Walked decisions carry days_to_decision; of the two, one was within 30 business days.
    assert food["decided"] == 2
    assert food["on_time"] == 1
    assert food["on_time_rate"] == 0.5
    assert food["median_days"] is not None
    assert food["p90_days"] is not None
    assert food["p90_days"] > PERMIT.service_time.days

    overdue = data["overdue"]
    row = next(r for r in overdue["oldest"] if r["id"] == scenario["overdue"])
    assert row["letters_due"] == 3
    assert row["letters_sent"] == 2
    assert row["days_overdue"] == 15

    assert data["out_of_turn"]["decisions_out_of_turn"] == 1
    assert data["out_of_turn"]["without_reason"] == 1
    assert data["out_of_turn"]["with_reason"] == 0
    assert data["four_eyes"]["breaches"] == 1
    assert data["four_eyes"]["cases"][0]["id"] == scenario["breach"]
    assert data["refusals"]["without_ground"] == 0
    assert data["refusals"]["by_ground"]["hygiene-criteria-not-met"] == 8 + 1
    assert data["deficiency"]["applications_with_more_than_one_request"] == 0

    peers = {r["officer"]: r for r in data["officers"] if r["officer"].startswith("peer-")}
    assert peers["peer-4"]["approval_rate"] == 1.0
    assert peers["peer-4"]["flagged"] is True
    assert peers["peer-4"]["flags"][0]["measure"] == "approval_rate"
    assert all(not peers[f"peer-{n}"]["flagged"] for n in range(4))
    assert all(peers[f"peer-{n}"]["approval_rate"] == 0.5 for n in range(4))


def test_filters_narrow_every_measure(engine: Engine, scenario: dict[str, Any]) -> None:
    today = scenario["today"]
    with unit_of_work(engine) as session:
        works = compliance.summary(session, compliance.Filters(department="public-works"), today)
        one = compliance.summary(session, compliance.Filters(officer="approver-y"), today)
        window = compliance.summary(
            session, compliance.Filters(date_from=_at(11).date(), date_to=_at(13).date()), today
        )
    assert works["decided"] == 0
    assert works["overdue"]["count"] == 0
    assert one["four_eyes"]["breaches"] == 1
    assert one["out_of_turn"]["decisions_out_of_turn"] == 0
    assert [o["officer"] for o in one["officers"]] == ["approver-y"]
    assert window["refusals"]["total"] == 8
    assert window["four_eyes"]["breaches"] == 0


def test_a_second_deficiency_request_is_refused(engine: Engine) -> None:
    app_id = committed_application(engine, now=_at(0))
    step(engine, app_id, RULES[("intake", "request_documents")], now=_at(1))
    with unit_of_work(engine) as session:
        version = services.get_application(session, app_id).version
    with pytest.raises(TransitionNotAllowed), unit_of_work(engine) as session:
        services.fire(
            session,
            application_id=app_id,
            event="request_documents",
            actor=actor("clerk"),
            version=version,
            deadline=date(2026, 4, 1),
        )
    with unit_of_work(engine) as session:
        data = compliance.deficiency(session, compliance.Filters())
    assert data["requests"] == 1
    assert data["applications_with_more_than_one_request"] == 0


def test_notices_run_twice_creates_nothing_the_second_time(engine: Engine) -> None:
    app_id = committed_application(engine, now=_at(0))
    with unit_of_work(engine) as session:
        due = services.get_application(session, app_id).due_date
    settings = Settings(smtp_host="")
    assert notices.run(engine, settings, due).created == 0  # not yet overdue
    first = notices.run(engine, settings, due + timedelta(days=3))
    again = notices.run(engine, settings, due + timedelta(days=3))
    assert (first.created, again.created) == (1, 0)
    assert notices.run(engine, settings, due + timedelta(days=8)).created == 1
