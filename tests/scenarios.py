"""A month at the office, for the compliance measures, dashboard and reports: on-time and late
decisions, an overdue file with 2 of its 3 delay letters, an out-of-turn decision without a
reason, a four-eyes breach, and an approver who stands out from four peers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import notices
from tracking.config import Settings
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.models import EventKind
from tracking.workflow import recording, transitions

from .factories import committed_application, step, walk

PERMIT = default_catalogue()["food-premises"]
RULES = {(t.source, t.event): t for t in PERMIT.transitions}
START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 in Bangkok


def _at(days: int) -> datetime:
    return START + timedelta(days=days)


def _append(engine: Engine, app_id: int, **fields: Any) -> None:
    """Record an event the way an import from the previous system would: chained in the
    trail, but without passing the workflow's rules."""
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        recording.record_event(session, application, kind=EventKind.transition, **fields)
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
        due = transitions.get_application(session, overdue).due_date
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
