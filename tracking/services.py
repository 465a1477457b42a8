"""Use cases. Each function flushes and never commits: the caller commits once.

``fire`` is the one place a status changes: it loads the application under a row lock (where the
database has them) and a version check, restores the permit type's machine at the stored step,
fires the event through it, appends the audit event and flushes, all in the caller's
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from checklists.loader import default_catalogue
from checklists.schema import DECISIONS, DayUnit, PermitType, Transition, TransitionKind, Turn
from tracking import audit, codes, rules
from tracking.calendar import BusinessCalendar, bangkok_date
from tracking.errors import (
    Conflict,
    CorruptState,
    InvalidInput,
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
)
from tracking.machines import PermitWorkflow, machines
from tracking.models import (
    Application,
    ApplicationEvent,
    ChecklistEntry,
    ChecklistStatus,
    EventKind,
    Office,
    OfficeDay,
    utcnow,
)

DEFAULT_OFFICE = "pathumwan"


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff username, role and department (None for office-wide roles)."""

    username: str
    role: str
    department: str | None = None
    office_id: int | None = None


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Subject:
    address: str
    description: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def thai_id_valid(digits: str) -> bool:
    """The check digit of a 13-digit Thai national ID number."""
    if len(digits) != 13 or not digits.isdigit():
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def normalise_applicant(applicant: Applicant) -> Applicant:
    """The applicant with a checked ID number and phone. Raises ``InvalidInput``."""
    id_number = "".join(ch for ch in applicant.id_number if ch not in " -").upper()
    if id_number.isdigit() and len(id_number) == 13:
        if not thai_id_valid(id_number):
            raise InvalidInput(
                "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบไม่ตรง) กรุณาตรวจสอบอีกครั้ง",
                "The Thai ID number's check digit does not match; please check it",
                field="applicant.id_number",
            )
    elif not (id_number.isalnum() and id_number.isascii() and 5 <= len(id_number) <= 20):
        raise InvalidInput(
            "เลขประจำตัวต้องเป็นเลขประจำตัวประชาชน ๑๓ หลัก หรือเลขหนังสือเดินทาง",
            "The ID number must be a 13-digit Thai ID number or a passport number",
            field="applicant.id_number",
        )
    phone = "".join(ch for ch in applicant.phone if ch not in " -()")
    if phone.startswith("+66"):
        phone = "0" + phone[3:]
    if phone and not (phone.isdigit() and len(phone) in (9, 10) and phone.startswith("0")):
        raise InvalidInput(
            "หมายเลขโทรศัพท์ไม่ถูกต้อง (ตัวอย่าง 0812345678)",
            "The phone number is not valid (for example 0812345678)",
            field="applicant.phone",
        )
    return Applicant(
        name=applicant.name.strip(), id_number=id_number, phone=phone, email=applicant.email
    )


def permit_type(slug: str) -> PermitType:
    try:
        return default_catalogue()[slug]
    except KeyError:
        raise InvalidInput(
            f"ไม่รู้จักประเภทคำขอ {slug!r}", f"Unknown permit type {slug!r}", field="permit_type"
        ) from None


def office_by_slug(session: Session, slug: str = DEFAULT_OFFICE) -> Office:
    office = session.exec(select(Office).where(Office.slug == slug)).first()
    if office is None:
        raise NotFound(f"ไม่พบสำนักงานเขต {slug!r}", f"No office {slug!r}")
    return office


def office_calendar(session: Session, office_id: int) -> BusinessCalendar:
    days = session.exec(select(OfficeDay).where(OfficeDay.office_id == office_id)).all()
    return BusinessCalendar(
        closures=[d.day for d in days if not d.open], openings=[d.day for d in days if d.open]
    )


def _business(permit: PermitType) -> bool:
    return permit.service_time.unit is DayUnit.business


def authorise(actor: Actor, department: str, *, act: bool) -> None:
    """Staff work only on their own department's files; managers read everything, fire nothing."""
    if act and actor.role == "manager":
        raise NotPermitted(
            "ผู้บริหารดูข้อมูลได้แต่ไม่ดำเนินการกับคำขอ",
            "Managers can read applications but cannot act on them",
        )
    if actor.role in {"manager", "admin"}:
        return
    if actor.department != department:
        raise NotPermitted(
            "คำขอนี้อยู่ในความรับผิดชอบของฝ่ายอื่น",
            "This application belongs to another department",
        )


