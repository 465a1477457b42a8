"""One run of applications, read and checked: the keyed chain of each trail, its replay
through the permit type's machine, the stored row and checklist against what the trail made
true, and the delay notices against the row; each file that passes is recounted toward the
tallies (``tracking.trail.recount``).

The rows are read and normalised in ``tracking.verification.reading``.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Sequence
from functools import cache
from types import SimpleNamespace
from typing import Any

import orjson
from psycopg.types.json import set_json_loads
from sqlalchemy import Connection

from checklists.loader import default_catalogue
from tracking import delivery
from tracking.trail.audit import (
    FACTS,
    FOUR_EYES,
    GENESIS,
    LATER_FACTS,
    MOMENT,
    OUT_OF_TURN,
    Finding,
)
from tracking.trail.recount import Recount
from tracking.trail.rows import rows
from tracking.verification.keyed import Keyed
from tracking.verification.reading import (
    APPS,
    EVENTS,
    HASHED_AT,
    ITEMS,
    KIND,
    NOTICES,
    OF,
    ONE_CHECKLIST,
    PENDING,
    REQUIRED,
    SATISFIED_STATUSES,
    STATUSES,
    TARGET,
    application_row,
    event_row,
    stored_facts,
)
from tracking.workflow.machines import machines


def prepare() -> None:
    """Load the catalogue and build each type's machine and checklist, once per process."""
    for slug in default_catalogue().types:
        _first_step(slug)
        _moves(slug)
        _lapses(slug)
        _untouched(slug)


@cache
def _items(slug: str) -> tuple[str, ...]:
    """The type's checklist items, in the order intake writes them."""
    return tuple(item.id for item in default_catalogue()[slug].items())


@cache
def _first_step(slug: str) -> str:
    return default_catalogue()[slug].initial_step.id


@cache
def _moves(slug: str) -> dict[tuple[str, str], tuple[str, str]]:
    """The type's machine as (step, event) -> (the step it leads to, its kind)."""
    return {k: (rule.target, rule.kind.value) for k, rule in machines()[slug].rule_of.items()}


@cache
def _extensions_allowed(slug: str) -> int:
    law = default_catalogue()[slug].statutory_limit
    return law.extensions.times if law is not None and law.extensions is not None else 0


@cache
def _lapses(slug: str) -> frozenset[tuple[str, str]]:
    """The type's lapses as (step, event): each waits for the applicant's deadline."""
    permit = default_catalogue()[slug]
    return frozenset(
        (step.id, step.deadline.lapse) for step in permit.steps if step.deadline is not None
    )


def _pairs(statuses: dict[str, str]) -> list[str]:
    return [f"{item}={status}" for item, status in statuses.items()]


def _joined(statuses: dict[str, str]) -> str:
    return ",".join(_pairs(statuses))


@cache
def _untouched(slug: str) -> str:
    """The checklist of a file no checklist event has touched, as the database joins it."""
    return _joined(dict.fromkeys(_items(slug), PENDING))


