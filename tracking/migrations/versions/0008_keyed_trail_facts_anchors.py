"""keyed trail, facts per event, anchors

Every event now records what it made true of its file (``after``) and is chained by an HMAC
under the audit key (``TIDTAM_AUDIT_KEY``, outside the database) instead of a plain SHA-256;
the daily anchors get their tables. Existing trails are replayed to give each event its facts
(the last event of each trail takes the file's stored row, which the keyed chain vouches for
from now on), then hashed again under the key. Downgrading restores the unkeyed chain.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from alembic import op

from checklists.loader import default_catalogue
from checklists.schema import TransitionKind
from tracking import clock
from tracking.models import Application, ApplicationEvent
from tracking.trail import audit

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables' typed columns (so values read back as the application reads them), named as
# they are at this revision.
_APP = Application.__table__  # type: ignore[attr-defined]
APP_COLUMNS = {"id", "trail_head", "state_entered_at", *audit.FACTS, *audit.PARTICULARS} - set(
    audit.LATER_FACTS
)
_EVENT = ApplicationEvent.__table__  # type: ignore[attr-defined]
EVENT_COLUMNS = {"id", "hash", *audit.HASHED}
APPLICATION = sa.table("application", *(sa.column(n) for n in ("id", "trail_head")))
EVENT = sa.table(
    "application_event", *(sa.column(n) for n in ("id", "after", "prev_hash")), sa.column("hash")
)
OFFICE_DAY = sa.table("officeday", sa.column("office_id"), sa.column("day"), sa.column("open"))
BATCH = 2000


def upgrade() -> None:
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("heads", sa.Integer(), nullable=False),
        sa.Column("prev_digest", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day"),
        sa.UniqueConstraint("digest"),
    )
    op.create_table(
        "audit_anchor_head",
        sa.Column("anchor_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["anchor_id"], ["audit_anchor.id"]),
        sa.PrimaryKeyConstraint("anchor_id", "application_id"),
    )
    with op.batch_alter_table("audit_anchor_head", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_anchor_head_application_id"), ["application_id"], unique=False
        )
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("after", sa.String(length=2000), nullable=False, server_default="{}")
        )
    connection = op.get_bind()
    if connection.execute(sa.select(EVENT.c.id).limit(1)).first() is None:
        return  # no trail yet: nothing to hash, and no key needed to migrate
    key = audit.audit_key()
    days: dict[int, list[tuple[date, bool]]] = {}
    for office_id, day, is_open in connection.execute(
        sa.select(_APP.metadata.tables["officeday"]).with_only_columns(
            *(OFFICE_DAY.c[n] for n in ("office_id", "day", "open"))
        )
    ):
        days.setdefault(office_id, []).append((date.fromisoformat(str(day)), bool(is_open)))
    calendars = {office: clock.calendar_of(rows) for office, rows in days.items()}
    _rewrite(connection, lambda row, trail: _keyed(row, trail, key, calendars))


def _rewrite(connection: sa.Connection, chain: Any) -> None:
    """Give every trail new ``after`` and hashes, application by application, in batches."""
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(*(_APP.c[n] for n in sorted(APP_COLUMNS)))
            .where(_APP.c.id > last_id)
            .order_by(_APP.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        first, last_id = rows[0].id, rows[-1].id
        trails: dict[int, list[dict[str, Any]]] = {}
        for event in connection.execute(
            sa.select(*(_EVENT.c[n] for n in sorted(EVENT_COLUMNS)))
            .where(_EVENT.c.application_id.between(first, last_id))
            .order_by(_EVENT.c.application_id, _EVENT.c.seq)
        ):
            trails.setdefault(event.application_id, []).append(dict(event._mapping))
        events, heads = [], []
        for row in rows:
            trail = trails.get(row.id, [])
            if trail:
                chain(row, trail)
                events += [
                    {
                        "event_id": e["id"],
                        "new_after": e["after"],
                        "new_prev": e["prev_hash"],
                        "new_hash": e["hash"],
                    }
                    for e in trail
                ]
                heads.append({"app_id": row.id, "new_head": trail[-1]["hash"]})
        if events:
            connection.execute(
                EVENT.update()
                .where(EVENT.c.id == sa.bindparam("event_id"))
                .values(
                    after=sa.bindparam("new_after"),
                    prev_hash=sa.bindparam("new_prev"),
                    hash=sa.bindparam("new_hash"),
                ),
                events,
            )
            connection.execute(
                APPLICATION.update()
                .where(APPLICATION.c.id == sa.bindparam("app_id"))
                .values(trail_head=sa.bindparam("new_head")),
                heads,
            )


def _keyed(
    row: Any,
    trail: list[dict[str, Any]],
    key: bytes,
    calendars: dict[int, clock.BusinessCalendar],
) -> None:
    """Replay the file's facts through its trail, then chain it under ``key``."""
    permit = default_catalogue().types.get(row.permit_type)
    calendar = calendars.get(row.office_id, clock.BusinessCalendar())
    file = SimpleNamespace(**dict(row._mapping))
    if permit is not None:
        intake = json.loads(trail[0]["data"] or "{}")
        start = permit.initial_step
        file.state, file.turn, file.outcome = start.id, start.turn.value, None
        file.clock_paused_on = file.decided_on = file.applicant_deadline = None
        file.days_to_decision = None
        file.due_date = date.fromisoformat(intake.get("due_date") or str(row.due_date))
        file.state_entered_at = _moment(trail[0]["occurred_at"])
    previous = audit.GENESIS
    for n, event in enumerate(trail):
        if permit is not None and event["kind"] == "transition" and n:
            data = json.loads(event["data"] or "{}")
            kind = TransitionKind(event["transition_kind"])
            if kind is TransitionKind.deficiency_request and data.get("deadline"):
                file.applicant_deadline = date.fromisoformat(data["deadline"])
            elif kind is TransitionKind.documents_supplied:
                file.applicant_deadline = None
            file.state = event["target"]
            clock.advance(
                file,  # type: ignore[arg-type]
                calendar,
                permit,
                permit.step(event["target"]),
                kind,
                _moment(event["occurred_at"]),
            )
        # The last event vouches for the row as it stands: the baseline of the keyed chain.
        made = row if n == len(trail) - 1 or permit is None else file
        event["after"] = audit.canonical_json(audit.facts(_with_particulars(made, row), key))
        event["prev_hash"] = previous
        event["hash"] = audit.event_hash(SimpleNamespace(**event), key)
        previous = event["hash"]


