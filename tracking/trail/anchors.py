"""Daily anchors: one digest over every trail head of an office, chained day to day, one
chain per office (so a district's auditor keeps and checks the digests of that district).

``anchor`` (run daily by ``tidtam audit anchor`` for every office; a second run on the same day
returns the day's anchor unchanged) records the heads of the office's files that moved since
its last anchor, and a digest over the previous digest, the day and those heads. Two offices
whose chains hold no head yet can share a digest: such anchors attest to nothing. The
digests are public (``GET /api/v1/audit/anchors``): they name no one. An auditor who kept
one can later prove that nothing recorded before it was changed or deleted, a whole
application included: ``check`` recomputes the chains of digests from the stored heads (so
the heads are as they were), then finds each head up to the kept anchor still in its trail
with the same hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select

from tracking.derived import AuditAnchor, AuditAnchorHead
from tracking.models import Application, ApplicationEvent, Office, utcnow
from tracking.trail.audit import GENESIS, Finding

ANCHOR = AuditAnchor.__table__  # type: ignore[attr-defined]
HEAD = AuditAnchorHead.__table__  # type: ignore[attr-defined]
EVENT = ApplicationEvent.__table__  # type: ignore[attr-defined]
APPLICATION = Application.__table__  # type: ignore[attr-defined]
OFFICE = Office.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Anchor:
    office: str  # the office's slug
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


def _anchor(row: Any, office: str) -> Anchor:
    created = row.created_at
    return Anchor(
        office, row.day, row.digest, row.prev_digest, row.last_event_id, row.heads, created
    )


def _slugs(connection: Connection) -> dict[int, str]:
    return {row[0]: row[1] for row in connection.execute(select(OFFICE.c.id, OFFICE.c.slug))}


def listed(connection: Connection, office_id: int | None = None) -> list[Anchor]:
    """Every anchor (of one office, when given), oldest first."""
    slugs = _slugs(connection)
    found = select(ANCHOR).order_by(ANCHOR.c.id)
    if office_id is not None:
        found = found.where(ANCHOR.c.office_id == office_id)
    return [_anchor(r, slugs[r.office_id]) for r in connection.execute(found)]


def anchor_every_office(connection: Connection, today: date) -> list[Anchor]:
    """Today's anchor of each office, in BMA code order."""
    offices = connection.execute(select(OFFICE.c.id).order_by(OFFICE.c.bma_code)).scalars()
    return [anchor(connection, today, office_id) for office_id in offices.all()]


def anchor(connection: Connection, today: date, office_id: int) -> Anchor:
    """The office's anchor of today: made now, or the one already made today."""
    slug = _slugs(connection)[office_id]
    chain = select(ANCHOR).where(ANCHOR.c.office_id == office_id)
    done = connection.execute(chain.where(ANCHOR.c.day == today)).first()
    if done is not None:
        return _anchor(done, slug)
    last = connection.execute(chain.order_by(ANCHOR.c.id.desc()).limit(1)).first()
    since = last.last_event_id if last else 0
    prev = last.digest if last else GENESIS
    newest = connection.execute(select(func.max(EVENT.c.id))).scalar() or 0
    moved = (
        select(EVENT.c.application_id, func.max(EVENT.c.seq).label("seq"))
        .join(APPLICATION, APPLICATION.c.id == EVENT.c.application_id)
        .where(EVENT.c.id > since, EVENT.c.id <= newest, APPLICATION.c.office_id == office_id)
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
    made = Anchor(
        slug, today, digest(prev, today, newest, heads), prev, newest, len(heads), utcnow()
    )
    anchor_id = connection.execute(
        insert(ANCHOR)
        .values(
            office_id=office_id,
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
    """Every office's chain of anchors is intact and, when ``kept`` (a digest an auditor
    kept) is given, it is one of them and every trail head it covers is still in place."""
    prev: dict[int, str] = {}
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
        before = prev.get(row.office_id, GENESIS)
        if (
            row.prev_digest != before
            or digest(before, row.day, row.last_event_id, moved) != row.digest
        ):
            return Finding(None, "", None, None, "anchor", f"the anchor of {row.day} was altered")
        if row.digest == kept and reached is None:
            reached = row
        prev[row.office_id] = row.digest
    if kept is None:
        return None
    if reached is None:
        return Finding(None, "", None, None, "anchor", f"no anchor has the digest {kept}")
    # Each application's last head up to that anchor, against its event now.
    latest = (
        select(HEAD.c.application_id, func.max(HEAD.c.anchor_id).label("anchor_id"))
        .join(ANCHOR, ANCHOR.c.id == HEAD.c.anchor_id)
        .where(HEAD.c.anchor_id <= reached.id, ANCHOR.c.office_id == reached.office_id)
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
