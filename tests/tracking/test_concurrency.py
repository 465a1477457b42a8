"""Two staff fire an event on the same application with the same version at the same time."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine
from sqlmodel import func, select

from tracking import services
from tracking.db import unit_of_work
from tracking.errors import Conflict
from tracking.models import ApplicationEvent

from ..factories import actor, committed_application

ROUNDS = 8


def _race(engine: Engine, app_id: int, version: int) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(name: str) -> None:
        barrier.wait()
        try:
            with unit_of_work(engine) as session:
                services.fire(
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
        application = services.get_application(session, app_id)
        assert application.state == "withdrawn"
        assert application.version == 2
        transitions = session.exec(
            select(func.count())
            .select_from(ApplicationEvent)
            .where(ApplicationEvent.application_id == app_id, ApplicationEvent.kind == "transition")
        ).one()
        assert transitions == 1
        assert application.event_count == 2
