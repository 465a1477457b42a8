"""Two staff fire an event on the same application with the same version at the same time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import func, select

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import demo
from tracking.db import unit_of_work
from tracking.errors import Conflict
from tracking.models import ApplicationEvent
from tracking.reads import compliance
from tracking.trail import rebuild
from tracking.workflow import transitions

from ..factories import actor, committed_application, step

ROUNDS = 8
WALKERS = 6
START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
TALLY_TOTALS = (
    "SELECT measure, grain, day, actor, key, days, flag, SUM(count) FROM compliance_tally"
    " GROUP BY measure, grain, day, actor, key, days, flag"
    " ORDER BY measure, grain, day, actor, key, days, flag"
)


def _race(engine: Engine, app_id: int, version: int) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(name: str) -> None:
        barrier.wait()
        try:
            with unit_of_work(engine) as session:
                transitions.fire(
                    session,
                    application_id=app_id,
                    event="withdraw",
                    actor=actor("clerk", name=name),
                    version=version,
                    reason=f"ผู้ยื่นขอยกเลิก (บันทึกโดย {name})",
                )
            result = "ok"
        except Conflict:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("clerk-a", "clerk-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_exactly_one_of_two_simultaneous_firings_wins(engine: Engine, round_: int) -> None:
    app_id = committed_application(engine)
    outcomes = _race(engine, app_id, version=1)
    assert sorted(outcomes) == ["conflict", "ok"]
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, app_id)
        assert application.state == "withdrawn"
        assert application.version == 2
        fired = session.exec(
            select(func.count())
            .select_from(ApplicationEvent)
            .where(ApplicationEvent.application_id == app_id, ApplicationEvent.kind == "transition")
        ).one()
        assert fired == 1
        assert application.event_count == 2


def test_simultaneous_decisions_count_once_each(engine: Engine) -> None:
    """Several files walked to a decision at the same moments by the same staff share tally
    and open-file rows; every commit succeeds and the counts equal a rebuild from the trail."""
    permit = default_catalogue()["food-premises"]
    path = demo.path_to(permit, {Outcome.approved})
    files = [committed_application(engine, now=START) for _ in range(WALKERS)]
    barrier = threading.Barrier(WALKERS)
    failures: list[BaseException] = []

    def walk_one(app_id: int) -> None:
        try:
            for transition in path:
                barrier.wait(timeout=60)
                step(engine, app_id, transition, now=START + timedelta(days=3))
        except BaseException as exc:  # reported below, with the thread's own traceback
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=walk_one, args=(app_id,)) for app_id in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []
    with unit_of_work(engine) as session:
        decided = compliance.on_time(session, compliance.Filters())
        assert [(row["permit_type"], row["decided"]) for row in decided] == [
            ("food-premises", WALKERS)
        ]
    with engine.connect() as connection:
        counted = connection.execute(text(TALLY_TOTALS)).all()
    with engine.begin() as connection:
        rebuild.rebuild(connection)
    with engine.connect() as connection:
        assert connection.execute(text(TALLY_TOTALS)).all() == counted
