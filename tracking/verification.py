"""``tidtam audit verify``: the trail proves the whole file.

For every application, in id order: its events form one unbroken keyed chain from an intake at
the type's first step; each transition is one the permit type's machine has, from the step the
file was then at; the stored application row equals the facts its last event made true (state,
outcome, due and decided dates, the clock, the applicant's deadline, a digest of the applicant
and subject); its checklist rows are the type's items, each at the status its last checklist
event set; its event count and head match. Then the anchors (``tracking.trail.anchors``) must
still hold, and the compliance tallies must equal a rebuild from the trail.

Rows are read with plain Core queries in batches, so a million files verify in about a minute.
"""

from __future__ import annotations

import hmac
import json
import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from multiprocessing import get_context
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine

from checklists.loader import default_catalogue
from checklists.schema import PermitType
from tracking.db import make_engine
from tracking.models import ChecklistStatus
from tracking.trail import anchors, rebuild
from tracking.trail.audit import (
    FACTS,
    FOUR_EYES,
    GENESIS,
    HASHED,
    MOMENT,
    OUT_OF_TURN,
    PARTICULARS,
    Finding,
    audit_key,
    facts,
    hash_values,
    moment_text,
)
from tracking.workflow.machines import machines

STATUSES = frozenset(s.value for s in ChecklistStatus)
BATCH = 5000
# The rows are read through the driver's own cursor (the hot loop of a million files): the
# columns in a fixed order, normalised here to what the trail's writer hashed.
APP_COLUMNS = tuple(
    dict.fromkeys(("id", "tracking_code", "event_count", "trail_head", *FACTS, *PARTICULARS))
)
TIMES = frozenset({"submitted_at"})
EVENT_COLUMNS = ("id", "hash", *HASHED)
Event = namedtuple("Event", EVENT_COLUMNS)  # type: ignore[misc]
HASHED_AT = len(EVENT_COLUMNS) - len(HASHED)
_APPS = (
    f"SELECT {', '.join(APP_COLUMNS)} FROM application WHERE id BETWEEN {{first}} AND {{last}}"
    " ORDER BY id"
)
_EVENTS = (
    f"SELECT {', '.join(EVENT_COLUMNS)} FROM application_event"
    " WHERE application_id BETWEEN {first} AND {last} ORDER BY application_id, seq, id"
)
_ITEMS = (
    "SELECT application_id, item_id, status FROM checklist_entry"
    " WHERE application_id BETWEEN {first} AND {last}"
)


@dataclass(frozen=True)
class VerifyResult:
    applications: int
    events: int
    broken: Finding | None


