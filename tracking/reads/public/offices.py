"""The office of a file and its calendar, as the public lookup reads them: cached for a
minute, since they change rarely and every lookup needs them."""

from __future__ import annotations

import time

import orjson
from sqlalchemy import Connection

from tracking.clock import BusinessCalendar, calendar_of
from tracking.models import Office
from tracking.reads.public.sql import as_date, rows

OFFICE_CACHE_SECONDS = 60.0
_offices: dict[int, tuple[float, Office, BusinessCalendar]] = {}

_OFFICE_COLUMNS = tuple(Office.model_fields)
_OFFICE = f"SELECT {', '.join(_OFFICE_COLUMNS)} FROM office WHERE id = {{id}}"
_JSON_COLUMNS = ("permit_settings", "unconfirmed")
_OFFICE_DAYS = "SELECT day, open FROM officeday WHERE office_id = {id}"


def office_and_calendar(connection: Connection, office_id: int) -> tuple[Office, BusinessCalendar]:
    """The office and its calendar, re-read at most once a minute."""
    cached = _offices.get(office_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1], cached[2]
    (found,) = rows(connection, _OFFICE, id=office_id)
    values = dict(zip(_OFFICE_COLUMNS, found, strict=True))
    for column in _JSON_COLUMNS:  # SQLite gives the text, PostgreSQL the value
        if isinstance(values[column], str):
            values[column] = orjson.loads(values[column])
    office = Office(**values)
    days = rows(connection, _OFFICE_DAYS, id=office_id)
    calendar = calendar_of((as_date(day), bool(is_open)) for day, is_open in days)
    _offices[office_id] = (time.monotonic() + OFFICE_CACHE_SECONDS, office, calendar)
    return office, calendar
