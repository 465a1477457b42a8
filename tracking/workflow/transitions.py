"""Use cases on an existing file. Each function flushes and never commits: the caller commits
once.

``fire`` is the one way a status changes: it loads the application under a row lock (where the
database has them) and a version check, restores the permit type's machine at the stored step
and sends the event through it. The machine's validators enforce the rules and its listener
moves the clock and appends the audit event, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from checklists.loader import default_catalogue
from checklists.schema import PermitType
from tracking.access import Actor, authorise, item_refusal, refusal
from tracking.db import duplicates
from tracking.errors import Conflict, CorruptState, DomainError, InvalidInput, NotFound
from tracking.models import (
    Application,
    ApplicationEvent,
    ChecklistEntry,
    ChecklistStatus,
    EventKind,
    utcnow,
)
from tracking.workflow.machines import PermitWorkflow, bound_machine, machines
from tracking.workflow.recording import record_event


def get_application(session: Session, application_id: int, *, lock: bool = False) -> Application:
    statement = select(Application).where(Application.id == application_id)
    if lock:
        statement = statement.with_for_update()
    application = session.exec(statement.execution_options(populate_existing=True)).first()
    if application is None:
        raise NotFound(f"ไม่พบคำขอเลขที่ {application_id}", f"No application {application_id}")
    return application


def as_left(session: Session, application_id: int) -> Application:
    """The application as this transaction has left it, for the answer to a change: the
    session's own row, which every change updates (the version by ``claim``), so no query;
    read when the session holds none."""
    held = session.get(Application, application_id)
    return held if held is not None else get_application(session, application_id)


def application_for(
    session: Session, application_id: int, actor: Actor, *, act: bool, lock: bool = False
) -> Application:
    """The application, if ``actor`` may read it (``act``: and change it).

    Another office's application is reported as not found, so ids do not leak across offices.
    """
    application = get_application(session, application_id, lock=lock)
    if not actor.reads(application.office_id):
        raise NotFound(f"ไม่พบคำขอเลขที่ {application_id}", f"No application {application_id}")
    authorise(actor, application.department, act=act)
    return application


def known_step(application: Application) -> None:
    """Raise ``CorruptState`` for a stored step the application's type does not have."""
    if application.state not in machines()[application.permit_type].states_map:
        raise CorruptState(
            "สถานะที่บันทึกไว้ไม่ถูกต้อง", f"Stored state {application.state!r} is not a known step"
        )


def restore_machine(session: Session, application: Application, actor: Actor) -> PermitWorkflow:
    """A new machine of the permit type at the application's stored step, bound to it for
    ``actor`` (``fire`` uses a thread's idle one, ``bound_machine``). Raises ``CorruptState``
    for a stored step the type does not have."""
    known_step(application)
    return machines()[application.permit_type](application, session=session, actor=actor)


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
    known_step(application)
    with bound_machine(session, application, actor) as machine:
        machine.send(
            event, reason=reason, ground=ground, deadline=deadline, now=now, fine_baht=fine_baht
        )
        appended = machine.recorded
    assert appended is not None
    try:
        session.flush()
    except IntegrityError as exc:  # the trail's (application, seq) is taken: a concurrent write
        if not duplicates(exc, "application_event", "application_id", "seq"):
            raise
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


@dataclass(frozen=True)
class ItemChange:
    """One checklist item's new status and note, as a batch asks for it."""

    item_id: str
    status: ChecklistStatus
    note: str = ""


@dataclass(frozen=True)
class RecordedItems:
    """What a batch recorded: the entries of its changes, in order, and the ids of those whose
    status or note changed (each with one checklist event)."""

    entries: list[ChecklistEntry]
    changed: list[str]


def _checked_change(
    actor: Actor,
    permit: PermitType | None,
    entries: Mapping[str, ChecklistEntry],
    change: ItemChange,
) -> None:
    """Raise why ``actor`` may not make ``change``, naming the item by its label."""
    entry = entries.get(change.item_id)
    if entry is None:
        raise NotFound(
            f"ไม่พบรายการ {change.item_id!r}",
            f"No checklist item {change.item_id!r}",
            item=change.item_id,
        )
    spec = permit.item(change.item_id) if permit else None
    error = item_refusal(actor, spec, change.item_id, change.status, entry.status)
    if error is not None:
        error.detail.setdefault("item", change.item_id)
        raise error
    if change.status is ChecklistStatus.waived and not change.note.strip():
        th, en = (spec.label.th, spec.label.en) if spec else (change.item_id, change.item_id)
        raise InvalidInput(
            f"การยกเว้น “{th}” ต้องระบุเหตุผล",
            f"Waiving “{en}” needs a reason in the note",
            field="note",
            item=change.item_id,
        )


def record_checklist_items(
    session: Session,
    *,
    application_id: int,
    changes: Sequence[ItemChange],
    actor: Actor,
    version: int,
    now: datetime | None = None,
    unchanged_too: bool = False,
) -> RecordedItems:
    """Record several checklist items at once under one compare-and-set of ``version``.

    All or nothing: every change is checked (the single item's rules) before anything is
    written, and the first refused raises naming its item. Each item whose status or note
    changes appends one checklist event; an unchanged one appends none (``unchanged_too``: it
    does, as a single update always has). Returns the entries of ``changes``, in order, and
    which of them changed.
    Raises ``NotFound`` (application or item), ``NotPermitted`` (department, the item's
    roles), ``Conflict`` (stale version), ``InvalidInput`` (a closed file, a waiver without a
    reason, an item given twice).
    """
    application = application_for(session, application_id, actor, act=False, lock=True)
    error = checklist_refusal(actor, application)
    if error is not None:
        raise error
    entries = {
        e.item_id: e
        for e in session.exec(
            select(ChecklistEntry).where(ChecklistEntry.application_id == application_id)
        )
    }
    permit = default_catalogue().types.get(application.permit_type)
    seen: set[str] = set()
    for change in changes:
        if change.item_id in seen:
            raise InvalidInput(
                f"รายการ {change.item_id!r} ซ้ำกัน",
                f"Checklist item {change.item_id!r} is given twice",
                item=change.item_id,
            )
        seen.add(change.item_id)
        _checked_change(actor, permit, entries, change)
    claim(session, application, version)
    now = now or utcnow()
    changed: list[str] = []
    for change in changes:
        entry = entries[change.item_id]
        previous = entry.status
        if not unchanged_too and (previous, entry.note) == (change.status.value, change.note):
            continue
        changed.append(change.item_id)
        entry.status = change.status.value
        entry.note = change.note
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
            event=f"checklist:{change.item_id}",
            source=previous,
            target=change.status.value,
            reason=change.note,
        )
    session.flush()
    return RecordedItems([entries[c.item_id] for c in changes], changed)


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
    recorded = record_checklist_items(
        session,
        application_id=application_id,
        changes=[ItemChange(item_id, status, note)],
        actor=actor,
        version=version,
        now=now,
        unchanged_too=True,
    )
    return recorded.entries[0]
