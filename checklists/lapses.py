"""The deadline of a step where the applicant holds the file, and what happens when it passes.

Every step that is the applicant's turn (documents missing, plans to amend, defects to correct,
a fee or a fine to pay, an undertaking, an opinion the applicant brings) gives the applicant a
deadline, and names the transition the office fires once it has passed (its *lapse*: the file
is returned, refused, sent for decision or referred). The deadline is counted from the day the
file enters the step, in the unit the source gives; the s.8 record of deficiencies is the one
whose date the official writes in (``days: null``). Where the facts file marks a period as an
estimate, ``confirmed: false``.

``checklists.schema`` hangs a ``StepDeadline`` on a step and a ``FineAmount`` on a transition,
and runs ``lapse_problems`` with its other cross-reference checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from checklists.fields import DayUnit, Identifier, Strict, Text, TransitionKind, Turn


class StepDeadline(Strict):
    """The applicant's deadline at a step, and the event that ends the step once it passed."""

    # None: the official sets the date in the record that opens the step (LFA s.8).
    days: int | None = Field(ge=1, le=3650)
    unit: DayUnit = DayUnit.calendar
    source: Text
    confirmed: bool
    lapse: Identifier


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
        if deadline.days is None and entering != {TransitionKind.deficiency_request}:
            problems.append((f"{where}.days", "only the s.8 record leaves the date open"))
    return problems