def _with_particulars(made: Any, row: Any) -> Any:
    # Facts added by later revisions (``audit.LATER_FACTS``) have no column yet: their defaults.
    values = {**audit.LATER_FACTS, **dict(row._mapping)}
    made_facts = {n: getattr(made, n, values.get(n)) for n in audit.FACTS}
    return SimpleNamespace(**{**values, **made_facts})


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _unkeyed(_row: Any, trail: list[dict[str, Any]]) -> None:
    """The chain as 0007 and before hashed it: plain SHA-256, no facts, no four-eyes flag."""
    previous = "0" * 64
    for event in trail:
        event["after"] = "{}"
        event["prev_hash"] = previous
        content = {
            name: event[name]
            for name in audit.HASHED
            if name not in {"after", "four_eyes", "occurred_at", "out_of_turn"}
        }
        content["occurred_at"] = (
            _moment(event["occurred_at"]).replace(tzinfo=None).isoformat(timespec="microseconds")
        )
        content["out_of_turn"] = bool(event["out_of_turn"])
        event["hash"] = hashlib.sha256(audit.canonical_json(content).encode()).hexdigest()
        previous = event["hash"]


def downgrade() -> None:
    _rewrite(op.get_bind(), _unkeyed)
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.drop_column("after")
    with op.batch_alter_table("audit_anchor_head", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_anchor_head_application_id"))
    op.drop_table("audit_anchor_head")
    op.drop_table("audit_anchor")
