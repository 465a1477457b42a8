"""The shared rate counters on the test database (a SQLite file, or PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from tracking import ratelimit

NOW = datetime(2026, 3, 2, 3, 1, tzinfo=UTC)
NARROW = ratelimit.Limit(hits=3, seconds=15 * 60)
WIDE = ratelimit.Limit(hits=10, seconds=60 * 60)
T = TypeVar("T")


def count(engine: Engine, key: str, limit: ratelimit.Limit, now: datetime = NOW) -> int:
    with Session(engine) as session:
        return ratelimit.peek(session, key, limit, now=now).count


def at_once(count: int, work: Callable[[int], T]) -> list[T]:
    """``work(0)`` to ``work(count - 1)``, each on a thread of its own, all let go together."""
    barrier = threading.Barrier(count)
    results: list[T] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        barrier.wait()
        result = work(n)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == count, "a thread failed or is still running"
    return results


def test_concurrent_hits_each_get_the_new_count(engine: Engine) -> None:
    def one(_: int) -> int:
        with engine.begin() as connection:
            return ratelimit.hit(connection, "race", NARROW, now=NOW).count

    hits = 20
    assert sorted(at_once(hits, one)) == list(range(1, hits + 1))
    assert count(engine, "race", NARROW) == hits


def test_hit_each_stops_at_the_first_refusal_and_gives_the_hit_back(engine: Engine) -> None:
    limits = [("narrow", NARROW), ("wide", WIDE)]
    with engine.begin() as connection:
        decisions = [ratelimit.hit_each(connection, limits, now=NOW) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True] * 3 + [False] * 2
    assert decisions[-1].retry_after == 14 * 60  # the narrow window's end refused it
    # Only the allowed hits stay counted, on every key.
    assert count(engine, "narrow", NARROW) == 3
    assert count(engine, "wide", WIDE) == 3
    # Refused by the second key: given back to the first as well.
    later = NOW + timedelta(minutes=15)
    with engine.begin() as connection:
        for _ in range(WIDE.hits - 3):
            ratelimit.hit(connection, "wide", WIDE, now=later)
        refused = ratelimit.hit_each(connection, limits, now=later)
    assert not refused.allowed
    assert refused.retry_after == 44 * 60
    assert count(engine, "narrow", NARROW, later) == 0
    assert count(engine, "wide", WIDE, later) == WIDE.hits


def test_give_back_takes_one_from_the_hits_window_and_never_goes_below_zero(
    engine: Engine,
) -> None:
    with engine.begin() as connection:
        ratelimit.hit(connection, "key", NARROW, now=NOW)
        ratelimit.hit(connection, "key", NARROW, now=NOW + timedelta(minutes=15))
        ratelimit.give_back(connection, "key", NARROW, now=NOW)
        ratelimit.give_back(connection, "key", NARROW, now=NOW)
        ratelimit.give_back(connection, "never hit", NARROW, now=NOW)
    assert count(engine, "key", NARROW) == 0
    assert count(engine, "key", NARROW, NOW + timedelta(minutes=15)) == 1
    assert count(engine, "never hit", NARROW) == 0
    with engine.begin() as connection:
        assert ratelimit.hit(connection, "key", NARROW, now=NOW).count == 1
