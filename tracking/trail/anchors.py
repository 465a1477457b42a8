"""Daily anchors: one digest over every trail head of the office, chained day to day.

``anchor`` (run daily by ``tidtam audit anchor``; a second run on the same day returns the
day's anchor unchanged) records the heads that moved since the last anchor, and a digest over
the previous digest, the day and those heads. The digests are public
(``GET /api/v1/audit/anchors``): they name no one. An auditor who kept one can later prove
that nothing recorded before it was changed or deleted, a whole application included:
``check`` recomputes the chain of digests up to it from the stored heads (so the heads are as
they were), then finds each head's event still in its trail with the same hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select

from tracking.models import ApplicationEvent, AuditAnchor, AuditAnchorHead, utcnow
from tracking.trail.audit import GENESIS, Finding

ANCHOR = AuditAnchor.__table__  # type: ignore[attr-defined]
HEAD = AuditAnchorHead.__table__  # type: ignore[attr-defined]
EVENT = ApplicationEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Anchor:
    day: date
    digest: str
    prev_digest: str
    last_event_id: int
    heads: int
    created_at: datetime


def digest(prev_digest: str, day: date, last_event_id: int, heads: list[tuple[Any, ...]]) -> str:
    """The anchor's digest: the previous digest, the day, the last event and the heads that
    moved, as ``application:seq:hash`` lines in application order."""
    h = hashlib.sha256(
        f"tidtam anchor\n{prev_digest}\n{day.isoformat()}\n{last_event_id}\n".encode()
    )
    for application_id, seq, head in sorted(heads):
        h.update(f"{application_id}:{seq}:{head}\n".encode())
    return h.hexdigest()


def _anchor(row: Any) -> Anchor:
    created = row.created_at
    return Anchor(row.day, row.digest, row.prev_digest, row.last_event_id, row.heads, created)


def listed(connection: Connection) -> list[Anchor]:
    """Every anchor, oldest first."""
    return [_anchor(r) for r in connection.execute(select(ANCHOR).order_by(ANCHOR.c.id))]


def anchor(connection: Connection, today: date) -> Anchor:
    """Today's anchor: made now, or the one already made today."""
    done = connection.execute(select(ANCHOR).where(ANCHOR.c.day == today)).first()
    if done is not None:
        return _anchor(done)
    last = connection.execute(select(ANCHOR).order_by(ANCHOR.c.id.desc()).limit(1)).first()
    since = last.last_event_id if last else 0
    prev = last.digest if last else GENESIS
    newest = connection.execute(select(func.max(EVENT.c.id))).scalar() or 0
    moved = (
        select(EVENT.c.application_id, func.max(EVENT.c.seq).label("seq"))
        .where(EVENT.c.id > since, EVENT.c.id <= newest)
        .group_by(EVENT.c.application_id)
        .subquery()
    )
    heads = [
        tuple(r)
        for r in connection.execute(
            select(moved.c.application_id, moved.c.seq, EVENT.c.hash).join(
                EVENT,
                (EVENT.c.application_id == moved.c.application_id) & (EVENT.c.seq == moved.c.seq),
            )
        )
    ]
    made = Anchor(today, digest(prev, today, newest, heads), prev, newest, len(heads), utcnow())
    anchor_id = connection.execute(
        insert(ANCHOR)
        .values(
            day=made.day,
            last_event_id=made.last_event_id,
            heads=made.heads,
            prev_digest=made.prev_digest,
            digest=made.digest,
            created_at=made.created_at,
        )
        .returning(ANCHOR.c.id)
    ).scalar_one()
    if heads:
        connection.execute(
            insert(HEAD),
            [
                {"anchor_id": anchor_id, "application_id": a, "seq": s, "hash": h}
                for a, s, h in heads
            ],
        )
    return made


def check(connection: Connection, kept: str | None) -> Finding | None:
    """The chain of anchors is intact and, when ``kept`` (a digest an auditor kept) is given,
    it is one of them and every trail head it covers is still in place."""
    prev = GENESIS
    reached = None
    for row in connection.execute(select(ANCHOR).order_by(ANCHOR.c.id)):
        moved = [
            tuple(r)
            for r in connection.execute(
                select(HEAD.c.application_id, HEAD.c.seq, HEAD.c.hash).where(
                    HEAD.c.anchor_id == row.id
                )
            )
        ]
        if row.prev_digest != prev or digest(prev, row.day, row.last_event_id, moved) != row.digest:
            return Finding(None, "", None, None, "anchor", f"the anchor of {row.day} was altered")
        if row.digest == kept:
            reached = row
        prev = row.digest
    if kept is None:
        return None
    if reached is None:
        return Finding(None, "", None, None, "anchor", f"no anchor has the digest {kept}")
    # Each application's last head up to that anchor, against its event now.
    latest = (
        select(HEAD.c.application_id, func.max(HEAD.c.anchor_id).label("anchor_id"))
        .where(HEAD.c.anchor_id <= reached.id)
        .group_by(HEAD.c.application_id)
        .subquery()
    )
    lost = connection.execute(
        select(HEAD.c.application_id, HEAD.c.seq, EVENT.c.hash)
        .join(
            latest,
            and_(
                HEAD.c.application_id == latest.c.application_id,
                HEAD.c.anchor_id == latest.c.anchor_id,
            ),
        )
        .outerjoin(
            EVENT,
            and_(EVENT.c.application_id == HEAD.c.application_id, EVENT.c.seq == HEAD.c.seq),
        )
        .where(or_(EVENT.c.hash.is_(None), EVENT.c.hash != HEAD.c.hash))
        .order_by(HEAD.c.application_id)
        .limit(1)
    ).first()
    if lost is None:
        return None
    problem = (
        f"event {lost.seq} recorded by the anchor of {reached.day} is gone"
        if lost.hash is None
        else f"event {lost.seq} differs from the one the anchor of {reached.day} recorded"
    )
    return Finding(lost.application_id, "", None, lost.seq, "anchor", problem)
