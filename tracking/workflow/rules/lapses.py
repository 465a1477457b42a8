"""The applicant's deadline at a step and its lapse: the deadline a step gives on entry (its
days from the day the file enters it, or, for the s.8 record, the date the official writes
in, or a date of the file's tax year), or once the office's notice reached the applicant; the
lapse refused until that deadline has passed; a transition's window (``checklists.lapses``)
kept; and the fine a settlement sets.

The deadline is stored on the row (``applicant_deadline``), so every event's facts carry it
and ``audit verify`` holds the row to it. A file that entered its step before steps had
deadlines has none stored: its deadline counts from the day it entered the step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from checklists.fields import DayUnit
from checklists.lapses import Start, Window
from checklists.references import legal_reference
from checklists.schema import PermitType, Step, TransitionKind
from tracking import delivery
from tracking.clock import BusinessCalendar, bangkok_date
from tracking.dates import written
from tracking.errors import DomainError, GuardFailed, InvalidInput
from tracking.workflow.rules.context import Context


def deadline_on_entry(
    permit: PermitType,
    step: Step,
    entered_on: date,
    given: date | None,
    calendar: BusinessCalendar,
    details: Mapping[str, Any] | None = None,
) -> date | None:
    """The applicant's deadline at ``step`` for a file entering it on ``entered_on``: its days
    counted in its unit, ``given`` where the official sets the date, the date of the file's tax
    year (``details``: its subject details) where the deadline is one; None without one, and
    None until the notice is delivered where the days count from its delivery."""
    deadline = step.deadline
    if deadline is None or deadline.starts is Start.notice_delivered:
        return None
    if deadline.until is not None:
        taxes = permit.tax_calendar
        year = (details or {}).get(taxes.year_field) if taxes is not None else None
        return taxes.date_of(deadline.until, int(year)) if taxes and year else None
    if deadline.days is None:
        return given
    business = deadline.unit is DayUnit.business
    return calendar.add_days(entered_on, deadline.days, business=business)


def deadline_on_delivery(
    permit: PermitType, state: str, notified: date, calendar: BusinessCalendar
) -> date | None:
    """The applicant's deadline at step ``state`` once the office's notice reached them on
    ``notified``, where the step's days count from that day (signboard tax: payment within 15
    days of the assessment notice); None for any other step."""
    deadline = permit.step(state).deadline
    if deadline is None or deadline.starts is not Start.notice_delivered or not deadline.days:
        return None
    business = deadline.unit is DayUnit.business
    return calendar.add_days(notified, deadline.days, business=business)


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
    details = getattr(application, "subject_details", None)
    return deadline_on_entry(permit, step, entered, None, calendar or BusinessCalendar(), details)


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
    when_th = written(deadline, "th") if deadline else "-"
    when_en = written(deadline, "en") if deadline else "-"
    return GuardFailed(
        f"“{rule.label.th}” ได้เมื่อพ้นกำหนดของผู้ยื่นคำขอ ({when_th}) แล้วเท่านั้น",
        f"“{rule.label.en}” is allowed only after the applicant's deadline ({when_en}) has passed",
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


def window_start(window: Window, application: Any, history: Sequence[Any]) -> date | None:
    """The day ``window`` counts from for ``application``: the day it entered its step, or the
    day the office's notice reached the applicant (None while that is not recorded)."""
    if window.starts is Start.entered:
        return bangkok_date(application.state_entered_at)
    found = delivery.deliveries(history)
    return found[-1].notified_on if found else None


def window_end(window: Window, start: date) -> date:
    """The last day inside ``window`` (``within``), or the last day before it opens
    (``after``), for a window that starts on ``start`` (calendar days, the start not
    counted)."""
    return start + timedelta(days=window.within or window.after or 0)


def within_window(ctx: Context) -> DomainError | None:
    """A transition with a window only inside it: within its days of its start (the last day
    counted; an objection within 30 days of the assessment notice), or once its days have
    passed (an objection not decided within 60 days is deemed accepted)."""
    window = ctx.rule.window
    if window is None:
        return None
    label = ctx.rule.label
    law_th = legal_reference(window.legal_basis, "th")
    start = window_start(window, ctx.application, ctx.history)
    if start is None:
        return GuardFailed(
            f"“{label.th}” ต้องบันทึกวันที่ผู้ยื่นได้รับหนังสือแจ้งก่อน ({law_th})",
            f"“{label.en}” needs the day the notice reached the applicant recorded first"
            f" ({window.legal_basis})",
        )
    end = window_end(window, start)
    if window.within is not None and ctx.today > end:
        return GuardFailed(
            f"“{label.th}” ได้ภายใน {window.within} วัน ถึง{written(end, 'th')} เท่านั้น ({law_th})",
            f"“{label.en}” is allowed only within {window.within} days, until"
            f" {written(end, 'en')} ({window.legal_basis})",
            deadline=end.isoformat(),
        )
    if window.after is not None and ctx.today <= end:
        return GuardFailed(
            f"“{label.th}” ได้เมื่อพ้น {window.after} วัน คือตั้งแต่วันถัดจาก{written(end, 'th')} ({law_th})",
            f"“{label.en}” is allowed only once {window.after} days have passed, after"
            f" {written(end, 'en')} ({window.legal_basis})",
            deadline=end.isoformat(),
        )
    return None