class _Trail:
    """One application's row, events and checklist rows, and the checks on them."""

    def __init__(self, row: Any, events: Sequence[Any], items: dict[str, str], key: bytes) -> None:
        self.row, self.events, self.items, self.key = row, events, items, key

    def finding(self, field: str, problem: str, event: Any = None) -> Finding:
        return Finding(
            self.row.id,
            self.row.tracking_code,
            event.id if event is not None else None,
            event.seq if event is not None else None,
            field,
            problem,
        )

    def check(self) -> Finding | None:
        permit = default_catalogue().types.get(self.row.permit_type)
        if permit is None:
            return self.finding("permit_type", f"unknown permit type {self.row.permit_type!r}")
        if not self.events:
            return self.finding("trail", "the application has no events: its trail was removed")
        return self._chain() or self._replay(permit) or self._ends() or self._checklist(permit)

    def _chain(self) -> Finding | None:
        previous = GENESIS
        for seq, event in enumerate(self.events, start=1):
            if event.seq != seq:
                return self.finding("seq", f"expected seq {seq}, found {event.seq}", event)
            if event.prev_hash != previous:
                return self.finding("prev_hash", "the link to the event before is broken", event)
            if not hmac.compare_digest(_hash(event, self.key), event.hash):
                return self.finding("hash", "the event was altered or forged", event)
            previous = event.hash
        return None

    def _replay(self, permit: PermitType) -> Finding | None:
        rule_of = machines()[permit.slug].rule_of
        first = self.events[0]
        if first.kind != "intake" or first.target != permit.initial_step.id:
            return self.finding("kind", "the trail does not begin with the intake", first)
        state = first.target
        items = _items(permit.slug)
        for event in self.events[1:]:
            if event.kind == "checklist":
                item = str(event.event).removeprefix("checklist:")
                if item not in items or event.target not in STATUSES:
                    return self.finding("event", f"no checklist item or status {item!r}", event)
                continue
            rule = rule_of.get((state, event.event))
            if event.kind != "transition" or event.source != state or rule is None:
                return self.finding(
                    "event",
                    f"{event.event!r} from {event.source!r} is not a move of the"
                    f" {permit.slug} machine at step {state!r}",
                    event,
                )
            if event.target != rule.target or event.transition_kind != rule.kind.value:
                return self.finding("target", f"{event.event!r} leads to {rule.target!r}", event)
            state = event.target
        return None

    def _ends(self) -> Finding | None:
        last = self.events[-1]
        if len(self.events) != self.row.event_count:
            return self.finding(
                "event_count",
                f"the row records {self.row.event_count} events, the trail holds"
                f" {len(self.events)}",
                last,
            )
        if last.hash != self.row.trail_head:
            return self.finding("trail_head", "the row's head is not the last event", last)
        recorded = json.loads(last.after or "{}")
        stored = facts(self.row, self.key)
        for name in (*FACTS, "particulars"):
            if recorded.get(name) != stored[name]:
                what = "applicant or subject" if name == "particulars" else name
                return self.finding(
                    name,
                    f"the row holds {stored[name]!r}, the trail made it {recorded.get(name)!r}"
                    if name != "particulars"
                    else f"the {what} details differ from those taken in",
                    last,
                )
        return None

    def _checklist(self, permit: PermitType) -> Finding | None:
        implied = _pending(permit.slug)
        set_by_trail = {
            str(e.event).removeprefix("checklist:"): e.target
            for e in self.events
            if e.kind == "checklist"
        }
        if set_by_trail:
            implied = {**implied, **set_by_trail}
        if self.items == implied:
            return None
        for item in sorted(set(implied) | set(self.items)):
            if self.items.get(item) != implied.get(item):
                return self.finding(
                    f"checklist.{item}",
                    f"the row holds {self.items.get(item)!r}, the trail made it"
                    f" {implied.get(item)!r}",
                )
        return None


@cache
def _pending(slug: str) -> dict[str, str]:
    """Every checklist item of the type, as intake leaves it."""
    permit = default_catalogue()[slug]
    return {item.id: ChecklistStatus.pending.value for item in permit.items()}


@cache
def _items(slug: str) -> frozenset[str]:
    return frozenset(_pending(slug))


def _hash(event: Any, key: bytes) -> str:
    values = list(event[HASHED_AT:])
    values[MOMENT] = moment_text(values[MOMENT])
    values[OUT_OF_TURN] = bool(values[OUT_OF_TURN])
    values[FOUR_EYES] = bool(values[FOUR_EYES])
    return hash_values(values, key)


