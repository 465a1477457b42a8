"""The applicant's deadline at a step and its lapse: the deadline a step gives on entry (its
days from the day the file enters it, or, for the s.8 record, the date the official writes
in), the lapse refused until that deadline has passed, and the fine a settlement sets.

The deadline is stored on the row (``applicant_deadline``), so every event's facts carry it
and ``audit verify`` holds the row to it. A file that entered its step before steps had
deadlines has none stored: its deadline counts from the day it entered the step.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from checklists.fields import DayUnit
from checklists.schema import PermitType, Step, TransitionKind
from tracking.clock import BusinessCalendar, bangkok_date
from tracking.errors import DomainError, GuardFailed, InvalidInput
from tracking.workflow.rules.context import Context


def deadline_on_entry(
    step: Step, entered_on: date, given: date | None, calendar: BusinessCalendar
) -> date | None:
    """The applicant's deadline at ``step`` for a file entering it on ``entered_on``: its days
    counted in its unit, or ``given`` where the official sets the date; None without one."""
    deadline = step.deadline
    if deadline is None:
        return None
    if deadline.days is None:
        return given
    business = deadline.unit is DayUnit.business
    return calendar.add_days(entered_on, deadline.days, business=business)


def current_deadline(
    permit: PermitType, application: Any, calendar: BusinessCalendar | None = None
) -> date | None:
    """The applicant's deadline at the file's step: the one stored, or (a file that entered
    the step before it had one) counted from the day it entered the step. ``application``:
    an ``Application`` or a row with its ``state``, ``applicant_deadline`` and
    ``state_entered_at``."""
    step = permit.step(application.state)
    if step.deadline is None:
        return None
    stored: date | None = application.applicant_deadline
    if stored is not None:
        return stored
    entered = bangkok_date(application.state_entered_at)
    return deadline_on_entry(step, entered, None, calendar or BusinessCalendar())


def lapse_of(permit: PermitType, step_id: str) -> str | None:
    """The event that ends ``step_id`` once its deadline has passed, if it has one."""
    deadline = permit.step(step_id).deadline
    return deadline.lapse if deadline else None


def lapse_after_deadline(ctx: Context) -> DomainError | None:
    """A lapse (the file returned, refused, withdrawn, referred or sent on because the
    applicant did not act) only once the applicant's deadline has passed. (The s.8 return
    has its own rule, ``return_after_deadline``.)"""
    rule = ctx.rule
    if lapse_of(ctx.permit, rule.source) != rule.event or rule.kind is TransitionKind.return_:
        return None
    deadline = current_deadline(ctx.permit, ctx.application)
    if deadline is not None and ctx.today > deadline:
        return None
    when = deadline.isoformat() if deadline else "-"
    return GuardFailed(
        f"“{rule.label.th}” ได้เมื่อพ้นกำหนดของผู้ยื่นคำขอ ({when}) แล้วเท่านั้น",
        f"“{rule.label.en}” is allowed only after the applicant's deadline ({when}) has passed",
        deadline=deadline.isoformat() if deadline else None,
    )


def fine_given(ctx: Context) -> DomainError | None:
    """A transition that settles a fine records its amount: a whole number of baht, more than
    nothing and within the maximum the law sets, if the type gives one."""
    fine = ctx.rule.fine
    if fine is None:
        return None
    amount = ctx.fine_baht
    if amount is not None and amount > 0 and (fine.at_most is None or amount <= fine.at_most):
        return None
    most = f" ไม่เกิน {fine.at_most:,} บาท" if fine.at_most else ""
    most_en = f" of at most {fine.at_most:,} baht" if fine.at_most else ""
    return InvalidInput(
        f"“{ctx.rule.label.th}” ต้องระบุ{fine.label.th} (fine_baht) เป็นจำนวนบาทมากกว่าศูนย์{most}",
        f"{ctx.rule.label.en} needs the {fine.label.en.lower()} (fine_baht), a number of baht"
        f" above zero{most_en}",
        field="fine_baht",
    )
