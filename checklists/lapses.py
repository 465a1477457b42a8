"""The deadline of a step where the applicant holds the file, and what happens when it passes.

Every step that is the applicant's turn (documents missing, plans to amend, defects to correct,
a fee or a fine to pay, an undertaking, an opinion the applicant brings) gives the applicant a
deadline, and names the transition the office fires once it has passed (its *lapse*: the file
is returned, refused, sent for decision or referred). The deadline is counted from the day the
file enters the step, in the unit the source gives; the s.8 record of deficiencies is the one
whose date the official writes in (``days: null``). A deadline may instead count from the day
the office's notice reached the applicant (``starts: notice_delivered``: signboard tax is paid
within 15 days of the assessment notice), or be a date of the tax year (``until: payment_by``:
land and buildings tax is paid within April). Where the facts file marks a period as an
estimate, ``confirmed: false``.

A transition may also have a *window* (``Window``): it may be fired only within so many days
of a start (an objection within 30 days of the assessment notice) or only once so many days
have passed (an objection not decided within 60 days is deemed accepted).

``checklists.schema`` hangs a ``StepDeadline`` on a step and a ``FineAmount`` on a transition,
and runs ``lapse_problems`` with its other cross-reference checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Self

from pydantic import Field, model_validator

from checklists.fields import DayUnit, Identifier, Strict, Text, TransitionKind, Turn
from checklists.taxes import TaxDate


class Start(StrEnum):
    """The day a deadline or a window counts from."""

    # The day the file entered the step (the deadline's own step, the window's source).
    entered = "entered"
    # The day the office's notice (the file's result notice) reached the applicant.
    notice_delivered = "notice_delivered"


class StepDeadline(Strict):
    """The applicant's deadline at a step, and the event that ends the step once it passed."""

    # None: the official sets the date in the record that opens the step (LFA s.8), or
    # the deadline is a date of the tax year (``until``).
    days: int | None = Field(default=None, ge=1, le=3650)
    unit: DayUnit = DayUnit.calendar
    starts: Start = Start.entered
    until: TaxDate | None = None
    source: Text
    confirmed: bool
    lapse: Identifier

    @model_validator(mode="after")
    def _days_or_date(self) -> Self:
        if self.until is not None and (self.days is not None or self.starts is not Start.entered):
            raise ValueError("a deadline on a date of the tax year counts no days")
        if self.days is None and self.starts is not Start.entered:
            raise ValueError("a deadline from the notice's delivery needs its days")
        return self


class Window(Strict):
    """When a transition may be fired: ``within`` days of its start (the last day counted)
    or only ``after`` that many days have passed, in calendar days from ``starts`` (the
    periods the tax acts give for objections and their decision)."""

    starts: Start
    within: int | None = Field(default=None, ge=1, le=3650)
    after: int | None = Field(default=None, ge=1, le=3650)
    legal_basis: str = Field(min_length=1)
    confirmed: bool

    @model_validator(mode="after")
    def _within_or_after(self) -> Self:
        if (self.within is None) == (self.after is None):
            raise ValueError("a window gives within or after, not both")
        return self


class FineAmount(Strict):
    """A transition that sets a sum in baht, recorded in its event (a settled fine)."""

    label: Text
    legal_basis: str
    at_most: int | None = Field(default=None, ge=1)
    confirmed: bool


def steps_without_deadline(permit: Any) -> list[str]:
    """The applicant's steps of ``permit`` (a ``checklists.schema.PermitType``) that give no
    deadline."""
    return [s.id for s in permit.steps if s.turn is Turn.applicant and s.deadline is None]


def lapse_problems(permit: Any) -> list[tuple[str, str]]:
    """A deadline is the applicant's, and its lapse leaves its step; a deadline set by the
    official is one the s.8 request opens. ``permit`` is a ``checklists.schema.PermitType``."""
    problems: list[tuple[str, str]] = []
    transitions: Sequence[Any] = permit.transitions
    for i, step in enumerate(permit.steps):
        where = f"steps.{i}.deadline"
        deadline: StepDeadline | None = step.deadline
        if deadline is None:
            continue
        if step.turn is not Turn.applicant:
            problems.append((where, "only the applicant's turn has a deadline"))
        leaving = [t for t in transitions if t.source == step.id and t.event == deadline.lapse]
        if not leaving:
            problems.append((f"{where}.lapse", f"no event {deadline.lapse!r} leaves {step.id!r}"))
        entering = {t.kind for t in transitions if t.target == step.id}
        if deadline.until is not None:
            if permit.tax_calendar is None:
                problems.append((f"{where}.until", "a date of the tax year needs a tax_calendar"))
        elif deadline.days is None and entering != {TransitionKind.deficiency_request}:
            problems.append((f"{where}.days", "only the s.8 record leaves the date open"))
    return problems
