"""Each office's business calendar, built once per change of its days.

``office_calendar`` is what every rule asks for; it reads the office's closure and opening
days again only when their signature (``office_days_signature``, read by the staff check in a
query it makes anyway, ``tracking.auth``) differs from the calendar last built, so a day any
process adds or removes is seen by the next request everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from tracking.clock import BusinessCalendar, calendar_of
from tracking.models import OfficeDay

# What a session has read of the office days of an office, in a query it made anyway (the
# staff check, ``tracking.auth``): ``session.info[DAYS_READ][office_id]`` = their signature.
DAYS_READ = "tidtam.office_days"
# The calendars built, by office: (the signature of the rows they were built from, calendar).
_calendars: dict[int, tuple[tuple[Any, ...], BusinessCalendar]] = {}


def office_days_signature(session: Session, office_id: Any) -> list[Any]:
    """Scalar subqueries that change whenever the office's days do: how many, their ids
    (SQLite may give a removed last row's id to the next), the opening days among them and
    their dates. ``office_id``: a value or a column of the enclosing query."""
    if session.get_bind().dialect.name == "sqlite":
        ordinal: Any = func.julianday(col(OfficeDay.day))
    else:
        ordinal = col(OfficeDay.day) - date(2000, 1, 1)
    aggregates = (
        func.count(),
        func.coalesce(func.max(col(OfficeDay.id)), 0),
        func.coalesce(func.sum(col(OfficeDay.id)), 0),
        func.coalesce(func.sum(case((col(OfficeDay.open), 1), else_=0)), 0),
        func.coalesce(func.sum(ordinal), 0),
    )
    return [
        select(a).where(col(OfficeDay.office_id) == office_id).scalar_subquery() for a in aggregates
    ]


def _signature_of(rows: Iterable[tuple[int | None, date, bool]], dialect: str) -> tuple[Any, ...]:
    """``office_days_signature`` of rows read (id, day, open), as the database adds it up."""
    known = [(i or 0, day, is_open) for i, day, is_open in rows]
    epoch = date(2000, 1, 1)
    # SQLite counts the dates as Julian days (2000-01-01 is 2451544.5), PostgreSQL from 2000.
    ordinals = [
        (day - epoch).days + (2451544.5 if dialect == "sqlite" else 0) for _, day, _ in known
    ]
    return (
        len(known),
        max((i for i, _, _ in known), default=0),
        sum(i for i, _, _ in known),
        sum(1 for _, _, is_open in known if is_open),
        sum(ordinals) if known else 0,
    )


def office_calendar(session: Session, office_id: int) -> BusinessCalendar:
    """The business calendar of one office, with the closures and openings it configured.

    Built once per change of the office's days: the rows are read again unless ``session``
    has read their signature (``DAYS_READ``) and it matches the calendar last built. Every
    process checks it on each request, so a day another process adds or removes is seen by
    the next request here as well."""
    seen = session.info.get(DAYS_READ, {}).get(office_id)
    built = _calendars.get(office_id)
    if seen is not None and built is not None and _same(built[0], seen):
        return built[1]
    rows = select(col(OfficeDay.id), col(OfficeDay.day), col(OfficeDay.open), col(OfficeDay.note))
    days = session.exec(rows.where(OfficeDay.office_id == office_id)).all()
    calendar = calendar_of((day, is_open) for _, day, is_open, _ in days)
    calendar.notes = {day: note for _, day, _, note in days}
    dialect = session.get_bind().dialect.name
    _calendars[office_id] = (_signature_of(((i, d, o) for i, d, o, _ in days), dialect), calendar)
    return calendar


def _same(built: tuple[Any, ...], seen: tuple[Any, ...]) -> bool:
    # The database's sums may come back as Decimal or float: compare them as numbers.
    return len(built) == len(seen) and all(
        abs(float(a) - float(b)) < 1e-6 for a, b in zip(built, seen, strict=True)
    )
