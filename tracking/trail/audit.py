"""The audit trail: append-only events, each keyed-hash-chained to the one before it in the
same application.

Each event stores the hash of the event before it and its own HMAC-SHA-256, under the audit
key (``TIDTAM_AUDIT_KEY``, never stored in the database), over its content, that link and
what it made true of the file (``after``: the ``FACTS`` of the application once the event
applied). The application row records the last hash and the number of events. So database
access alone can neither edit an event nor forge one whose hash fits, and
``tracking.trail.verify`` can hold the stored application and checklist rows to what the trail
says they are.

This module is the chain only: what an event means is decided in ``tracking.workflow``, whose
``record_event`` is the one writer (it chains here, then counts in ``tracking.trail.tallies``).
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any

import orjson
from sqlmodel import Session

from tracking import config
from tracking.models import Application, ApplicationEvent

GENESIS = "0" * 64
# What an event makes true of its application: the columns ``audit verify`` compares.
FACTS = (
    "state",
    "turn",
    "outcome",
    "due_date",
    "clock_paused_on",
    "decided_on",
    "applicant_deadline",
    "days_to_decision",
    "assignee",
)
# Facts added after trails were first written: an event written before holds none, which
# reads as the default (``tracking.verification`` fills them in).
LATER_FACTS = {"assignee": None}
# The applicant and subject, held to the trail by a keyed digest (the trail keeps no copy).
PARTICULARS = (
    "permit_type",
    "office_id",
    "department",
    "tracking_code",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "subject_address",
    "subject_description",
    "subject_details",
    "submitted_at",
)
HASHED = (
    "application_id",
    "seq",
    "kind",
    "occurred_at",
    "actor",
    "role",
    "event",
    "source",
    "target",
    "transition_kind",
    "reason",
    "ground",
    "out_of_turn",
    "four_eyes",
    "step_days",
    "data",
    "after",
    "prev_hash",
)


_resolved: list[tuple[config.Settings, bytes]] = []


def audit_key() -> bytes:
    """The key of the trail's hash chain (``TIDTAM_AUDIT_KEY``, or its file), resolved once
    per settings object. Raises ``tracking.config.KeyProblem`` when there is none."""
    settings = config.get_settings()
    if not _resolved or _resolved[0][0] is not settings:
        _resolved[:] = [(settings, config.audit_key(settings).encode())]
    return _resolved[0][1]


_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
).encode


def canonical_json(data: dict[str, Any]) -> str:
    """``data`` as the trail writes it: compact, keys sorted, non-ASCII kept, anything else
    (dates) as ``str``."""
    return _CANONICAL(data)


_INT64 = range(-(2**63), 2**63)


def _plain(value: Any) -> bool:
    """Whether orjson writes ``value`` as ``canonical_json`` does: strings, booleans, None,
    64-bit integers, and lists and string-keyed dicts of them. Not floats (the two spell some
    differently, 1e16 for one) nor anything written through ``str``."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return value in _INT64
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list:
        return all(map(_plain, value))
    return False


def canonical_bytes(data: dict[str, Any]) -> bytes:
    """``canonical_json(data)`` in UTF-8, byte for byte; through orjson, several times faster,
    where the two write alike (``_plain``)."""
    if _plain(data):
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    return _CANONICAL(data).encode()


def moment_text(value: datetime | str) -> str:
    """A time as the trail writes it: ISO, in UTC, to the microsecond. Takes a datetime (a
    naive one is UTC, as the databases give them back) or the text a database returns."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


_AS_IS = frozenset({str, int, bool, type(None)})


def _value(value: Any) -> Any:
    """A column value as the trail writes it: dates and times in ISO form (UTC)."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, datetime):
        return moment_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


_FACTS_OF, _PARTICULARS_OF = attrgetter(*FACTS), attrgetter(*PARTICULARS)


def facts(application: Any, key: bytes) -> dict[str, Any]:
    """What the trail vouches for of ``application`` (a row, or any object with its columns):
    the ``FACTS`` and a keyed digest of the ``PARTICULARS``."""
    found = dict(zip(FACTS, map(_value, _FACTS_OF(application)), strict=True))
    particulars = dict(zip(PARTICULARS, map(_value, _PARTICULARS_OF(application)), strict=True))
    found["particulars"] = hmac.digest(key, canonical_bytes(particulars), "sha256").hex()
    return found


MOMENT, OUT_OF_TURN, FOUR_EYES = (
    HASHED.index(n) for n in ("occurred_at", "out_of_turn", "four_eyes")
)


def hash_values(values: list[Any], key: bytes) -> str:
    """The keyed hash of an event's ``HASHED`` values, in that order, the time already in
    ``moment_text`` form and the two flags as booleans. The content hashed is the values as a
    compact JSON array in UTF-8, byte for byte what ``json.dumps(values, ensure_ascii=False,
    separators=(",", ":"))`` writes (the tests hold orjson to it), ten times faster."""
    return hmac.digest(key, orjson.dumps(values), "sha256").hex()


def event_hash(event: Any, key: bytes) -> str:
    """The keyed hash of an event (an ``ApplicationEvent`` or a row with its columns)."""
    values = [getattr(event, name) for name in HASHED]
    values[MOMENT] = moment_text(values[MOMENT])
    values[OUT_OF_TURN] = bool(values[OUT_OF_TURN])
    values[FOUR_EYES] = bool(values[FOUR_EYES])
    return hash_values(values, key)


def append_event(session: Session, application: Application, **fields: Any) -> ApplicationEvent:
    """Add the next event of ``application``'s trail and move its head, in the caller's
    transaction. Call it once the event's change is made to ``application``: the event
    records the facts as they then are."""
    assert application.id is not None
    key = audit_key()
    data = fields.pop("data", None) or {}
    event = ApplicationEvent(
        application_id=application.id,
        seq=application.event_count + 1,
        prev_hash=application.trail_head or GENESIS,
        data=canonical_json(data),
        after=canonical_json(facts(application, key)),
        **fields,
    )
    event.hash = event_hash(event, key)
    application.event_count = event.seq
    application.trail_head = event.hash
    session.add(event)
    return event


@dataclass(frozen=True)
class Finding:
    """What ``audit verify`` found wrong first: where, which field, and what differs."""

    application_id: int | None
    tracking_code: str
    event_id: int | None
    seq: int | None
    field: str
    problem: str

    def __str__(self) -> str:
        where = "" if self.application_id is None else f"application {self.application_id}"
        if self.tracking_code:
            where += f" ({self.tracking_code})"
        if self.event_id is not None:
            where += f", event id {self.event_id} (seq {self.seq})"
        return f"{where or 'office'}: {self.field}: {self.problem}"
