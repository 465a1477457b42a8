"""Reading a run of applications for ``audit verify``: the queries, in a fixed column order per
dialect, and the rows normalised to what the trail's writer hashed (dates as dates, times as
``moment_text``, details parsed).

Rows are read through the driver's own cursor (the hot loop of a million files); the checklist
comes one row per file, its items joined in the database.
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import cache
from operator import itemgetter
from typing import Any

import orjson

from tracking.clock import bangkok_date
from tracking.models import SATISFIED, ChecklistStatus
from tracking.trail.audit import FACTS, HASHED, PARTICULARS, canonical_bytes, facts, moment_text
from tracking.trail.recount import DATES, as_date
from tracking.verification.keyed import Keyed

STATUSES = frozenset(s.value for s in ChecklistStatus)
PENDING = ChecklistStatus.pending.value
APP_COLUMNS = tuple(
    dict.fromkeys(
        ("id", "tracking_code", "event_count", "trail_head", "delay_notices_sent")
        + (*FACTS, *PARTICULARS)
    )
)
EVENT_COLUMNS = ("id", "hash", *HASHED)
# An event row as read, its time as the writer hashed it, and its Bangkok date.
Event = namedtuple("Event", (*EVENT_COLUMNS, "moment", "day"))  # type: ignore[misc]
HASHED_AT = len(EVENT_COLUMNS) - len(HASHED)
AT, OF, KIND, TARGET = (
    EVENT_COLUMNS.index(name) for name in ("occurred_at", "application_id", "kind", "target")
)
# The times as the trail writes them (``moment_text``): PostgreSQL formats them itself, in UTC
# to the microsecond, which saves making and converting a zoned datetime per event; SQLite's
# text is turned into it in ``moment``.
_TIME_TEXT = {
    "postgresql": "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')",
    "sqlite": "{0}",
}
_TIMES = frozenset({"submitted_at", "occurred_at"})


def _select(dialect: str, columns: Sequence[str]) -> str:
    return ", ".join(_TIME_TEXT[dialect].format(c) if c in _TIMES else c for c in columns)


APPS = {
    dialect: f"SELECT {_select(dialect, APP_COLUMNS)} FROM application"
    " WHERE id BETWEEN {first} AND {last} ORDER BY id"
    for dialect in _TIME_TEXT
}
EVENTS = {
    dialect: f"SELECT {_select(dialect, EVENT_COLUMNS)} FROM application_event"
    " WHERE application_id BETWEEN {first} AND {last} ORDER BY application_id, seq"
    for dialect in _TIME_TEXT
}
# Each file's checklist as 'item=status,...' in no set order and its number of rows (with it,
# an item or status holding ',' or '=' cannot pass for others: see ``Trail._checklist``),
# joined in the database. (Ordering the rows would make PostgreSQL sort each file's rows: twice
# the time of the query.)
_JOINED = {
    "sqlite": "group_concat(item_id || '=' || status, ','), COUNT(*)",
    "postgresql": "string_agg(item_id || '=' || status, ','), COUNT(*)",
}
ITEMS = {
    dialect: f"SELECT application_id, {joined} FROM checklist_entry"
    " WHERE application_id BETWEEN {first} AND {last} GROUP BY application_id"
    for dialect, joined in _JOINED.items()
}
# The items the files of ``ids`` were taken in with as required: read only for the files whose
# trail signs an item off, the only ones the recount asks about.
REQUIRED = (
    "SELECT application_id, item_id FROM checklist_entry"
    " WHERE required AND application_id IN ({ids})"
)
SATISFIED_STATUSES = frozenset(s.value for s in SATISFIED)
ONE_CHECKLIST = "SELECT item_id, status FROM checklist_entry WHERE application_id = {id}"
NOTICES = (
    "SELECT application_id, COUNT(*) FROM delay_notice"
    " WHERE application_id BETWEEN {first} AND {last} GROUP BY application_id"
)


# An application row as read, its dates as dates, its intake time as the trail writes it and
# its details parsed.
Row = namedtuple("Row", APP_COLUMNS)  # type: ignore[misc]
_DATE_AT = tuple(APP_COLUMNS.index(name) for name in sorted(DATES))
_SUBMITTED_AT, _DETAILS_AT = APP_COLUMNS.index("submitted_at"), APP_COLUMNS.index("subject_details")


def application_row(values: tuple[Any, ...]) -> Any:
    row = list(values)
    for at in _DATE_AT:
        if row[at] is not None:
            row[at] = as_date(row[at])
    row[_SUBMITTED_AT] = moment(row[_SUBMITTED_AT])
    if isinstance(row[_DETAILS_AT], str):
        row[_DETAILS_AT] = _details(row[_DETAILS_AT])
    return Row._make(row)


_FACTS_OF = itemgetter(*(APP_COLUMNS.index(name) for name in FACTS))
_PARTICULARS_OF = itemgetter(*(APP_COLUMNS.index(name) for name in PARTICULARS))
# The types ``audit.facts`` writes as they are (it writes dates and times in ISO form).
_AS_IS = frozenset({str, int, bool, type(None), dict, list})
_TEXTUAL = frozenset({str, bool, type(None)})


_INT64 = range(-(2**63), 2**63)


def stored_facts(row: Any, keyed: Keyed) -> dict[str, Any]:
    """``audit.facts(row, keyed.key)`` of a row ``application_row`` made, in half the time:
    its dates are dates and its intake time is text already, so only the dates need writing,
    and the particulars are mostly text. Any other type goes the general way."""
    found = dict(zip(FACTS, _FACTS_OF(row), strict=True))
    for name, value in found.items():
        if type(value) is date:
            found[name] = value.isoformat()
        elif type(value) not in _AS_IS:
            return facts(row, keyed.key)
    particulars = _PARTICULARS_OF(row)
    if not _AS_IS.issuperset(map(type, particulars)):
        return facts(row, keyed.key)
    written = dict(zip(PARTICULARS, particulars, strict=True))
    found["particulars"] = keyed.hex(
        orjson.dumps(written, option=orjson.OPT_SORT_KEYS)
        if all(map(_flat, [v for v in particulars if type(v) not in _TEXTUAL]))
        else canonical_bytes(written)
    )
    return found


def _flat(value: Any) -> bool:
    """A value ``canonical_bytes`` writes through orjson without looking inside: text, None,
    a boolean, a 64-bit integer, an empty dict or list."""
    kind = type(value)
    return (
        kind is str
        or value is None
        or kind is bool
        or (kind is int and value in _INT64)
        or ((kind is dict or kind is list) and not value)
    )


def _details(text: str) -> Any:
    """The subject's details as stored (JSON text on SQLite): orjson reads standard JSON,
    ``json`` the rest a database may hold."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def event_row(values: tuple[Any, ...]) -> Any:
    """An event row as read, with its time as the writer hashed it and its Bangkok date."""
    text = moment(values[AT])
    return Event._make((*values, text, _bangkok_day(text[:13])))


def moment(value: Any) -> str:
    """``moment_text`` of a time as read: PostgreSQL's already in that form, SQLite's text of
    a UTC time read straight."""
    if isinstance(value, str) and len(value) == 26:
        if value[10] == "T":
            return value
        if value[10] == " ":
            return f"{value[:10]}T{value[11:]}"
    return moment_text(value)


@cache
def _bangkok_day(hour: str) -> date:
    """The Bangkok date in the UTC hour ``hour`` ('YYYY-MM-DDTHH'): Bangkok is a whole number
    of hours ahead, so one hour has one date."""
    return bangkok_date(datetime.fromisoformat(f"{hour}:00").replace(tzinfo=UTC))
