"""The audit trail: append-only events, hash-chained per application.

Each event stores the hash of the event before it in the same application and its own hash over
its content and that link. The application row records the last hash and the number of events,
so an edited event (its hash no longer matches), an inserted or reordered one (the chain or the
sequence breaks) and a deleted one (a gap, or a head that no longer matches) are all detected.

This module is the chain only: what an event means is decided in ``tracking.workflow``, whose
``record_event`` is the one writer (it chains here, then counts in ``tracking.trail.tallies``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from tracking.models import Application, ApplicationEvent

GENESIS = "0" * 64


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_hash(event: ApplicationEvent) -> str:
    content = {
        "application_id": event.application_id,
        "seq": event.seq,
        "kind": event.kind,
        "occurred_at": _timestamp(event.occurred_at),
        "actor": event.actor,
        "role": event.role,
        "event": event.event,
        "source": event.source,
        "target": event.target,
        "transition_kind": event.transition_kind,
        "reason": event.reason,
        "ground": event.ground,
        "out_of_turn": bool(event.out_of_turn),
        "step_days": event.step_days,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }
    if event.four_eyes:  # hashed when set, so the hashes of events without it stay as they were
        content["four_eyes"] = True
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def append_event(session: Session, application: Application, **fields: Any) -> ApplicationEvent:
    """Add the next event of ``application``'s trail and move its head, in the caller's
    transaction."""
    assert application.id is not None
    data = fields.pop("data", None) or {}
    event = ApplicationEvent(
        application_id=application.id,
        seq=application.event_count + 1,
        prev_hash=application.trail_head or GENESIS,
        data=canonical_json(data),
        **fields,
    )
    event.hash = event_hash(event)
    application.event_count = event.seq
    application.trail_head = event.hash
    session.add(event)
    return event


@dataclass(frozen=True)
class BrokenTrail:
    application_id: int
    tracking_code: str
    event_id: int | None
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event id {self.event_id} (seq {self.seq})" if self.event_id else "trail end"
        return f"application {self.application_id} ({self.tracking_code}): {where}: {self.problem}"


@dataclass(frozen=True)
class VerifyResult:
    applications: int
    events: int
    broken: BrokenTrail | None


def _check_one(
    app_id: int, code: str, count: int, head: str, events: list[ApplicationEvent]
) -> BrokenTrail | None:
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problem = f"expected event seq {expected_seq}, found {event.seq} (missing or moved)"
            return BrokenTrail(app_id, code, event.id, event.seq, problem)
        if event.prev_hash != prev:
            problem = "link to the previous event is broken (inserted, deleted or reordered)"
            return BrokenTrail(app_id, code, event.id, event.seq, problem)
        if event_hash(event) != event.hash:
            return BrokenTrail(app_id, code, event.id, event.seq, "content was altered")
        prev = event.hash
    if len(events) != count or prev != (head or GENESIS):
        problem = f"application records {count} events, trail holds {len(events)} (deleted?)"
        if len(events) == count:
            problem = "last event does not match the application's recorded trail head"
        last = events[-1] if events else None
        return BrokenTrail(
            app_id, code, last.id if last else None, last.seq if last else None, problem
        )
    return None


def _trails(
    session: Session, batch: int = 2000
) -> Iterator[tuple[Application, list[ApplicationEvent]]]:
    """Each application with its events in order, streamed in batches of applications."""
    last_id = 0
    while True:
        apps = session.exec(
            select(Application)
            .where(col(Application.id) > last_id)
            .order_by(col(Application.id))
            .limit(batch)
        ).all()
        if not apps:
            return
        ids = [a.id for a in apps if a.id is not None]
        events: dict[int, list[ApplicationEvent]] = {i: [] for i in ids}
        rows = session.exec(
            select(ApplicationEvent)
            .where(col(ApplicationEvent.application_id).in_(ids))
            .order_by(
                col(ApplicationEvent.application_id),
                col(ApplicationEvent.seq),
                col(ApplicationEvent.id),
            )
        )
        for event in rows:
            events[event.application_id].append(event)
        for app in apps:
            assert app.id is not None
            yield app, events[app.id]
        last_id = ids[-1]
        session.expunge_all()


def verify(session: Session) -> VerifyResult:
    """Walk every application's chain; stop at the first broken event."""
    applications = events = 0
    for app, trail in _trails(session):
        assert app.id is not None
        broken = _check_one(app.id, app.tracking_code, app.event_count, app.trail_head, trail)
        if broken:
            return VerifyResult(applications, events, broken)
        applications += 1
        events += len(trail)
    return VerifyResult(applications, events, None)
