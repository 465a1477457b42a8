"""Writers at the same moment, each on a file of its own: every one commits, none is told of a
conflict or that the database is locked (SQLite: ``BEGIN IMMEDIATE`` and the process's writer
lock queue them), and the tallies equal a rebuild from the trail. The office calendar's
signature, as the database adds it up, matches the one its rows give."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from tracking import calendars
from tracking.db import unit_of_work
from tracking.models import ChecklistStatus, OfficeDay
from tracking.offices import office_by_slug
from tracking.trail import rebuild
from tracking.workflow import office_days, transitions

from ..factories import actor, committed_application, make_application
from .test_concurrency import TALLY_TOTALS

WRITERS = 8
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def _at_once(work: list[threading.Thread]) -> None:
    for t in work:
        t.start()
    for t in work:
        t.join(timeout=120)


def test_simultaneous_writers_on_their_own_files_all_commit(engine: Engine) -> None:
    files = [committed_application(engine, now=NOW) for _ in range(WRITERS)]
    barrier = threading.Barrier(WRITERS * 2)
    failures: list[BaseException] = []
    clerk = actor("clerk")

    def update_and_withdraw(app_id: int) -> None:
        try:
            barrier.wait(timeout=60)
            with unit_of_work(engine) as session:
                transitions.record_checklist_item(
                    session,
                    application_id=app_id,
                    item_id="application_form",
                    status=ChecklistStatus.received,
                    actor=clerk,
                    version=1,
                    now=NOW,
                )
            with unit_of_work(engine) as session:
                transitions.fire(
                    session,
                    application_id=app_id,
                    event="withdraw",
                    actor=clerk,
                    version=2,
                    reason="ผู้ยื่นขอถอนคำขอ",
                    now=NOW,
                )
        except BaseException as exc:  # reported below
            failures.append(exc)

    def take_in() -> None:
        try:
            barrier.wait(timeout=60)
            with unit_of_work(engine) as session:
                make_application(session, now=NOW)
        except BaseException as exc:
            failures.append(exc)

    work = [threading.Thread(target=update_and_withdraw, args=(a,)) for a in files]
    work += [threading.Thread(target=take_in) for _ in range(WRITERS)]
    _at_once(work)
    assert failures == []
    with unit_of_work(engine, writes=False) as session:
        states = [transitions.get_application(session, a).state for a in files]
    assert states == ["withdrawn"] * WRITERS
    with engine.connect() as connection:
        counted = connection.execute(text(TALLY_TOTALS)).all()
        taken_in = connection.execute(text("SELECT COUNT(*) FROM application")).scalar_one()
    assert taken_in == WRITERS * 2
    with engine.begin() as connection:
        rebuild.rebuild(connection)
    with engine.connect() as connection:
        assert connection.execute(text(TALLY_TOTALS)).all() == counted


HOLDER = """
import sys, time
from sqlalchemy import text
from tracking.db import make_engine, unit_of_work
with unit_of_work(make_engine(sys.argv[1])) as session:
    session.execute(text("UPDATE office SET phone = phone"))
    print("held", flush=True)
    time.sleep(1.0)
"""


def test_writers_of_two_processes_queue_on_the_file_lock(engine: Engine) -> None:
    """Another process holds the write lock for a second: this one's writer waits for it and
    then commits. Its connection's SQLite busy timeout is 0, so only the file lock beside the
    database (``tracking.db.WriterLock``) can have queued it; without it the write would fail
    at once, "database is locked"."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the file lock queues SQLite's writers")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, engine.url.render_as_string(hide_password=False)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with engine.connect() as connection:  # the pool's one connection, used again below
            connection.exec_driver_sql("PRAGMA busy_timeout=0")
        started = time.monotonic()
        with unit_of_work(engine) as session:
            make_application(session, now=NOW)
        waited = time.monotonic() - started
    finally:
        holder.communicate(timeout=60)
    assert holder.returncode == 0
    assert waited > 0.3
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM application")).scalar_one() == 1


def _signatures(engine: Engine, office_id: int) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """(what the database adds up, what the rows give) for the office's days."""
    with unit_of_work(engine, writes=False) as session:
        from_sql = tuple(
            session.execute(select(*calendars.office_days_signature(session, office_id))).one()
        )
        rows = session.exec(
            select(OfficeDay.id, OfficeDay.day, OfficeDay.open).where(
                OfficeDay.office_id == office_id
            )
        ).all()
        dialect = session.get_bind().dialect.name
    return from_sql, calendars._signature_of(rows, dialect)


def test_the_calendar_signature_follows_every_change_of_the_office_days(engine: Engine) -> None:
    with unit_of_work(engine, writes=False) as session:
        office_id = office_by_slug(session, "pathumwan").id
    assert office_id is not None
    seen = []
    days = [date(2031, 5, 6), date(2031, 5, 7)]
    for day, is_open in ((days[0], False), (days[1], True)):
        with unit_of_work(engine) as session:
            office_days.add_office_day(
                session, office_id, day, open=is_open, reason="ทดสอบ", now=NOW
            )
        seen.append(_signatures(engine, office_id))
    # The last day removed and another added: SQLite may give the new row the same id.
    with unit_of_work(engine) as session:
        office_days.remove_office_day(session, office_id, days[1], open=True)
    with unit_of_work(engine) as session:
        office_days.add_office_day(
            session, office_id, days[1] + timedelta(days=1), open=True, reason="ทดสอบ", now=NOW
        )
    seen.append(_signatures(engine, office_id))
    for from_sql, from_rows in seen:
        assert calendars._same(from_rows, from_sql)
    assert not calendars._same(seen[1][1], seen[2][1])
    assert not calendars._same(seen[0][1], seen[1][1])
