"""Tables. Every status change is made by a permit type's machine (``tracking.workflow``); nothing
else writes ``state``.

Times are timezone-aware and stored as UTC; dates that count toward deadlines (``submitted_on``,
``due_date``, ...) are Bangkok calendar dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Office(SQLModel, table=True):
    """A district office. All fifty Bangkok districts can share one database."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    bma_code: str = Field(max_length=8)
    name_th: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    address_th: str = Field(default="", max_length=500)
    address_en: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=64)
    hours_th: str = Field(default="", max_length=200)
    hours_en: str = Field(default="", max_length=200)
    # Where citizens complain (anti-corruption) and give feedback; shown on every public page.
    complaint_th: str = Field(default="", max_length=500)
    complaint_en: str = Field(default="", max_length=500)
    complaint_url: str = Field(default="", max_length=500)
    feedback_url: str = Field(default="", max_length=500)
    # From the office's file (``checklists.offices``): per permit type slug, whether the office
    # offers it and its own service time; and the facts above not yet checked with the office.
    permit_settings: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    unconfirmed: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


class OfficeDay(SQLModel, table=True):
    """A date the office configures as closed (beyond national holidays) or as open."""

    __table_args__ = (UniqueConstraint("office_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    day: date
    open: bool = False
    note: str = Field(default="", max_length=200)


class ChecklistStatus(StrEnum):
    pending = "pending"
    received = "received"
    verified = "verified"
    missing = "missing"
    waived = "waived"


SATISFIED = frozenset({ChecklistStatus.verified, ChecklistStatus.waived})
# What the applicant has handed in (received, checked, or excused): not to be supplied again.
HANDED_IN = frozenset({ChecklistStatus.received, *SATISFIED})


class Application(SQLModel, table=True):
    __table_args__ = (
        Index("ix_application_queue", "office_id", "permit_type", "state", "submitted_at"),
        # Decided files only: a search for open ones (decided_on IS NULL) takes the index below.
        Index(
            "ix_application_decided_on",
            "decided_on",
            sqlite_where=text("decided_on IS NOT NULL"),
            postgresql_where=text("decided_on IS NOT NULL"),
        ),
        # Files closed without a decision (withdrawn, returned), by when: the monthly report
        # asks which were still open at a month's end.
        Index(
            "ix_application_closed_undecided",
            "state_entered_at",
            sqlite_where=text("decided_on IS NULL AND outcome IS NOT NULL"),
            postgresql_where=text("decided_on IS NULL AND outcome IS NOT NULL"),
        ),
        # Open files by due date, oldest first (tracking.reads.compliance lists the overdue ones).
        Index(
            "ix_application_open_due",
            "due_date",
            "clock_paused_on",
            "department",
            "permit_type",
            "delay_notices_sent",
            sqlite_where=text("decided_on IS NULL AND outcome IS NULL"),
            postgresql_where=text("decided_on IS NULL AND outcome IS NULL"),
        ),
        # Open files by who holds them: the queue's "mine" and the caseload figures.
        Index(
            "ix_application_open_assignee",
            "office_id",
            "assignee",
            sqlite_where=text("outcome IS NULL"),
            postgresql_where=text("outcome IS NULL"),
        ),
        CheckConstraint("version >= 1", name="ck_application_version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    permit_type: str = Field(max_length=64, index=True)
    permit_type_version: int
    catalogue_version: str = Field(max_length=32)
    department: str = Field(max_length=64, index=True)
    state: str = Field(max_length=48, index=True)
    turn: str = Field(max_length=16)
    tracking_code: str = Field(max_length=16, unique=True)

    applicant_name: str = Field(max_length=200)
    applicant_id_number: str = Field(max_length=32, index=True)
    applicant_phone: str = Field(default="", max_length=32)
    applicant_email: str = Field(default="", max_length=254)
    subject_address: str = Field(max_length=500)
    subject_description: str = Field(default="", max_length=2000)
    subject_details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))

    submitted_at: datetime
    submitted_on: date = Field(index=True)
    due_date: date = Field(index=True)
    clock_paused_on: date | None = None
    applicant_deadline: date | None = None
    state_entered_at: datetime
    decided_on: date | None = None
    outcome: str | None = Field(default=None, max_length=16)
    updated_at: datetime
    # The staff member (username) who works the file now: set at intake, moved only by an
    # ``assignment`` event (tracking.workflow.assignment); None while nobody holds it.
    assignee: str | None = Field(default=None, max_length=64)

    # Days the decision took, in the type's unit, clock stopped on the applicant's turn:
    # written once at the decision so compliance figures are plain aggregates.
    days_to_decision: int | None = None
    trail_head: str = Field(default="", max_length=64)
    event_count: int = 0
    # s.10 delay notices issued so far (tracking.notices keeps it), for the overdue figures.
    delay_notices_sent: int = 0
    # Bumped by compare-and-set on every change (tracking.workflow.transitions); a stale copy loses.
    version: int = 1


class ChecklistEntry(SQLModel, table=True):
    __tablename__ = "checklist_entry"
    __table_args__ = (UniqueConstraint("application_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    item_id: str = Field(max_length=48)
    step: str = Field(max_length=48)
    required: bool
    status: str = Field(default=ChecklistStatus.pending, max_length=16)
    note: str = Field(default="", max_length=1000)
    updated_by: str | None = Field(default=None, max_length=64)
    updated_at: datetime | None = None


class EventKind(StrEnum):
    intake = "intake"
    transition = "transition"
    checklist = "checklist"
    # A change the office's calendar made to the file's clock (a closure moved its due date):
    # no change of step, so source and target are both the file's step.
    clock = "clock"
    # An extension of the period to decide, notified in writing (tracking.workflow.extensions):
    # no change of step either; the due date it sets is among its facts.
    extension = "extension"
    # How and when an order (approval, refusal, return) reached the applicant
    # (tracking.workflow.result_notice): no change of step either.
    notice = "notice"
    # Who works the file was set or moved (tracking.workflow.assignment): no change of step;
    # the assignee is among its facts.
    assignment = "assignment"


class ApplicationEvent(SQLModel, table=True):
    """One line of the audit trail, hash-chained to the one before it in the application."""

    __tablename__ = "application_event"
    __table_args__ = (
        UniqueConstraint("application_id", "seq"),
        Index("ix_application_event_kind_time", "transition_kind", "occurred_at"),
        Index("ix_application_event_actor", "actor", "transition_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    seq: int
    kind: str = Field(max_length=16)
    occurred_at: datetime
    actor: str = Field(max_length=64)
    role: str = Field(max_length=16)
    event: str = Field(max_length=64)
    source: str | None = Field(default=None, max_length=48)
    target: str | None = Field(default=None, max_length=48)
    transition_kind: str | None = Field(default=None, max_length=32)
    reason: str = Field(default="", max_length=2000)
    ground: str | None = Field(default=None, max_length=64)
    out_of_turn: bool = False
    # A decision by someone who reviewed or inspected the file (only imports can carry one:
    # the workflow refuses it).
    four_eyes: bool = False
    # Days the file spent at the source step before this event (the type's unit).
    step_days: int | None = None
    data: str = Field(default="{}", max_length=20000)
    # What the event made true of the application (``tracking.trail.audit.FACTS``), as JSON:
    # ``audit verify`` holds the stored row to the last event's.
    after: str = Field(default="{}", max_length=2000)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Staff(SQLModel, table=True):
    """A staff account. Clerks, officers and approvers belong to one department; managers and
    admins are office-wide (department empty). Every account belongs to one office but the
    city administration's auditors (role ``city``), who read every office."""

    __table_args__ = (
        CheckConstraint(
            "(role = 'city') = (office_id IS NULL)", name="ck_staff_city_has_no_office"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_id: int | None = Field(default=None, foreign_key="office.id", index=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=200)
    department: str | None = Field(default=None, max_length=64)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=200)
    active: bool = True
    created_at: datetime
    # Tokens carry the generation they were issued in; signing out moves it on, so every
    # token issued before (on any device) stops working at once.
    token_generation: int = 0


class RateCounter(SQLModel, table=True):
    """A hit count for one key in one fixed time window, shared by every app process."""

    __tablename__ = "rate_counter"

    key: str = Field(primary_key=True, max_length=200)
    count: int = 0
    expires_at: datetime = Field(index=True)


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a POST sent with an ``Idempotency-Key``, replayed on repeats."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("actor", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(max_length=64)
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)
    status_code: int
    response: str = Field(max_length=100000)
    created_at: datetime = Field(index=True)


class DelayNotice(SQLModel, table=True):
    """A written delay notice (Licensing Facilitation Act s.10): while a decision is overdue,
    one is due every 7 days, each copied to the OPDC."""

    __tablename__ = "delay_notice"
    __table_args__ = (UniqueConstraint("application_id", "seq"), UniqueConstraint("number"))

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    seq: int
    number: str = Field(max_length=32)
    issued_on: date
    reason_th: str = Field(max_length=2000)
    reason_en: str = Field(max_length=2000)
    copy_to_opdc: bool = True
    created_at: datetime


class OutboxMessage(SQLModel, table=True):
    """An e-mail to send after the transaction that created it has committed. A failed
    delivery stays here with its error and is retried; nothing is lost."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    delay_notice_id: int | None = Field(default=None, foreign_key="delay_notice.id")
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=500)
    body: str = Field(max_length=20000)
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime
    sent_at: datetime | None = None


# The tables derived from the trail (tallies, cases, anchors) are in tracking.derived; importing
# the tables imports them too, so every table is on the metadata the migrations compare.
import tracking.derived  # noqa: E402, F401
