"""``tidtam calendar``: the office's calendar for clerks. Which days the office works
(``day``), when a file received on a day is due (``due``), and the office's own closures and
extra working days (``closure``, ``opening``).

Each command only translates: the rules are in ``tracking.clock`` and the changes in
``tracking.workflow.office_days``. Bad input ends the command with one line and exit 2.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from checklists.loader import default_catalogue
from checklists.schema import PermitType
from tracking import calendars, clock, migrate, periods
from tracking.config import KeyProblem, Settings
from tracking.db import make_engine, unit_of_work
from tracking.errors import DomainError
from tracking.models import OfficeDay, utcnow
from tracking.offices import office_by_slug
from tracking.workflow import office_days
from tracking.workflow.intake import visible_text

calendar_app = typer.Typer(no_args_is_help=True, help="The office's calendar: working days.")
closure_app = typer.Typer(no_args_is_help=True, help="Days the office is closed.")
opening_app = typer.Typer(no_args_is_help=True, help="Extra working days of the office.")
calendar_app.add_typer(closure_app, name="closure")
calendar_app.add_typer(opening_app, name="opening")

out = Console(highlight=False)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DateText = Annotated[str, typer.Argument(metavar="YYYY-MM-DD", help="The day (Gregorian).")]
ReasonText = Annotated[str, typer.Option(help="Why, as the office announced it.")]


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


def _day(text: str, name: str = "DATE") -> date:
    """The date in ``text`` (YYYY-MM-DD) that the office works with; else exit 2."""
    try:
        if not ISO_DATE.fullmatch(text.strip()):
            raise ValueError(text)
        day = date.fromisoformat(text.strip())
        clock.supported_day(day, name)
    except ValueError as exc:
        raise _fail(f"{name} must be a date as YYYY-MM-DD, not {text!r}") from exc
    except DomainError as exc:
        raise _fail(f"{name}: {exc.en} / {exc.th}") from exc
    return day


def _both(day: date) -> str:
    return f"{day.isoformat()} ({clock.thai_date(day)})"


@contextmanager
def _office() -> Iterator[tuple[Session, int]]:
    """A session at the office this deployment serves (``TIDTAM_OFFICE``), committed at the
    end; a domain error, a missing audit key or a concurrent change ends the command with one
    line and exit 2."""
    engine = make_engine(Settings().database_url)
    try:
        migrate.upgrade(engine)
        with unit_of_work(engine) as session:
            office = office_by_slug(session, Settings().office)
            assert office.id is not None
            yield session, office.id
    except DomainError as exc:
        raise _fail(f"{exc.en} / {exc.th}") from exc
    except KeyProblem as exc:
        raise _fail(str(exc)) from exc
    except IntegrityError as exc:  # the same day configured at the same moment elsewhere
        raise _fail("the calendar changed at the same time; list it and try again") from exc
    finally:
        engine.dispose()


@calendar_app.command("day")
def day_command(day: DateText) -> None:
    """Print `open` or `closed` for the day, then why, in Thai and English."""
    when = _day(day)
    with _office() as (session, office_id):
        status = clock.explain_day(calendars.office_calendar(session, office_id), when)
    typer.echo(f"{'open' if status.open else 'closed'}: {_both(when)}")
    for th, en in status.reasons:
        typer.echo(f"  {th} / {en}")
    _unchecked(when)


def _unchecked(day: date) -> None:
    if day.year > clock.CALENDAR_CHECKED_THROUGH:
        typer.echo(
            f"  note: the calendar of {day.year} has not been checked against the Cabinet's"
            f" announcements / ยังไม่ได้ตรวจสอบวันหยุดปี {day.year + 543} กับประกาศคณะรัฐมนตรี"
        )


@calendar_app.command("due")
def due_command(
    slug: Annotated[str, typer.Argument(help="Permit type, e.g. food-premises.")],
    received: Annotated[str, typer.Option(metavar="YYYY-MM-DD", help="The day received.")],
) -> None:
    """Print the due date of a file received on a day, its days, and the rule that set it."""
    permit = default_catalogue().types.get(slug)
    if permit is None:
        known = ", ".join(sorted(default_catalogue().types))
        raise _fail(f"no permit type {slug!r}; the types are: {known}")
    start = _day(received, "--received")
    with _office() as (session, office_id):
        period = periods.period_at_office(session, office_id, permit, start)
    for line in _due_lines(permit, start, period):
        typer.echo(line)
    _unchecked(period.due)


def _due_lines(permit: PermitType, received: date, period: periods.Period) -> list[str]:
    unit = "business days" if period.business else "calendar days"
    th, en = periods.describe(permit, period.rule)
    lines = [
        f"due: {_both(period.due)}",
        f"days: {period.days} {unit} after {_both(received)}, by the office's calendar",
        f"rule: {en} / {th}",
    ]
    for name, found in periods.clocks(permit):
        note = found.note
        lines.append(
            f"  {name}: {found.days} {found.unit.value} days"
            + ("" if found.confirmed else " (an estimate, not yet confirmed)")
            + (" (sets the due date)" if name == period.rule else "")
        )
        if note:
            lines += [f"    {note.th}", f"    {note.en}"]
    laws = [
        (law.act.en or law.act.th)
        + ("" if law.sections == ["all"] else f" s.{', '.join(law.sections)}")
        for law in permit.legal_basis
    ]
    return [*lines, f"legal basis: {'; '.join(laws)}"]


def _add(day: str, reason: str, *, open_day: bool) -> list[office_days.DueDateMoved]:
    when = _day(day)
    with _office() as (session, office_id):
        moved = office_days.add_office_day(
            session, office_id, when, open=open_day, reason=visible_text(reason), now=utcnow()
        )
    typer.echo(f"{'opened' if open_day else 'closed'} {_both(when)}: {visible_text(reason)}")
    return moved


def _remove(day: str, *, open_day: bool) -> None:
    when = _day(day)
    with _office() as (session, office_id):
        removed = office_days.remove_office_day(session, office_id, when, open=open_day)
    typer.echo(f"removed {_both(when)}: {removed.note}")


def _list(year: int | None, *, open_day: bool, title: str) -> None:
    if year is not None and not clock.FIRST_DAY.year <= year <= clock.LAST_DAY.year:
        raise _fail(f"--year must be from {clock.FIRST_DAY.year} to {clock.LAST_DAY.year}")
    with _office() as (session, office_id):
        query = select(OfficeDay).where(
            OfficeDay.office_id == office_id, OfficeDay.open == open_day
        )
        if year is not None:
            query = query.where(
                col(OfficeDay.day) >= date(year, 1, 1), col(OfficeDay.day) <= date(year, 12, 31)
            )
        rows = session.exec(query.order_by(col(OfficeDay.day))).all()
    if not rows:
        typer.echo(f"{title}: none")
        return
    table = Table(title=title)
    for header in ("date", "วันที่ (พ.ศ.)", "reason / เหตุผล"):
        table.add_column(header)
    for row in rows:
        table.add_row(row.day.isoformat(), clock.thai_date(row.day), Text(row.note))
    out.print(table)


@closure_app.command("add")
def closure_add(day: DateText, reason: ReasonText) -> None:
    """Close the office on a day beyond the national holidays.

    A Cabinet bridge day the package lacks, a BMA closure, an emergency.
    Open files whose period takes in the day get a due date one business
    day later, each recorded in its trail.
    """
    moved = _add(day, reason, open_day=False)
    typer.echo(f"moved the due dates of {len(moved)} open files")
    for move in moved:
        code = move.application.tracking_code
        typer.echo(f"  {code}: {move.before.isoformat()} -> {move.after.isoformat()}")


@closure_app.command("remove")
def closure_remove(day: DateText) -> None:
    """Remove an office closure.

    Due dates it moved do not move back."""
    _remove(day, open_day=False)


@closure_app.command("list")
def closure_list(
    year: Annotated[int | None, typer.Option(help="Only this year (Gregorian).")] = None,
) -> None:
    """The office's closures, with their Buddhist Era and ISO dates and reasons."""
    _list(year, open_day=False, title="Office closures / วันปิดทำการของสำนักงาน")


@opening_app.command("add")
def opening_add(day: DateText, reason: ReasonText) -> None:
    """Open the office on a day it would be closed (a weekend, a holiday).

    Due dates already set do not move."""
    _add(day, reason, open_day=True)


@opening_app.command("remove")
def opening_remove(day: DateText) -> None:
    """Remove an extra working day.

    Due dates already set do not move."""
    _remove(day, open_day=True)


@opening_app.command("list")
def opening_list(
    year: Annotated[int | None, typer.Option(help="Only this year (Gregorian).")] = None,
) -> None:
    """The office's extra working days, with their Buddhist Era and ISO dates and reasons."""
    _list(year, open_day=True, title="Extra working days / วันทำการเพิ่มเติม")
