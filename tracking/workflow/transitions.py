"""Use cases on an existing file. Each function flushes and never commits: the caller commits
once.

``fire`` is the one way a status changes: it loads the application under a row lock (where the
database has them) and a version check, restores the permit type's machine at the stored step
and sends the event through it. The machine's validators enforce the rules and its listener
moves the clock and appends the audit event, all in the caller's transaction.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from checklists.loader import default_catalogue
from tracking.access import Actor, authorise, item_refusal, refusal
from tracking.errors import Conflict, CorruptState, DomainError, InvalidInput, NotFound
from tracking.models import (
    Application,
    ApplicationEvent,
    ChecklistEntry,
    ChecklistStatus,
    EventKind,
    utcnow,
)
from tracking.workflow.machines import PermitWorkflow, machines
from tracking.workflow.recording import record_event


def get_application(session: Session, application_id: int, *, lock: bool = False) -> Application:
    statement = select(Application).where(Application.id == application_id)
    if lock:
        statement = statement.with_for_update()
    application = session.exec(statement.execution_options(populate_existing=True)).first()
    if application is None:
        raise NotFound(f"ไม่พบคำขอเลขที่ {application_id}", f"No application {application_id}")
    return application


def application_for(
    session: Session, application_id: int, actor: Actor, *, act: bool, lock: bool = False
) -> Application:
    """The application, if ``actor`` may read it (``act``: and change it).

    Another office's application is reported as not found, so ids do not leak across offices.
    """
    application = get_application(session, application_id, lock=lock)
    if actor.office_id is not None and application.office_id != actor.office_id:
        raise NotFound(f"ไม่พบคำขอเลขที่ {application_id}", f"No application {application_id}")
    authorise(actor, application.department, act=act)
    return application


def restore_machine(session: Session, application: Application, actor: Actor) -> PermitWorkflow:
    """The permit type's machine at the application's stored step, bound to it for ``actor``.
    Raises ``CorruptState`` for a stored step the type does not have."""
    machine_class = machines()[application.permit_type]
    if application.state not in {step.id for step in machine_class.permit_type.steps}:
        raise CorruptState(
            "สถานะที่บันทึกไว้ไม่ถูกต้อง", f"Stored state {application.state!r} is not a known step"
        )
    return machine_class(application, session=session, actor=actor)


def claim(session: Session, application: Application, version: int) -> None:
    """Compare-and-set the version; raise ``Conflict`` if someone else changed it first."""
    stale = Conflict(
        "คำขอนี้ถูกแก้ไขโดยผู้อื่นแล้ว กรุณาโหลดข้อมูลใหม่",
        "The application was changed by someone else; reload it and try again",
        current_version=application.version,
    )
    if application.version != version:
        raise stale
    result = session.execute(
        update(Application)
        .where(Application.id == application.id, Application.version == version)  # type: ignore[arg-type]
        .values(version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise stale
    set_committed_value(application, "version", version + 1)


def fire(
    session: Session,
    *,
    application_id: int,
    event: str,
    actor: Actor,
    version: int,
    reason: str = "",
    ground: str | None = None,
    deadline: date | None = None,
    now: datetime | None = None,
    fine_baht: int | None = None,
) -> ApplicationEvent:
    """Fire ``event`` on an application through its permit type's machine.

    Invariant: the state changes only along a transition of the machine and only when every
    rule in ``tracking.workflow.rules`` holds; each change appends exactly one hash-chained
    event in the same transaction.
    Raises ``NotFound``; ``NotPermitted`` (department, role, four-eyes); ``Conflict`` (stale
    version); ``TransitionNotAllowed`` (no such event at this step); ``GuardFailed`` (unmet
    checklist, s.8 deficiency rules, a lapse before the applicant's deadline); ``InvalidInput``
    (reason, ground, deadline or fine missing).
    """
    application = application_for(session, application_id, actor, act=True, lock=True)
    # The compare-and-set is the first write, so on SQLite it is also where the write lock is
    # taken; a caller that then fails a rule rolls the whole transaction back.
    claim(session, application, version)
    machine = restore_machine(session, application, actor)
    machine.send(
        event, reason=reason, ground=ground, deadline=deadline, now=now, fine_baht=fine_baht
    )
    appended = machine.recorded
    assert appended is not None
    try:
        session.flush()
    except IntegrityError as exc:  # the trail's (application, seq) is taken: a concurrent write
        raise Conflict("คำขอนี้ถูกแก้ไขโดยผู้อื่นแล้ว", "The application was changed concurrently") from exc
    return appended


def checklist_refusal(actor: Actor, application: Application) -> DomainError | None:
    """Why ``actor`` may not record checklist items of ``application`` now, or None: the
    department rule, and a closed file's checklist no longer changes."""
    error: DomainError | None = refusal(actor, application.department, act=True)
    if error is None and application.outcome is not None:
        error = InvalidInput(
            "คำขอนี้สิ้นสุดแล้ว แก้ไขรายการตรวจสอบไม่ได้",
            "This application is closed; its checklist can no longer change",
        )
    return error


def record_checklist_item(
    session: Session,
    *,
    application_id: int,
    item_id: str,
    status: ChecklistStatus,
    actor: Actor,
    version: int,
    note: str = "",
    now: datetime | None = None,
) -> ChecklistEntry:
    """Record a checklist item's status, as a role that may give the item that status
    (``tracking.access.item_refusal``); waiving needs a note. Appends one audit event.

    Raises ``NotFound`` (application or item), ``NotPermitted`` (department, the item's
    roles), ``Conflict``, ``InvalidInput`` (a closed file, a waiver without a reason).
    """
    application = application_for(session, application_id, actor, act=False, lock=True)
    error = checklist_refusal(actor, application)
    if error is not None:
        raise error
    entry = session.exec(
        select(ChecklistEntry).where(
            ChecklistEntry.application_id == application_id, ChecklistEntry.item_id == item_id
        )
    ).first()
    if entry is None:
        raise NotFound(f"ไม่พบรายการ {item_id!r}", f"No checklist item {item_id!r}")
    permit = default_catalogue().types.get(application.permit_type)
    spec = permit.item(item_id) if permit else None
    error = item_refusal(actor, spec, item_id, status, entry.status)
    if error is not None:
        raise error
    if status is ChecklistStatus.waived and not note.strip():
        raise InvalidInput(
            "การยกเว้นเอกสารต้องระบุเหตุผล",
            "Waiving an item needs a reason in the note",
            field="note",
        )
    claim(session, application, version)
    now = now or utcnow()
    previous = entry.status
    entry.status = status.value
    entry.note = note
    entry.updated_by = actor.username
    entry.updated_at = now
    application.updated_at = now
    session.add_all([entry, application])
    record_event(
        session,
        application,
        kind=EventKind.checklist,
        occurred_at=now,
        actor=actor.username,
        role=actor.role,
        event=f"checklist:{item_id}",
        source=previous,
        target=status.value,
        reason=note,
    )
    session.flush()
    return entry
