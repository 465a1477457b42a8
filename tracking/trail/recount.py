"""The tallies, cases and open-file counts a set of trails implies, counted in memory by the
rules the live count applies (``tracking.trail.tallies``): ``audit verify`` recounts the
office as it reads every trail, and holds the stored tables to the result.

A recount is made in parts (one per worker process, each over its share of the files) that are
merged; the month tallies are added from the days at the end, as the live count adds them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

import orjson
from sqlalchemy import Connection

from tracking.clock import undecided
from tracking.trail.audit import FACTS, Finding, moment_text
from tracking.trail.rows import rows
from tracking.trail.tallies import (
    DECISION_KINDS,
    DIMENSIONS,
    OPEN_FIELDS,
    READS_FACTS,
    case_rows,
    grains,
    open_bucket,
    tally_rows,
)

DATES = frozenset({"due_date", "clock_paused_on", "decided_on", "applicant_deadline"})
_FACTS = frozenset(FACTS)
_OPEN_OF = attrgetter(*OPEN_FIELDS)
_COUNT_AT = 20_000
CASE_COLUMNS = (
    *("kind", "application_id", "seq", "office_id", "day", "occurred_at"),
    *("department", "permit_type", "actor", "reason"),
)
_STORED = (
    f"SELECT {', '.join(DIMENSIONS)}, count FROM compliance_tally WHERE count <> 0",
    f"SELECT {', '.join(CASE_COLUMNS)} FROM compliance_case",
    "SELECT office_id, department, permit_type, due_date, paused, files, notices"
    " FROM open_file_tally WHERE files <> 0 OR notices <> 0",
)


def as_date(value: date | str | None) -> date | None:
    """A date column as SQLite (text) or PostgreSQL (a date) gives it back."""
    return date.fromisoformat(value) if isinstance(value, str) else value


class _AsLeft:
    """The application as one event left it: the facts the event recorded (read from its
    ``after`` only when a rule asks for one), the rest from the row."""

    __slots__ = ("_after", "_facts", "department", "id", "office_id", "permit_type")

    def __init__(self, row: Any, after: str) -> None:
        self.id, self.office_id = row.id, row.office_id
        self.department, self.permit_type = row.department, row.permit_type
        self._after = after
        self._facts: dict[str, Any] | None = None

    def __getattr__(self, name: str) -> Any:
        if name not in _FACTS:
            raise AttributeError(name)
        if self._facts is None:
            recorded = orjson.loads(self._after or "{}")
            self._facts = {k: as_date(v) if k in DATES else v for k, v in recorded.items()}
        return self._facts.get(name)


@dataclass
class Recount:
    """What the trails added so far imply: the rows of ``tally_rows`` counted (``days``) and,
    once ``close``d, the tallies per day and per month as stored (``tally``); cases; open-file
    buckets."""

    days: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    tally: dict[tuple[Any, ...], int] = field(default_factory=dict)
    cases: set[tuple[Any, ...]] = field(default_factory=set)
    open_files: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    open_notices: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    # The rows of the files added lately, counted into ``days`` some thousands at a time.
    _counted: list[tuple[Any, ...]] = field(default_factory=list, repr=False)

    def add(self, row: Any, events: Sequence[Any], required: Callable[[str], bool]) -> None:
        """Count one application: ``row`` with its dates as dates (and ``delay_notices_sent``
        checked against its delay notices), its ``events`` in order, each with its Bangkok
        ``day``, and whether it was taken in with an item as required."""
        counted = self._counted
        earlier: defaultdict[str, int] = defaultdict(int)
        prior = earlier.__getitem__
        for event in events:
            day, kind = event.day, event.transition_kind
            # The file as the event left it, where its rows read more than ``row`` holds.
            left = _AsLeft(row, event.after) if kind in READS_FACTS else row
            counted.extend(tally_rows(left, event, day, prior, required))
            if kind:
                earlier[kind] += 1
            if kind in DECISION_KINDS:
                for case in case_rows(row, event, day):
                    case["occurred_at"] = moment_text(case["occurred_at"])
                    self.cases.add(tuple(case[name] for name in CASE_COLUMNS))
        if len(counted) > _COUNT_AT:
            self._count()
        if not undecided(row.decided_on, row.outcome):  # in no bucket: spare building its values
            return
        bucket = open_bucket(dict(zip(OPEN_FIELDS, _OPEN_OF(row), strict=True)))
        if bucket is not None:
            self.open_files[bucket] += 1
            self.open_notices[bucket] += row.delay_notices_sent

    def _count(self) -> None:
        """Count the rows kept since the last time, in C."""
        self.days.update(self._counted)
        self._counted.clear()

    def close(self) -> Recount:
        """Add up the rows counted into day and month tallies (in the process that counted
        them, so that merging is the only work left)."""
        self._count()
        tally: defaultdict[tuple[Any, ...], int] = defaultdict(int, self.tally)
        for row, n in self.days.items():
            for key in grains(row):
                tally[key] += n
        self.tally, self.days = dict(tally), Counter()
        return self

    def merge(self, other: Recount) -> None:
        """Add a closed recount to this closed one."""
        tally = self.tally
        for key, n in other.tally.items():
            tally[key] = tally.get(key, 0) + n
        self.cases |= other.cases
        self.open_files.update(other.open_files)
        self.open_notices.update(other.open_notices)

    def tables(self) -> tuple[dict[tuple[Any, ...], int], set[tuple[Any, ...]], dict[Any, Any]]:
        """The three tables of a closed recount, as ``stored`` reads them."""
        buckets = {*self.open_files, *self.open_notices}
        counts = {b: (self.open_files[b], self.open_notices[b]) for b in buckets}
        return self.tally, self.cases, {b: n for b, n in counts.items() if n != (0, 0)}


def stored(
    connection: Connection,
) -> tuple[dict[tuple[Any, ...], int], set[tuple[Any, ...]], dict[Any, Any]]:
    """The stored tallies, cases and open-file counts, in the form ``Recount.tables`` gives."""
    tallies, cases, open_files = (rows(connection, sql) for sql in _STORED)
    day = DIMENSIONS.index("day")
    tally = {
        (*row[:day], as_date(row[day]), *row[day + 1 : -2], bool(row[-2])): row[-1]
        for row in tallies
    }
    at = CASE_COLUMNS.index("occurred_at")
    on = CASE_COLUMNS.index("day")
    case = {
        tuple(
            moment_text(v) if n == at else as_date(v) if n == on else v for n, v in enumerate(row)
        )
        for row in cases
    }
    buckets = {(*row[:3], as_date(row[3]), bool(row[4])): (row[5], row[6]) for row in open_files}
    return tally, case, buckets


def add_up(stored_tables: Iterable[Any], parts: Sequence[Recount]) -> bool:
    """Whether the closed recounts ``parts`` add up to the stored tables (as ``stored`` reads
    them): each part's tallies taken off the stored ones leave nothing. The quick yes, with
    no merged copy of the largest table; on a no, ``difference`` names the row."""
    tally, cases, open_files = stored_tables
    left = dict(tally)
    try:
        for part in parts:
            for key, n in part.tally.items():
                left[key] = left.get(key, 0) - n
    except TypeError:  # a count edited to what no writer stores
        return False
    if any(left.values()):
        return False
    rest = Recount(cases=set().union(*(part.cases for part in parts)))
    for part in parts:
        rest.open_files.update(part.open_files)
        rest.open_notices.update(part.open_notices)
    _, counted_cases, counted_open = rest.tables()
    return bool(cases == counted_cases and open_files == counted_open)


TABLES = ("compliance_tally", "compliance_case", "open_file_tally")


def difference(stored_tables: Iterable[Any], counted_tables: Iterable[Any]) -> Finding | None:
    """The first stored row that differs from the recount, if any."""
    for table, kept, counted in zip(TABLES, stored_tables, counted_tables, strict=True):
        if kept == counted:
            continue
        if isinstance(kept, dict):
            keys = sorted({*kept, *counted}, key=repr)
            row = next(k for k in keys if kept.get(k) != counted.get(k))
            problem = f"stored {kept.get(row)!r}, the trail counts {counted.get(row)!r}"
        else:
            rows = sorted(kept ^ counted, key=repr)
            row = rows[0]
            problem = "stored, not in the trail" if row in kept else "in the trail, not stored"
        return Finding(None, "", None, None, table, f"at {row!r}: {problem}")
    return None
