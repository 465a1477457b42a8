"""The building blocks of the compliance figures: the filters a manager sets, and the SQL that
selects tally rows, case rows and open files for them (whole months from the monthly tallies,
the ragged ends of a range from the daily ones)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, and_, cast, func, or_, true
from sqlmodel import Session, col

from tracking.clock import BANGKOK, supported_day
from tracking.models import (
    Application,
    ApplicationEvent,
    ComplianceCase,
    ComplianceTally,
    OpenFileTally,
)


# The dates a filter may name: Buddhist Era 2500 to 3143, that is 1 January 1957 to
# 31 December 2600 CE. Long before any file and centuries after, yet far enough inside Python's
# and both databases' calendars that the day after, the month's bounds and the UTC instant of
# every Bangkok day in it exist: a date outside is a mistake, refused, never a query.
@dataclass(frozen=True)
class Filters:
    """Which applications and events count: decisions and events dated within the range
    (Bangkok dates, inclusive, each within ``FIRST_DAY`` to ``LAST_DAY``: ``InvalidInput``
    otherwise), of a department, a permit type, and an officer's actions."""

    date_from: date | None = None
    date_to: date | None = None
    department: str | None = None
    permit_type: str | None = None
    officer: str | None = None

    def __post_init__(self) -> None:
        supported_day(self.date_from, "date_from")
        supported_day(self.date_to, "date_to")


E = ApplicationEvent
A = Application
T = ComplianceTally
C = ComplianceCase
OF = OpenFileTally


def day_start(day: date, end: bool = False) -> datetime:
    local = datetime.combine(day + timedelta(days=1) if end else day, time(), BANGKOK)
    return local.astimezone(UTC)


def app_filters(f: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.department:
        where.append(col(A.department) == f.department)
    if f.permit_type:
        where.append(col(A.permit_type) == f.permit_type)
    return where


def days_between(session: Session, later: Any, earlier: Any) -> Any:
    """Whole calendar days from ``earlier`` to ``later`` (dates or timestamps), in SQL.
    Timestamps count by their UTC date, which can be a day off Bangkok's near midnight."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(later, Date) - cast(earlier, Date)
    return cast(func.julianday(func.date(later)) - func.julianday(func.date(earlier)), Integer)


def percentile(histogram: Iterable[tuple[int, int]], share: float) -> int | None:
    """Nearest-rank percentile from (value, count) pairs."""
    bins = sorted(histogram)
    total = sum(count for _, count in bins)
    if not total:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for value, count in bins:
        seen += count
        if seen >= rank:
            return value
    return bins[-1][0]


def _month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def period(f: Filters) -> ColumnElement[bool]:
    """Tally rows covering the filter's dates exactly once: whole months from the monthly
    rows, the ragged ends from the daily ones."""
    first, last = f.date_from, f.date_to
    # Whole months lie in [months_from, months_to); None leaves that side open.
    months_from = first if first is None or first.day == 1 else _month_after(first)
    end = last + timedelta(days=1) if last else None
    months_to = end if end is None or end.day == 1 else end.replace(day=1)
    if months_from and months_to and months_from >= months_to:
        days = [col(T.grain) == "d"]
        days += [col(T.day) >= first] if first else []
        days += [col(T.day) <= last] if last else []
        return and_(*days)
    parts = [
        and_(
            col(T.grain) == "m",
            col(T.day) >= months_from if months_from else true(),
            col(T.day) < months_to if months_to else true(),
        )
    ]
    if first and months_from and first < months_from:
        parts.append(and_(col(T.grain) == "d", col(T.day) >= first, col(T.day) < months_from))
    if last and months_to and months_to <= last:
        parts.append(and_(col(T.grain) == "d", col(T.day) >= months_to, col(T.day) <= last))
    return or_(*parts)


def tally_rows(f: Filters, *measures: str, by_officer: bool = True) -> list[ColumnElement[bool]]:
    """Tally rows of ``measures`` within the filters (the officer's own, when ``by_officer``)."""
    where: list[ColumnElement[bool]] = [col(T.measure).in_(measures), period(f)]
    if f.department:
        where.append(col(T.department) == f.department)
    if f.permit_type:
        where.append(col(T.permit_type) == f.permit_type)
    if by_officer and f.officer:
        where.append(col(T.actor) == f.officer)
    return where


def case_rows(f: Filters, kind: str) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(C.kind) == kind]
    if f.date_from:
        where.append(col(C.day) >= f.date_from)
    if f.date_to:
        where.append(col(C.day) <= f.date_to)
    if f.department:
        where.append(col(C.department) == f.department)
    if f.permit_type:
        where.append(col(C.permit_type) == f.permit_type)
    if f.officer:
        where.append(col(C.actor) == f.officer)
    return where


TOTAL = func.sum(col(T.count))


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
