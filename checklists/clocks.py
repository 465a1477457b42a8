"""The clocks of a permit type: the citizens' manual period (``service_time``) and the period
the law sets (``statutory_limit``), each in its own unit, with what starts it, what pauses it,
what extends it and what restarts it. ``tracking.periods`` computes the due date from them:
the earliest end that applies.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from checklists.fields import DayUnit, Duration, Identifier, Strict


class ClockStart(StrEnum):
    """What starts a clock."""

    # The application received complete (Licensing Facilitation Act s.8 check passed or the
    # documents it asked for supplied); the file's receipt day.
    complete_application = "complete_application"
    # Plans amended as the official ordered (Building Control Act s.27).
    amended_plans = "amended_plans"


class ClockPause(StrEnum):
    """What stops a clock until the file comes back to the office."""

    applicant_turn = "applicant_turn"


class FirstDay(StrEnum):
    """Which day is day one of a period."""

    # The day after the start: a file received on 1 April with 30 days is due on 1 May.
    day_after_start = "day_after_start"


class Counting(Strict):
    """How the days of a clock are counted, and on what reading."""

    first_day: FirstDay
    basis: str = Field(min_length=1)
    confirmed: bool


class Extensions(Strict):
    """How often and by how much the office may extend a period, each time by written notice
    to the applicant before the period ends."""

    times: int = Field(ge=1, le=9)
    days: int = Field(ge=1, le=3650)
    legal_basis: str = Field(min_length=1)
    confirmed: bool


class Restart(Strict):
    """A new period that starts when the file leaves ``step`` (the applicant's turn) back to
    the office: the permit within ``days`` once the plans are amended as ordered."""

    starts: ClockStart
    step: Identifier
    days: int = Field(ge=1, le=3650)
    unit: DayUnit
    legal_basis: str = Field(min_length=1)
    confirmed: bool


class Clock(Duration):
    """One period, its unit, its start, its pauses, its extensions and its restart."""

    starts: ClockStart
    counted: Counting
    legal_basis: str | None = None
    pauses: list[ClockPause] = Field(default_factory=list)
    extensions: Extensions | None = None
    restart: Restart | None = None


def clock_problems(
    service_time: Clock, statutory_limit: Clock | None, steps: dict[str, str]
) -> list[tuple[str, str]]:
    """How a type's clocks fail to fit its steps (``steps``: each step's turn).

    Both clocks of a type count in one unit, start together and pause together: the earlier
    of their ends then stays the earlier one however long the applicant holds the file, so a
    file keeps one due date that moves as they both do."""
    problems: list[tuple[str, str]] = []
    clocks = {"service_time": service_time, "statutory_limit": statutory_limit}
    for name, found in clocks.items():
        if found is None:
            continue
        if found.restart is not None:
            step = steps.get(found.restart.step)
            if step is None:
                problems.append((f"{name}.restart.step", f"unknown step {found.restart.step!r}"))
            elif step != "applicant":
                problems.append((f"{name}.restart.step", "a restart follows an applicant's step"))
        if name == "service_time" and (found.extensions or found.restart):
            problems.append((name, "extensions and restarts are the law's: statutory_limit"))
    if statutory_limit is not None:
        if statutory_limit.unit is not service_time.unit:
            problems.append(("statutory_limit.unit", "the two clocks must count in one unit"))
        if statutory_limit.starts is not service_time.starts:
            problems.append(("statutory_limit.starts", "the two clocks must start together"))
        if statutory_limit.pauses != service_time.pauses:
            problems.append(("statutory_limit.pauses", "the two clocks must pause together"))
    return problems