def submit_application(
    session: Session,
    *,
    permit_type_slug: str,
    applicant: Applicant,
    subject: Subject,
    actor: Actor,
    office: Office | None = None,
    now: datetime | None = None,
) -> Application:
    """Take in a new application at the type's initial step, with its checklist and a code.

    Raises ``InvalidInput`` for an unknown type, ``NotPermitted`` unless the actor is a clerk
    (or admin) of the responsible department.
    """
    permit = permit_type(permit_type_slug)
    authorise(actor, permit.department, act=True)
    if actor.role not in {"clerk", "admin"}:
        raise NotPermitted("รับคำขอได้เฉพาะเจ้าหน้าที่รับคำขอ", "Only clerks take in applications")
    applicant = normalise_applicant(applicant)
    if not applicant.name or not subject.address.strip():
        raise InvalidInput("ต้องระบุชื่อผู้ยื่นและที่อยู่", "Applicant name and address are required")
    if office is None:
        office = session.get(Office, actor.office_id) if actor.office_id else None
        office = office or office_by_slug(session)
    assert office.id is not None
    now = now or utcnow()
    today = bangkok_date(now)
    calendar = office_calendar(session, office.id)
    initial = permit.initial_step
    application = Application(
        office_id=office.id,
        permit_type=permit.slug,
        permit_type_version=permit.version,
        catalogue_version=default_catalogue().digest,
        department=permit.department,
        state=initial.id,
        turn=initial.turn.value,
        tracking_code=codes.new_code(),
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        subject_address=subject.address,
        subject_description=subject.description,
        subject_details=subject.details,
        submitted_at=now,
        submitted_on=today,
        due_date=calendar.add_days(today, permit.service_time.days, business=_business(permit)),
        state_entered_at=now,
        updated_at=now,
    )
    _insert_with_unique_code(session, application)
    assert application.id is not None
    for step in permit.steps:
        for item in step.checklist:
            session.add(
                ChecklistEntry(
                    application_id=application.id,
                    item_id=item.id,
                    step=step.id,
                    required=item.required,
                )
            )
    audit.append_event(
        session,
        application,
        kind=EventKind.intake,
        occurred_at=now,
        actor=actor.username,
        role=actor.role,
        event="submit",
        target=initial.id,
        data={"permit_type_version": permit.version, "due_date": application.due_date.isoformat()},
    )
    session.flush()
    return application


def _insert_with_unique_code(session: Session, application: Application, attempts: int = 5) -> None:
    """Draw again while the code is taken, then insert. 44 random bits make a clash vanishingly
    rare; the unique index still decides, and a clash with an intake committed in the same
    instant is a Conflict to retry. No savepoint: on SQLite one opened before the transaction's
    first write would commit the application on release, beyond the caller's rollback."""
    for _ in range(attempts):
        taken = session.exec(
            select(Application.id).where(Application.tracking_code == application.tracking_code)
        ).first()
        if taken is None:
            break
        application.tracking_code = codes.new_code()
    session.add(application)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "ระบบออกเลขติดตามซ้ำกับคำขออื่นพอดี กรุณายื่นอีกครั้ง",
            "The tracking code drawn was taken at that instant; please submit again",
        ) from exc


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


def checklist_statuses(session: Session, application_id: int) -> dict[str, str]:
    rows = session.exec(
        select(ChecklistEntry.item_id, ChecklistEntry.status).where(
            ChecklistEntry.application_id == application_id
        )
    ).all()
    return dict(rows)


def restore_machine(application: Application) -> PermitWorkflow:
    machine_class = machines()[application.permit_type]
    if application.state not in {step.id for step in machine_class.permit_type.steps}:
        raise CorruptState(
            "สถานะที่บันทึกไว้ไม่ถูกต้อง", f"Stored state {application.state!r} is not a known step"
        )
    return machine_class(model=application, state_field="state")


def _claim(session: Session, application: Application, version: int) -> None:
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
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> ApplicationEvent:
    """Fire ``event`` on an application through its permit type's machine.

    Invariant: the state changes only here, only along a transition of the machine and only
    when every rule in ``tracking.rules`` holds; each change appends exactly one hash-chained
    event in the same transaction.
    Raises ``NotFound``; ``NotPermitted`` (department, role, four-eyes); ``Conflict`` (stale
    version); ``TransitionNotAllowed`` (no such event at this step); ``GuardFailed`` (unmet
    checklist, s.8 deficiency rules); ``InvalidInput`` (reason, ground or deadline missing).
    """
    application = application_for(session, application_id, actor, act=True, lock=True)
    permit = permit_type(application.permit_type)
    # The compare-and-set is the first write, so on SQLite it is also where the write lock is
    # taken; a caller that then fails a rule rolls the whole transaction back.
    _claim(session, application, version)
    machine = restore_machine(application)
    source = application.state
    rule = machine.rules.get((source, event))
    if rule is None:
        raise TransitionNotAllowed(
            f"ไม่สามารถ “{event}” ได้ในขั้นตอน “{permit.step(source).label.th}”",
            f"Event {event!r} is not allowed at step {source!r}",
            state=source,
            allowed_events=sorted({e for (s, e) in machine.rules if s == source}),
        )
    now = now or utcnow()
    ctx = rule_context(
        session,
        application,
        permit,
        rule,
        actor,
        bangkok_date(now),
        reason=reason,
        ground=ground,
        deadline=deadline,
    )
    found = rules.problems(ctx)
    if found:
        raise found[0]
    machine.send(event, role=actor.role, checklist=ctx.statuses)
    recorded = dict(data or {})
    if rule.kind is TransitionKind.deficiency_request:
        assert deadline is not None
        application.applicant_deadline = deadline
        recorded.update(
            missing_items=rules.missing_items(ctx.statuses), deadline=deadline.isoformat()
        )
    elif rule.kind is TransitionKind.documents_supplied:
        application.applicant_deadline = None
    step_days = _after_transition(session, application, permit, source, rule.kind, now)
    if rules.out_of_turn(ctx):
        recorded["older_waiting"] = ctx.older_waiting
    appended = audit.append_event(
        session,
        application,
        kind=EventKind.transition,
        occurred_at=now,
        actor=actor.username,
        role=actor.role,
        event=event,
        source=source,
        target=application.state,
        transition_kind=rule.kind.value,
        reason=reason.strip(),
        ground=ground if rule.kind is TransitionKind.refuse else None,
        out_of_turn=rules.out_of_turn(ctx),
        step_days=step_days,
        data=recorded,
    )
    try:
        session.flush()
    except IntegrityError as exc:  # the trail's (application, seq) is taken: a concurrent write
        raise Conflict("คำขอนี้ถูกแก้ไขโดยผู้อื่นแล้ว", "The application was changed concurrently") from exc
    return appended


