"""What is true of a file for the citizen who holds its tracking code: the ``PublicStatus``
the lookup returns, and the errors a code that is mistyped or unknown gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from checklists.fields import Fee
from checklists.schema import Outcome, PermitType, Step, Text, Turn
from tracking import clock, codes
from tracking.delivery import AppealRight
from tracking.errors import DomainError, NotFound
from tracking.models import Office

# The outcomes that end a file with the office's decision on it; a returned or withdrawn
# file ends without one.
DECISION_OUTCOMES = frozenset(
    {Outcome.approved, Outcome.refused, Outcome.closed, Outcome.prosecuted}
)


class CodeMistyped(DomainError):
    """The text cannot be a tracking code: a character is wrong or missing."""

    status_code = 400
    code = "code_mistyped"


def parse_code(text: str) -> str:
    """The canonical code, or ``CodeMistyped`` with a message a citizen can act on."""
    try:
        return codes.parse(text)
    except codes.InvalidCode as exc:
        raise CodeMistyped(
            "รหัสติดตามไม่ถูกต้อง กรุณาตรวจสอบรหัสบนใบรับคำขออีกครั้ง (รหัสมี 10 ตัวอักษร เช่น K7MP2-Q9XR4)",
            "That tracking code is not valid; please check it against your receipt"
            " (10 characters, for example K7MP2-Q9XR4)",
            detail=str(exc),
        ) from None


def unknown_code() -> NotFound:
    return NotFound(
        "ไม่พบคำขอที่ใช้รหัสนี้ หากเพิ่งยื่นคำขอ กรุณาติดต่อสำนักงานเขต",
        "No application has this code. If you applied recently, please contact the office.",
    )


class DeadlineGap(StrEnum):
    """Why the applicant's deadline at a step that gives one is not known yet."""

    # The days count from the delivery of the office's notice, and none is recorded.
    notice_not_delivered = "notice_not_delivered"
    # The deadline is a date of the file's tax year, and no tax year is recorded.
    tax_year_missing = "tax_year_missing"
    # The official writes the date into the record that opens the step; none is on the file.
    not_recorded = "not_recorded"


@dataclass(frozen=True)
class TimelineEntry:
    step: Step
    entered_on: date | None
    completed_on: date | None
    current: bool
    upcoming: bool


@dataclass(frozen=True)
class Notice:
    number: str
    issued_on: date
    reason: Text


@dataclass(frozen=True)
class OutstandingItem:
    """A checklist item the applicant still has to supply: its id and catalogue label only."""

    id: str
    label: Text


@dataclass(frozen=True)
class PublicStatus:
    code: str
    permit: PermitType
    step: Step
    outcome: str | None
    submitted_on: date
    due_date: date
    decided_on: date | None
    today: date
    business_days_left: int | None
    business_days_overdue: int | None
    clock_paused_on: date | None
    days_at_step: int
    applicant_deadline: date | None
    outstanding: list[OutstandingItem]
    timeline: list[TimelineEntry]
    notices: list[Notice]
    notices_due: int
    ground: Text | None
    # The route the order names; its deadline runs from the recorded delivery.
    appeal: AppealRight | None
    office: Office
    department: Text
    updated_at: datetime
    result_notified_on: date | None = None
    # The rule that set the due date (tracking.periods.describe).
    due_rule: Text | None = None
    # Why the applicant's deadline is not known, at a step that gives one.
    deadline_gap: DeadlineGap | None = None
    # The permit type's fee, at a step where the applicant pays (``payment_step``).
    fee: Fee | None = None
    # The sum the office's decision set to pay there (a settled fine): its label, baht.
    sum_due: tuple[Text, int] | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # The application's version as read: how fresh the copy read was (``tracking.replica``).
    version: int = 0

    @property
    def applicants_turn(self) -> bool:
        return self.step.turn is Turn.applicant

    @property
    def missing(self) -> list[Text]:
        """The labels of what the applicant still has to supply."""
        return [item.label for item in self.outstanding]

    @property
    def payment_step(self) -> bool:
        return self.fee is not None

    @property
    def payment_due(self) -> date | None:
        return self.applicant_deadline if self.payment_step else None

    @property
    def overdue(self) -> bool:
        return self.business_days_overdue is not None and self.business_days_overdue > 0

    @property
    def undecided(self) -> bool:
        """Neither decided nor ended: the service clock still counts toward the due date."""
        return clock.undecided(self.decided_on, self.outcome)

    @property
    def decided(self) -> bool:
        """The office has decided the file: a decision is recorded, or the file ended at a
        final step whose outcome is a decision (not returned, not withdrawn)."""
        return self.decided_on is not None or (
            self.step.final and self.outcome in DECISION_OUTCOMES
        )

    @property
    def result(self) -> str | None:
        """What the office decided (an ``Outcome`` value), None while it has not: the final
        step's outcome or, for a decision recorded before the file reaches it, refused if a
        ground was cited and approved otherwise."""
        if not self.decided:
            return None
        return self.outcome or (Outcome.refused if self.ground else Outcome.approved).value
