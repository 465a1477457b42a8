"""The office's clock: business days, due dates, the stopped clock, overdue, and the two
7-day periods the Licensing Facilitation Act sets.

A business day is Monday to Friday, not a Thai public or government holiday (the ``holidays``
package, which includes substitution days and Cabinet bridge days) and not a day the office
has configured as closed. The office may also configure a day as open, which wins over
everything else. National Labour Day is left out: the package lists it, but it is observed by
the financial and private sectors, and district offices stay open (its substitute day too).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, NamedTuple

import holidays
from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import col

from checklists.schema import DECISIONS, DayUnit, PermitType, Step, TransitionKind, Turn
from tracking.errors import InvalidInput
from tracking.models import Application

CATEGORIES = ("public", "government")
THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# s.10: while a file is overdue, a written delay letter is due every 7 days (or part of them).
DELAY_LETTER_DAYS = 7
# s.10 too, a different duty: the result is notified within 7 days of the decision.
RESULT_NOTICE_DAYS = 7
# Holidays in the package that district offices do not observe, by their English names; their
# substitution days go with them.
NOT_OBSERVED_BY_OFFICES = frozenset({"National Labor Day"})
# The last year whose calendar was checked against the Cabinet's announcements (the package is
# sure only of years it saw announced). Raise it only after checking each new year's: add what
# the package lacks with `tidtam calendar closure add`, or pin a `holidays` release that has it.
CALENDAR_CHECKED_THROUGH = 2027
# Thailand keeps UTC+7 all year.
BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")
Names = tuple[str, str]  # (Thai, English)


def bangkok_date(moment: datetime) -> date:
    """The calendar date in Bangkok at ``moment`` (timezone-aware)."""
    return moment.astimezone(BANGKOK).date()


@lru_cache(maxsize=64)
def _holidays(year: int) -> tuple[dict[date, Names], dict[date, Names]]:
    """(the holidays a government office closes on, those it stays open on) in ``year``, by
    day, with their names. A substitution day bears its holiday's name in the package's label
    ("%s (in lieu)", "ชดเชย%s"), so it is observed exactly when its holiday is."""
    english = holidays.country_holidays("TH", years=year, categories=CATEGORIES, language="en_US")
    thai = holidays.country_holidays("TH", years=year, categories=CATEGORIES, language="th")
    in_lieu = english.tr(english.observed_label)
    skipped = NOT_OBSERVED_BY_OFFICES | {in_lieu % name for name in NOT_OBSERVED_BY_OFFICES}
    closed: dict[date, Names] = {}
    kept_open: dict[date, Names] = {}
    for day in english:
        names, local = english.get_list(day), thai.get_list(day)  # in Thai, in the same order
        for th, en in zip(local if len(local) == len(names) else names, names, strict=True):
            found = kept_open if en in skipped else closed
            before = found.get(day)
            found[day] = (f"{before[0]}; {th}", f"{before[1]}; {en}") if before else (th, en)
    return closed, kept_open


def holidays_of(year: int) -> dict[date, Names]:
    """Days a government office closes in ``year``, with their Thai and English names."""
    return _holidays(year)[0]


class BusinessCalendar:
    """Business days, given the office's own closures and extra opening days (``notes``: the
    reasons the office gave for them, by day)."""

    def __init__(self, closures: Iterable[date] = (), openings: Iterable[date] = ()) -> None:
        self.closures = frozenset(closures)
        self.openings = frozenset(openings)
        self.notes: dict[date, str] = {}

    def is_business_day(self, day: date) -> bool:
        if day in self.openings:
            return True
        if day.weekday() >= 5 or day in self.closures:
            return False
        return day not in holidays_of(day.year)

    def closed_also_on(self, day: date) -> BusinessCalendar:
        """This calendar with one more office closure."""
        return BusinessCalendar(self.closures | {day}, self.openings)

    def add_business_days(self, start: date, days: int) -> date:
        """The ``days``-th business day after ``start`` (``start`` itself is not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        while days:
            day += timedelta(days=1)
            if self.is_business_day(day):
                days -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days ``d`` with ``start < d <= end``; negative when ``end`` is earlier."""
        if end < start:
            return -self.business_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            count += self.is_business_day(day)
        return count

    def add_days(self, start: date, days: int, *, business: bool) -> date:
        return self.add_business_days(start, days) if business else start + timedelta(days=days)

    def days_between(self, start: date, end: date, *, business: bool) -> int:
        return self.business_days_between(start, end) if business else (end - start).days


def calendar_of(days: Iterable[tuple[date, bool]]) -> BusinessCalendar:
    """A calendar from the office's (day, open) rows."""
    rows = list(days)
    return BusinessCalendar(
        closures=[day for day, is_open in rows if not is_open],
        openings=[day for day, is_open in rows if is_open],
    )


def business(permit: PermitType) -> bool:
    """Whether the permit type's clocks count business days (else calendar days; the
    catalogue check holds both clocks of a type to one unit). Due dates: ``tracking.periods``."""
    return permit.service_time.unit is DayUnit.business


# --- Why the office is open or closed on a day -----------------------------------------------

WEEKEND: tuple[Names, Names] = (("วันเสาร์", "Saturday"), ("วันอาทิตย์", "Sunday"))


class DayAtOffice(NamedTuple):
    """Whether the office works on a day, and why (each reason in Thai and English)."""

    open: bool
    reasons: tuple[Names, ...]


def explain_day(calendar: BusinessCalendar, day: date) -> DayAtOffice:
    """``day`` by the rule of ``BusinessCalendar.is_business_day``: an extra working day wins;
    else each of a weekend, an office closure and a holiday (by its names) closes it."""
    note = calendar.notes.get(day, "")
    closed: list[Names] = [WEEKEND[day.weekday() - 5]] if day.weekday() >= 5 else []
    if day in calendar.closures:
        closed.append((f"สำนักงานปิดทำการ: {note}", f"office closure: {note}"))
    if day in holidays_of(day.year):
        closed.append(holidays_of(day.year)[day])
    if day in calendar.openings:
        extra = (f"วันทำการเพิ่มเติมของสำนักงาน: {note}", f"extra working day: {note}")
        usual = [(f"(แทน{th})", f"(instead of: {en})") for th, en in closed]
        return DayAtOffice(True, (extra, *usual))
    if closed:
        return DayAtOffice(False, tuple(closed))
    unobserved = _holidays(day.year)[1].get(day)
    if unobserved is not None:
        th, en = unobserved
        reason = (f"{th}: สำนักงานเขตเปิดทำการ", f"{en}: district offices stay open")
        return DayAtOffice(True, (reason,))
    return DayAtOffice(True, (("วันทำการ", "working day"),))


# --- Overdue: one definition, in Python and in SQL ------------------------------------------


def late(due_date: date, clock_paused_on: date | None, today: date) -> bool:
    """Past the due date, judged on the day the clock stopped if it has."""
    return due_date < (clock_paused_on or today)


def undecided(decided_on: date | None, outcome: str | None) -> bool:
    return decided_on is None and outcome is None


def is_overdue(application: Any, today: date) -> bool:
    """An undecided file past its due date (``application``: any object with the columns)."""
    return undecided(application.decided_on, application.outcome) and late(
        application.due_date, application.clock_paused_on, today
    )


def standing(
    calendar: BusinessCalendar,
    permit: PermitType,
    due_date: date,
    clock_paused_on: date | None,
    today: date,
) -> tuple[int | None, int | None]:
    """(days left, days overdue) of an undecided file, in the type's unit, counted to the day
    the clock stopped if it has. A file is overdue as soon as its due date has passed
    (``late``), so it is at least one day overdue even when no working day has yet passed."""
    days = calendar.days_between(clock_paused_on or today, due_date, business=business(permit))
    if late(due_date, clock_paused_on, today):
        return None, max(1, -days)
    return days, None


def can_run_late(due_date: date, clock_paused_on: date | None) -> bool:
    """An undecided file that is or may become overdue: its clock runs, or it stopped only
    after the due date had passed (stopped in time, it is not overdue while the applicant
    holds it)."""
    return clock_paused_on is None or late(due_date, clock_paused_on, clock_paused_on)


def undecided_clause() -> ColumnElement[bool]:
    return and_(col(Application.decided_on).is_(None), col(Application.outcome).is_(None))


def overdue_clause(today: date) -> ColumnElement[bool]:
    """SQL of ``is_overdue``."""
    return and_(
        undecided_clause(),
        col(Application.due_date) < func.coalesce(col(Application.clock_paused_on), today),
    )


def can_run_late_clause() -> ColumnElement[bool]:
    """SQL of ``can_run_late``."""
    paused = col(Application.clock_paused_on)
    return or_(paused.is_(None), col(Application.due_date) < paused)


# --- The two 7-day periods -------------------------------------------------------------------


def letters_due(due_date: date, today: date) -> int:
    """s.10 delay letters due by ``today``: one per 7 days (or part) past the due date, which
    is also the number of the current 7-day period (0: not overdue)."""
    return letters_due_after((today - due_date).days)


def letters_due_after(days_late: int) -> int:
    return 0 if days_late <= 0 else (days_late - 1) // DELAY_LETTER_DAYS + 1


def letters_due_sql(days_late: Any) -> Any:
    """SQL of ``letters_due_after`` for a positive number of days late."""
    return (days_late - 1) / DELAY_LETTER_DAYS + 1


def notified_in_time(decided_on: date, notified_on: date) -> bool:
    """The result notice went out within the 7 days after the decision."""
    return (notified_on - decided_on).days <= RESULT_NOTICE_DAYS


def last_day_to_notify(decided_on: date) -> date:
    return decided_on + timedelta(days=RESULT_NOTICE_DAYS)


# --- The clock on a transition -------------------------------------------------------------


def advance(
    application: Application,
    calendar: BusinessCalendar,
    permit: PermitType,
    target: Step,
    kind: TransitionKind,
    now: datetime,
    period: int | None = None,
) -> int:
    """Move the clock, whose turn it is and the outcome to match ``target``, the step the
    file just entered; return the days the file spent at the step it left. ``period``: the
    days of the period the due date ends (``tracking.periods.period_days`` and the days of
    any extension; the service time when not given).

    The clock stops when the file passes to the applicant and, when it comes back, the due
    date moves on by the days the applicant held it."""
    today = bangkok_date(now)
    counted = business(permit)
    step_days = max(
        0,
        calendar.days_between(bangkok_date(application.state_entered_at), today, business=counted),
    )
    open_file = application.decided_on is None
    if target.turn is Turn.applicant and application.turn == Turn.authority and open_file:
        application.clock_paused_on = today
    elif application.clock_paused_on is not None and target.turn is not Turn.applicant:
        held = calendar.days_between(application.clock_paused_on, today, business=counted)
        if open_file and held > 0:
            application.due_date = calendar.add_days(application.due_date, held, business=counted)
        application.clock_paused_on = None
    if kind in DECISIONS:
        application.decided_on = today
        # Days used of the service time: the due date already carries the stopped clock.
        left = calendar.days_between(today, application.due_date, business=counted)
        days = permit.service_time.days if period is None else period
        application.days_to_decision = max(0, days - left)
    if target.final:
        application.outcome = target.outcome.value if target.outcome else None
    application.turn = target.turn.value
    application.state_entered_at = now
    application.updated_at = now
    return step_days


# --- The dates the office works with ---------------------------------------------------------

FIRST_DAY = date(1957, 1, 1)
LAST_DAY = date(2600, 12, 31)


def thai_date(day: date) -> str:
    """``day`` with its Buddhist Era year: "13 เมษายน 2569"."""
    return f"{day.day} {THAI_MONTHS[day.month - 1]} {day.year + 543}"


def english_date(day: date) -> str:
    """``day`` with its Gregorian year: "13 April 2026"."""
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def supported_day(day: date | None, field: str) -> date | None:
    """``day`` if the office works with it (``FIRST_DAY`` to ``LAST_DAY``, BE 2500 to 3143:
    a filter's dates, a deadline); else ``InvalidInput`` naming ``field``."""
    if day is None or FIRST_DAY <= day <= LAST_DAY:
        return day
    raise InvalidInput(
        f"วันที่ต้องอยู่ระหว่าง {thai_date(FIRST_DAY)} ถึง {thai_date(LAST_DAY)}",
        f"The date must be from {english_date(FIRST_DAY)} to {english_date(LAST_DAY)}",
        field=field,
    )