def _rows(connection: Connection, template: str, **params: int) -> list[tuple[Any, ...]]:
    style = connection.dialect.paramstyle
    marks = {k: (f"%({k})s" if style == "pyformat" else f":{k}") for k in params}
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(template.format(**marks), params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _application(values: tuple[Any, ...]) -> SimpleNamespace:
    row = dict(zip(APP_COLUMNS, values, strict=True))
    for name in TIMES:
        row[name] = moment_text(row[name])
    if isinstance(row["subject_details"], str):
        row["subject_details"] = json.loads(row["subject_details"])
    return SimpleNamespace(**row)


def _trails(connection: Connection, key: bytes, first: int, last: int) -> Iterator[_Trail]:
    """Each application with an id from ``first`` to ``last``, with its events and checklist."""
    rows = _rows(connection, _APPS, first=first, last=last)
    events: dict[int, list[Any]] = {}
    for values in _rows(connection, _EVENTS, first=first, last=last):
        event: Any = Event(*values)
        events.setdefault(event.application_id, []).append(event)
    items: dict[int, dict[str, str]] = {}
    for app_id, item, status in _rows(connection, _ITEMS, first=first, last=last):
        items.setdefault(app_id, {})[item] = status
    for values in rows:
        row = _application(values)
        yield _Trail(row, events.get(row.id, []), items.get(row.id, {}), key)


Checked = tuple[int, int, Finding | None]


def _check(connection: Connection, key: bytes, first: int, last: int) -> Checked:
    """(applications, events, the first finding) of the ids from ``first`` to ``last``."""
    applications = events = 0
    for trail in _trails(connection, key, first, last):
        found = trail.check()
        if found:
            return applications, events, found
        applications += 1
        events += len(trail.events)
    return applications, events, None


def _batches(connection: Connection) -> list[tuple[int, int]]:
    """The application ids, in runs of ``BATCH``: (first, last) of each."""
    ids = [row[0] for row in _rows(connection, "SELECT id FROM application ORDER BY id")]
    return [(ids[n], ids[min(n + BATCH, len(ids)) - 1]) for n in range(0, len(ids), BATCH)]


_worker: tuple[Engine, bytes] | None = None


def _start_worker(url: str, key: bytes) -> None:
    global _worker
    _worker = (make_engine(url), key)


def _check_in_worker(batch: tuple[int, int]) -> Checked:
    assert _worker is not None
    engine, key = _worker
    with engine.connect() as connection:
        return _check(connection, key, *batch)


def verify(
    engine: Engine,
    *,
    anchor: str | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> VerifyResult:
    """Check every trail, the anchors and the tallies; report the first finding (trails in id
    order first). ``anchor``: a digest an auditor kept, which must still hold. ``progress``
    is called with the number of applications checked as each batch is done. With several
    ``workers``, batches of trails are checked in that many processes while this one checks
    the anchors and the tallies (each process reads its own snapshot: verify an office at
    rest, or expect files changed meanwhile to be reported)."""
    key = audit_key()
    with engine.connect() as connection:
        batches = _batches(connection)
    office: list[Finding | None] = []
    checker = threading.Thread(target=lambda: office.append(_office(engine, anchor)))
    applications = events = 0
    found: Finding | None = None
    if workers > 1 and len(batches) > 1:
        url = engine.url.render_as_string(hide_password=False)
        with ProcessPoolExecutor(
            workers, mp_context=get_context("spawn"), initializer=_start_worker, initargs=(url, key)
        ) as pool:
            results = pool.map(_check_in_worker, batches)
            checker.start()
            found, applications, events = _first(results, progress)
            pool.shutdown(cancel_futures=True)
    else:
        checker.start()
        with engine.connect() as connection:
            results = (_check(connection, key, *batch) for batch in batches)
            found, applications, events = _first(results, progress)
    checker.join()
    return VerifyResult(applications, events, found or office[0])


def _first(
    results: Iterable[Checked], progress: Callable[[int], None] | None
) -> tuple[Finding | None, int, int]:
    applications = events = 0
    for checked, counted, found in results:
        applications += checked
        events += counted
        if progress:
            progress(checked)
        if found:
            return found, applications, events
    return None, applications, events


def _office(engine: Engine, anchor: str | None) -> Finding | None:
    with engine.begin() as connection:
        return anchors.check(connection, anchor) or _tallies(connection)


def _tallies(connection: Connection) -> Finding | None:
    """The tallies, cases and open-file counts against a rebuild from the trail (the rebuild
    is rolled back)."""
    kept = rebuild.snapshot(connection)
    with connection.begin_nested() as savepoint:
        rebuild.rebuild(connection)
        rebuilt = rebuild.snapshot(connection)
        savepoint.rollback()
    for table, stored, expected in zip(rebuild.SNAPSHOT_TABLES, kept, rebuilt, strict=True):
        if stored != expected:
            extra = sorted(set(stored) - set(expected))
            missing = sorted(set(expected) - set(stored))
            row = extra[0] if extra else missing[0] if missing else None
            return Finding(None, "", None, None, table, f"differs from a rebuild at {row!r}")
    return None