class Trail:
    """One application's row, events and checklist, and the checks on them."""

    def __init__(
        self,
        values: tuple[Any, ...],
        events: Sequence[Any],
        checklist: tuple[str, int],
        required: str,
        keyed: Keyed,
    ) -> None:
        self.values, self.raw_events, self.keyed = values, events, keyed
        (self.checklist, self.checklist_rows), self._required = checklist, required
        self.row: Any = SimpleNamespace(id=values[0], tracking_code=values[1])
        self.events: list[Any] = []

    def required(self, item: str) -> bool:
        """Whether the file was taken in with ``item`` as required."""
        return item in (self._required or "").split(",")

    def finding(self, field: str, problem: str, event: Any = None) -> Finding:
        return Finding(
            self.row.id,
            self.row.tracking_code,
            event.id if event is not None else None,
            event.seq if event is not None else None,
            field,
            problem,
        )

    def check(self, connection: Connection, notices: int) -> Finding | None:
        try:
            self.row = application_row(self.values)
            self.events = [event_row(values) for values in self.raw_events]
            return self._check(connection, notices)
        except (ValueError, TypeError) as error:  # a column edited to what no writer stores
            return self.finding("row", f"a stored value cannot be read: {error}")

    def _check(self, connection: Connection, notices: int) -> Finding | None:
        if self.row.permit_type not in default_catalogue().types:
            return self.finding("permit_type", f"unknown permit type {self.row.permit_type!r}")
        if not self.events:
            return self.finding("trail", "the application has no events: its trail was removed")
        if self.row.delay_notices_sent != notices:
            return self.finding(
                "delay_notices_sent",
                f"the row counts {self.row.delay_notices_sent}, the office sent {notices}",
            )
        return self._chain() or self._replay() or self._ends() or self._checklist(connection)

    def _chain(self) -> Finding | None:
        previous = GENESIS
        for seq, event in enumerate(self.events, start=1):
            if event.seq != seq:
                return self.finding("seq", f"expected seq {seq}, found {event.seq}", event)
            if event.prev_hash != previous:
                return self.finding("prev_hash", "the link to the event before is broken", event)
            if not hmac.compare_digest(_hash(event, self.keyed), event.hash):
                return self.finding("hash", "the event was altered or forged", event)
            previous = event.hash
        return None

    def _replay(self) -> Finding | None:
        slug = self.row.permit_type
        moves, items = _moves(slug), _items(slug)
        first = self.events[0]
        if first.kind != "intake" or first.target != _first_step(slug):
            return self.finding("kind", "the trail does not begin with the intake", first)
        state = first.target
        extended, allowed = 0, _extensions_allowed(slug)
        for at, event in enumerate(self.events[1:], start=1):
            previous = self.events[at - 1]
            if event.kind == "extension":  # no more than the law gives (BCA s.25, PHA s.56)
                extended += 1
                if extended > allowed:
                    return self.finding(
                        "kind", f"extension {extended} where the law gives {allowed}", event
                    )
            if event.kind == "checklist":
                item = str(event.event).removeprefix("checklist:")
                if item not in items or event.target not in STATUSES:
                    return self.finding("event", f"no checklist item or status {item!r}", event)
                continue
            # The office's calendar moved a date, the office extended the period, or the file
            # changed hands: no step changes.
            if event.kind in ("clock", "extension", "assignment"):
                if event.source != state or event.target != state:
                    return self.finding(
                        "target",
                        f"a {event.kind} event changes no step, yet leads from {event.source!r} to"
                        f" {event.target!r} at step {state!r}",
                        event,
                    )
                continue
            if event.kind == "notice":  # an order reached the applicant: no step changes
                problem = _notice_problem(self.events[:at], event, state)
                if problem:
                    return self.finding("notice", problem, event)
                continue
            move = moves.get((state, event.event))
            if event.kind != "transition" or event.source != state or move is None:
                return self.finding(
                    "event",
                    f"{event.event!r} from {event.source!r} is not a move of the"
                    f" {slug} machine at step {state!r}",
                    event,
                )
            if (event.target, event.transition_kind) != move:
                return self.finding("target", f"{event.event!r} leads to {move[0]!r}", event)
            if (state, event.event) in _lapses(slug):
                found = self._early_lapse(previous, event)
                if found:
                    return found
            state = event.target
        return None

    def _early_lapse(self, previous: Any, event: Any) -> Finding | None:
        """A lapse on or before the applicant's deadline the event before it recorded (a
        file whose step had no deadline then records none, and is not held to one)."""
        deadline = orjson.loads(previous.after or "{}").get("applicant_deadline")
        if deadline is None or event.day.isoformat() > deadline:  # ISO: text order is date order
            return None
        return self.finding(
            "event",
            f"{event.event!r} on {event.day.isoformat()} lapses a deadline, {deadline}, not yet"
            " passed",
            event,
        )

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
        recorded = orjson.loads(last.after or "{}")
        for name, default in LATER_FACTS.items():
            recorded.setdefault(name, default)
        stored = stored_facts(self.row, self.keyed)
        if recorded == stored:
            return None
        for name in (*FACTS, "particulars"):
            if recorded.get(name) != stored[name]:
                return self.finding(
                    name,
                    f"the row holds {stored[name]!r}, the trail made it {recorded.get(name)!r}"
                    if name != "particulars"
                    else "the applicant or subject details differ from those taken in",
                    last,
                )
        return None

    def _checklist(self, connection: Connection) -> Finding | None:
        slug = self.row.permit_type
        set_by_trail = {
            str(e.event).removeprefix("checklist:"): e.target
            for e in self.events
            if e.kind == "checklist"
        }
        whole = self.checklist_rows == len(_items(slug))
        if whole and not set_by_trail and self.checklist == _untouched(slug):
            return None
        implied = {**dict.fromkeys(_items(slug), PENDING), **set_by_trail}
        # As many rows as items, joined to the pairs the trail implies in some order: each row
        # is one pair. (A row holding ',' adds a piece; one holding '=' makes a piece with two,
        # which no item=status pair has.)
        if whole and sorted(self.checklist.split(",")) == sorted(_pairs(implied)):
            return None
        found = rows(connection, ONE_CHECKLIST, id=self.row.id)
        stored = dict(found)
        if len(stored) != len(found):
            return self.finding("checklist", "an item is stored more than once")
        if stored == implied:  # the same items, joined in another order
            return None
        item = next(i for i in sorted({*implied, *stored}) if stored.get(i) != implied.get(i))
        return self.finding(
            f"checklist.{item}",
            f"the row holds {stored.get(item)!r}, the trail made it {implied.get(item)!r}",
        )


