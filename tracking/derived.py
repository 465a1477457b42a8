"""Tables derived from the trail: the compliance tallies and cases the dashboards add up, and
the daily audit anchors over the trail heads. Importable from ``tracking.models`` too."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class ComplianceTally(SQLModel, table=True):
    """How many events of one kind happened on one Bangkok day (grain ``d``) or in one month
    (grain ``m``, dated the 1st), per office, department, permit type and officer: the
    compliance figures add these up instead of reading the trail.

    ``tracking.trail.tallies`` adds to it as events are appended, when the transaction commits, and
    can rebuild it from the trail. ``key``, ``days`` and ``flag`` mean what the measure says.
    """

    __tablename__ = "compliance_tally"
    __table_args__ = (
        # The monthly rows alone, in the officers' grouping order (``tracking.reads.officers``),
        # covering on PostgreSQL: reads over whole months never scan the daily rows.
        Index(
            "ix_compliance_tally_months",
            "measure",
            "office_id",
            "department",
            "actor",
            "days",
            sqlite_where=text("grain = 'm'"),
            postgresql_where=text("grain = 'm'"),
            postgresql_include=["day", "permit_type", "key", "flag", "count"],
        ),
        {"sqlite_with_rowid": False},
    )

    measure: str = Field(primary_key=True, max_length=24)
    grain: str = Field(primary_key=True, max_length=1)
    day: date = Field(primary_key=True)
    office_id: int = Field(primary_key=True)
    department: str = Field(primary_key=True, max_length=64)
    permit_type: str = Field(primary_key=True, max_length=64)
    actor: str = Field(primary_key=True, max_length=64)
    key: str = Field(default="", primary_key=True, max_length=200)
    days: int = Field(default=0, primary_key=True)
    flag: bool = Field(default=False, primary_key=True)
    count: int = 0


class OpenFileTally(SQLModel, table=True):
    """Undecided applications by due date, and the delay notices they have had: what the
    overdue figures need without visiting each open file. ``paused`` marks files whose clock
    stopped after the due date (overdue whatever the day); files paused before it are not here.
    """

    __tablename__ = "open_file_tally"
    __table_args__ = ({"sqlite_with_rowid": False},)

    office_id: int = Field(primary_key=True)
    department: str = Field(primary_key=True, max_length=64)
    permit_type: str = Field(primary_key=True, max_length=64)
    due_date: date = Field(primary_key=True)
    paused: bool = Field(primary_key=True)
    files: int = 0
    notices: int = 0


class ComplianceCase(SQLModel, table=True):
    """A decision a manager should look at: taken by someone who also reviewed the file
    (four-eyes), or taken out of turn. Written with the event; rebuilt from the trail."""

    __tablename__ = "compliance_case"
    __table_args__ = (
        UniqueConstraint("application_id", "seq", "kind"),
        Index("ix_compliance_case_kind_day", "kind", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    application_id: int = Field(foreign_key="application.id", index=True)
    seq: int
    office_id: int
    day: date
    occurred_at: datetime
    department: str = Field(max_length=64)
    permit_type: str = Field(max_length=64)
    actor: str = Field(max_length=64)
    reason: str = Field(default="", max_length=2000)


class AuditAnchor(SQLModel, table=True):
    """One day's digest over every trail head of an office, chained to its day before: an
    auditor who keeps a digest can later prove that nothing recorded before it was changed or
    deleted. Rows are only ever added."""

    __tablename__ = "audit_anchor"
    __table_args__ = (UniqueConstraint("office_id", "day", name="uq_audit_anchor_office_day"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    day: date
    last_event_id: int
    heads: int
    prev_digest: str = Field(max_length=64)
    digest: str = Field(max_length=64, index=True)
    created_at: datetime


class AuditAnchorHead(SQLModel, table=True):
    """The trail heads that moved since the anchor before: (application, seq, hash)."""

    __tablename__ = "audit_anchor_head"

    anchor_id: int = Field(foreign_key="audit_anchor.id", primary_key=True)
    application_id: int = Field(primary_key=True, index=True)
    seq: int
    hash: str = Field(max_length=64)