def rule_context(
    session: Session,
    application: Application,
    permit: PermitType,
    rule: Transition,
    actor: Actor,
    today: date,
    *,
    reason: str = "",
    ground: str | None = None,
    deadline: date | None = None,
    history: list[ApplicationEvent] | None = None,
    statuses: dict[str, str] | None = None,
) -> rules.Context:
    """What the rules need to judge ``rule`` for ``actor`` on ``application`` today."""
    assert application.id is not None
    deciding = rule.kind in DECISIONS
    return rules.Context(
        application=application,
        permit=permit,
        rule=rule,
        actor_username=actor.username,
        actor_role=actor.role,
        statuses=statuses if statuses is not None else checklist_statuses(session, application.id),
        history=history if history is not None else rules.history(session, application.id),
        today=today,
        older_waiting=rules.older_waiting(session, application, rule.source) if deciding else 0,
        reason=reason,
        ground=ground,
        deadline=deadline,
    )


def _after_transition(
    session: Session,
    application: Application,
    permit: PermitType,
    source: str,
    kind: TransitionKind,
    now: datetime,
) -> int:
    """Move the clock, whose turn it is and the outcome to match the new step; return the
    days the file spent at the step it left."""
    assert application.id is not None
    target = permit.step(application.state)
    today = bangkok_date(now)
    business = _business(permit)
    calendar = office_calendar(session, application.office_id)
    step_days = max(
        0,
        calendar.days_between(bangkok_date(application.state_entered_at), today, business=business),
    )
    undecided = application.decided_on is None
    if target.turn is Turn.applicant and application.turn == Turn.authority and undecided:
        application.clock_paused_on = today
    elif application.clock_paused_on is not None and target.turn is not Turn.applicant:
        held = calendar.days_between(application.clock_paused_on, today, business=business)
        if undecided and held > 0:
            application.due_date = calendar.add_days(application.due_date, held, business=business)
        application.clock_paused_on = None
    if kind in DECISIONS:
        application.decided_on = today
        # Days used of the service time: the due date already carries the stopped clock.
        left = calendar.days_between(today, application.due_date, business=business)
        application.days_to_decision = max(0, permit.service_time.days - left)
    if target.final:
        application.outcome = target.outcome.value if target.outcome else None
    application.turn = target.turn.value
    application.state_entered_at = now
    application.updated_at = now
    session.add(application)
    return step_days


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
    """Record a checklist item's status; waiving needs a note. Appends one audit event.

    Raises ``NotFound`` (application or item), ``NotPermitted``, ``Conflict``, ``InvalidInput``.
    """
    application = application_for(session, application_id, actor, act=True, lock=True)
    if application.outcome is not None:
        raise InvalidInput(
            "คำขอนี้สิ้นสุดแล้ว แก้ไขรายการตรวจสอบไม่ได้",
            "This application is closed; its checklist can no longer change",
        )
    if status is ChecklistStatus.waived and not note.strip():
        raise InvalidInput(
            "การยกเว้นเอกสารต้องระบุเหตุผล",
            "Waiving an item needs a reason in the note",
            field="note",
        )
    entry = session.exec(
        select(ChecklistEntry).where(
            ChecklistEntry.application_id == application_id, ChecklistEntry.item_id == item_id
        )
    ).first()
    if entry is None:
        raise NotFound(f"ไม่พบรายการ {item_id!r}", f"No checklist item {item_id!r}")
    _claim(session, application, version)
    now = now or utcnow()
    previous = entry.status
    entry.status = status.value
    entry.note = note
    entry.updated_by = actor.username
    entry.updated_at = now
    application.updated_at = now
    session.add_all([entry, application])
    audit.append_event(
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