def _notice_problem(earlier: Sequence[Any], event: Any, state: str) -> str | None:
    """What is wrong with a ``notice`` event at step ``state`` (``tracking.delivery``)."""
    if event.source != state or event.target != state:
        return f"a notice changes no step, yet leads from {event.source!r} to {event.target!r}"
    try:
        return delivery.replay_problem(earlier, event, event.day)
    except (KeyError, ValueError, TypeError) as error:
        return f"its data is not a delivery: {error!r}"


def _hash(event: Any, keyed: Keyed) -> str:
    """``audit.hash_values`` of the event's values (the tests hold the two alike)."""
    values = list(event[HASHED_AT:-2])
    values[MOMENT] = event.moment
    values[OUT_OF_TURN] = bool(values[OUT_OF_TURN])
    values[FOUR_EYES] = bool(values[FOUR_EYES])
    return keyed.hex(orjson.dumps(values))


def _trails(connection: Connection, keyed: Keyed, first: int, last: int) -> Iterator[Trail]:
    """Each application with an id from ``first`` to ``last``, with its events and checklist."""
    dialect = connection.dialect.name
    applications = rows(connection, APPS[dialect], first=first, last=last)
    events: dict[int, list[Any]] = {}
    signing: set[Any] = set()  # files whose trail signs an item off
    for values in rows(connection, EVENTS[dialect], first=first, last=last):
        events.setdefault(values[OF], []).append(values)
        if values[KIND] == "checklist" and values[TARGET] in SATISFIED_STATUSES:
            signing.add(values[OF])
    items = ITEMS[dialect]
    checklists = {row[0]: row[1:] for row in rows(connection, items, first=first, last=last)}
    required = _required(connection, [values[0] for values in applications if values[0] in signing])
    for values in applications:
        app = values[0]
        yield Trail(
            values, events.get(app, []), checklists.get(app, ("", 0)), required.get(app, ""), keyed
        )


def _required(connection: Connection, ids: list[int]) -> dict[int, str]:
    """The items each file of ``ids`` was taken in with as required, joined by ','."""
    found: dict[int, list[str]] = {}
    if ids:
        statement = REQUIRED.format(ids=",".join(str(int(i)) for i in ids))
        for app, item in rows(connection, statement):
            found.setdefault(app, []).append(item)
    return {app: ",".join(items) for app, items in found.items()}


Checked = tuple[int, int, Finding | None]


def check(connection: Connection, key: bytes, first: int, last: int, recount: Recount) -> Checked:
    """(applications, events, the first finding) of the ids from ``first`` to ``last``; each
    file that passes is added to ``recount``."""
    applications = events = 0
    if connection.dialect.name == "postgresql":  # the details' JSON read by orjson
        set_json_loads(orjson.loads, connection.connection.driver_connection)
    notices = dict(rows(connection, NOTICES, first=first, last=last))
    for trail in _trails(connection, Keyed(key), first, last):
        found = trail.check(connection, notices.get(trail.row.id, 0))
        if found:
            return applications, events, found
        recount.add(trail.row, trail.events, trail.required)
        applications += 1
        events += len(trail.events)
    return applications, events, None
