"""The building blocks of the compliance figures: the filters a manager sets, and the SQL that
selects tally rows, case rows and open files for them (whole months from the monthly tallies,
the ragged ends of a range from the daily ones)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, and_, case, cast, func, or_, select, true
from sqlmodel import Session, col

from checklists.loader import default_catalogue
from checklists.schema import DECISIONS, DEPARTMENTS
from tracking.clock import BANGKOK, supported_day
from tracking.dates import parse_day
from tracking.derived import ComplianceCase, ComplianceTally, OpenFileTally
from tracking.errors import InvalidInput
from tracking.models import Application, ApplicationEvent


# The dates a filter may name: Buddhist Era 2500 to 3143, that is 1 January 1957 to
# 31 December 2600 CE. Long before any file and centuries after, yet far enough inside Python's
# and both databases' calendars that the day after, the month's bounds and the UTC instant of
# every Bangkok day in it exist: a date outside is a mistake, refused, never a query.
@dataclass(frozen=True)
class Filters:
    """Which applications and events count: decisions and events dated within the range
    (Bangkok dates, inclusive, each within ``FIRST_DAY`` to ``LAST_DAY``: ``InvalidInput``
    otherwise), of a department, a permit type, an officer's actions, and one office's files
    (``office_id``; every office's when None)."""

    date_from: date | None = None
    date_to: date | None = None
    department: str | None = None
    permit_type: str | None = None
    officer: str | None = None
    office_id: int | None = None

    def __post_init__(self) -> None:
        supported_day(self.date_from, "date_from")
        supported_day(self.date_to, "date_to")


OFFICER = re.compile(r"^[\w.\-@]{1,64}$")


def departments_with_types() -> list[str]:
    """The departments some permit type belongs to, in the order ``DEPARTMENTS`` lists them:
    the only ones a filter can name."""
    taken = {permit.department for permit in default_catalogue().values()}
    return [slug for slug in DEPARTMENTS if slug in taken]


def default_period(today: date) -> dict[str, str]:
    """The dashboard's period when none is asked for: the last full month and this month
    so far (on the 1st, a whole month still shows), as a form would send it."""
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return {"date_from": last_month.isoformat(), "date_to": today.isoformat()}


def _day(text: str, field: str) -> date:
    return parse_day(text, field)


def parse_filters(
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    department: str | None = None,
    permit_type: str | None = None,
    officer: str | None = None,
    office_id: int | None = None,
) -> Filters:
    """The filters a manager asked for, as a form sends them: a blank field means every
    value (all dates on that side, every department, type or officer). Raises
    ``InvalidInput`` naming the field for a date that is not one or is outside the supported
    range, a start after the end, a department no permit type belongs to, a permit type not in
    the catalogue, or a username no account could have."""
    first, last, dept, permit, who = (
        (value or "").strip() or None
        for value in (date_from, date_to, department, permit_type, officer)
    )
    start = _day(first, "date_from") if first else None
    end = _day(last, "date_to") if last else None
    filters = Filters(start, end, dept, permit, who, office_id)
    if start and end and start > end:
        raise InvalidInput(
            "วันเริ่มต้นต้องไม่อยู่หลังวันสิ้นสุด",
            "The start date must not be after the end date",
            field="date_from",
        )
    if dept is not None and dept not in departments_with_types():
        raise InvalidInput(
            "ไม่มีฝ่ายนี้ในรายการฝ่ายที่รับคำขอ เลือกจากรายการ",
            "No such department takes applications: choose one from the list",
            field="department",
        )
    if permit is not None and permit not in default_catalogue().types:
        raise InvalidInput(
            "ไม่มีประเภทคำขอนี้ในคู่มือ เลือกจากรายการ",
            "No such permit type in the catalogue: choose one from the list",
            field="permit_type",
        )
    if who is not None and not OFFICER.match(who):
        raise InvalidInput(
            "ชื่อผู้ใช้ของเจ้าหน้าที่มีได้เฉพาะตัวอักษร ตัวเลข และ . - _ @ (ไม่เกิน 64 ตัว)",
            "An officer's username has only letters, digits and . - _ @ (64 at most)",
            field="officer",
        )
    return filters


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
    if f.office_id is not None:
        where.append(col(A.office_id) == f.office_id)
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
    if f.office_id is not None:
        where.append(col(T.office_id) == f.office_id)
    if f.department:
        where.append(col(T.department) == f.department)
    if f.permit_type:
        where.append(col(T.permit_type) == f.permit_type)
    if by_officer and f.officer:
        where.append(col(T.actor) == f.officer)
    return where


def case_rows(f: Filters, kind: str) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(C.kind) == kind]
    if f.office_id is not None:
        where.append(col(C.office_id) == f.office_id)
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
DECISION_KINDS = sorted(kind.value for kind in DECISIONS)


def decision_rows(session: Session, f: Filters, *by: str) -> list[Any]:
    """(``by``..., permit type, days taken, decided by the due date, count) of the decisions
    within the filters, ``by`` naming columns both tables have (``office_id``): from the
    tallies, or for one officer (the tallies keep no decider) from the files they decided,
    found through their events (``ix_application_event_actor``)."""
    if not f.officer:
        groups = [*grouping(T, by), col(T.permit_type), col(T.days), col(T.flag)]
        return list(
            session.execute(
                select(*groups, TOTAL)
                .where(*tally_rows(f, "decided", by_officer=False))
                .group_by(*groups)
            ).all()
        )
    theirs = select(col(E.application_id)).where(
        col(E.actor) == f.officer, col(E.transition_kind).in_(DECISION_KINDS)
    )
    punctual = case((col(A.decided_on) <= col(A.due_date), True), else_=False)
    where = [col(A.id).in_(theirs), col(A.days_to_decision).is_not(None), *app_filters(f)]
    where += [col(A.decided_on) >= f.date_from] if f.date_from else [col(A.decided_on).is_not(None)]
    where += [col(A.decided_on) <= f.date_to] if f.date_to else []
    groups = [*grouping(A, by), col(A.permit_type), col(A.days_to_decision), punctual]
    return list(
        session.execute(select(*groups, func.count()).where(*where).group_by(*groups)).all()
    )


def grouping(table: Any, by: Iterable[str]) -> list[Any]:
    """The columns ``by`` names of a table (tallies, cases, open files, applications): what a
    measure is counted by besides its own keys, such as ``office_id`` for the city's table."""
    return [table.__table__.c[name] for name in by]


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
