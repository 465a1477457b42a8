"""Extensions of the period to decide (Building Control Act s.25: twice, 45 days each; Public
Health Act s.56: twice, 15 days each), each notified to the applicant in writing, with its
reason, before the period ends.

An extension is an ``extension`` event at the file's step (no step changes) that moves the due
date on by its days and records the new date among its facts; its written notice is the
event itself (``notice``, printable), e-mailed through the outbox when SMTP is configured. Each
rule is one function that says why an extension is refused, or None.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from checklists.clocks import Extensions
from checklists.loader import default_catalogue
from checklists.references import legal_reference
from checklists.schema import PermitType
from tracking import calendars, clock, periods
from tracking.access import Actor
from tracking.dates import written
from tracking.errors import DomainError, GuardFailed, InvalidInput, NotFound
from tracking.models import Application, ApplicationEvent, EventKind, Office, OutboxMessage, utcnow
from tracking.workflow.recording import record_at_step
from tracking.workflow.transitions import application_for, claim

EVENT = "extension"
REASON_LENGTH = 1000
# Who may extend: those who review and decide (a clerk takes files in).
ROLES = frozenset({"officer", "approver", "admin"})


def allowance(permit: PermitType) -> Extensions | None:
    """The extensions the law gives the type, if any."""
    law = permit.statutory_limit
    return law.extensions if law is not None else None


def no_extension_in_law(permit: PermitType) -> DomainError | None:
    if allowance(permit) is None:
        return GuardFailed(
            "กฎหมายไม่ได้ให้ขยายระยะเวลาพิจารณาคำขอประเภทนี้",
            "The law gives no extension of the period for this permit type",
        )
    return None


def role_may_extend(actor: Actor) -> DomainError | None:
    if actor.role not in ROLES:
        return GuardFailed(
            "ผู้ขยายระยะเวลาต้องเป็นเจ้าหน้าที่ผู้พิจารณาหรือผู้อนุญาต",
            "Only an officer or an approver may extend the period",
        )
    return None


def file_open(application: Application) -> DomainError | None:
    if not clock.undecided(application.decided_on, application.outcome):
        return GuardFailed(
            "คำขอนี้พิจารณาแล้วหรือปิดเรื่องแล้ว ขยายระยะเวลาไม่ได้",
            "The application is decided or closed: there is no period to extend",
        )
    return None


def before_the_end(application: Application, today: date) -> DomainError | None:
    """Before the period ends: by the due date (judged on the day the clock stopped, if it
    has), never after."""
    if clock.late(application.due_date, application.clock_paused_on, today):
        return GuardFailed(
            f"ระยะเวลาพิจารณาสิ้นสุดแล้วเมื่อ {written(application.due_date, 'th')}"
            " ต้องแจ้งขยายระยะเวลาก่อนครบกำหนด",
            f"The period ended on {written(application.due_date, 'en')}: an extension must be"
            " notified before the period ends",
        )
    return None


def within_count(law: Extensions, earlier: int) -> DomainError | None:
    if earlier >= law.times:
        return GuardFailed(
            f"ขยายระยะเวลาได้ไม่เกิน {law.times} ครั้ง ({legal_reference(law.legal_basis, 'th')})",
            f"The period may be extended at most {law.times} times ({law.legal_basis})",
        )
    return None


def within_days(law: Extensions, days: int) -> DomainError | None:
    if not 1 <= days <= law.days:
        return InvalidInput(
            f"ขยายได้ครั้งละ 1 ถึง {law.days} วัน ({legal_reference(law.legal_basis, 'th')})",
            f"Each extension is 1 to {law.days} days ({law.legal_basis})",
            field="days",
        )
    return None


def reason_given(reason: str) -> DomainError | None:
    if not reason.strip():
        return InvalidInput(
            "ต้องระบุเหตุผลของการขยายระยะเวลา", "A reason for the extension is needed", field="reason"
        )
    if len(reason) > REASON_LENGTH:
        return InvalidInput(
            f"เหตุผลยาวเกิน {REASON_LENGTH} ตัวอักษร",
            f"The reason is longer than {REASON_LENGTH} characters",
            field="reason",
        )
    return None


def extensions_of(session: Session, application_id: int) -> list[ApplicationEvent]:
    """The file's extension events, in order."""
    return list(
        session.exec(
            select(ApplicationEvent)
            .where(
                col(ApplicationEvent.application_id) == application_id,
                col(ApplicationEvent.kind) == EventKind.extension.value,
            )
            .order_by(col(ApplicationEvent.seq))
        ).all()
    )


def extend(
    session: Session,
    *,
    application_id: int,
    actor: Actor,
    days: int,
    reason: str,
    version: int,
    now: datetime | None = None,
    email: bool = False,
) -> ApplicationEvent:
    """Extend the file's period by ``days`` for ``reason``: one ``extension`` event, its due
    date moved on by ``days`` in the clock's unit, and (``email``, an address given) its notice
    queued in the outbox, all in the caller's transaction.

    Raises ``NotFound``; ``NotPermitted`` (department, read-only role); ``Conflict`` (stale
    version); ``GuardFailed`` (no extension in the law, a clerk, a decided file, the period
    ended, as many extensions as the law gives); ``InvalidInput`` (days, reason)."""
    now = now or utcnow()
    today = clock.bangkok_date(now)
    application = application_for(session, application_id, actor, act=True, lock=True)
    permit = default_catalogue()[application.permit_type]
    earlier = extensions_of(session, application_id)
    law = allowance(permit)
    problems = [
        no_extension_in_law(permit),
        role_may_extend(actor),
        file_open(application),
        before_the_end(application, today),
        within_count(law, len(earlier)) if law else None,
        within_days(law, days) if law else None,
        reason_given(reason),
    ]
    found = next((p for p in problems if p is not None), None)
    if found is not None:
        raise found
    assert law is not None
    claim(session, application, version)
    calendar = calendars.office_calendar(session, application.office_id)
    before = application.due_date
    application.due_date = calendar.add_days(before, days, business=periods.business(permit))
    application.updated_at = now
    session.add(application)
    number = len(earlier) + 1
    event = record_at_step(
        session,
        application,
        kind=EventKind.extension,
        event=EVENT,
        actor=actor.username,
        role=actor.role,
        now=now,
        reason=reason.strip(),
        data={
            "days": days,
            "number": number,
            "due_date": application.due_date.isoformat(),
            "due_date_before": before.isoformat(),
            "legal_basis": law.legal_basis,
            periods.DUE_RULE: periods.EXTENSION,
        },
    )
    session.flush()
    if email and application.applicant_email:
        office = session.get(Office, application.office_id)
        assert office is not None
        session.add(_message(application, notice_of(application, event, office)))
        session.flush()
    return event


@dataclass(frozen=True)
class ExtensionNotice:
    """The written notice of one extension, as the applicant receives it."""

    number: str
    seq: int
    issued_on: date
    days: int
    due_before: date
    due_date: date
    reason: str
    legal_basis: str
    tracking_code: str
    applicant_name: str
    office_th: str
    office_en: str
    office_phone: str


def notice_of(application: Application, event: ApplicationEvent, office: Office) -> ExtensionNotice:
    data = json.loads(event.data or "{}")
    issued = clock.bangkok_date(event.occurred_at)
    return ExtensionNotice(
        number=f"{office.bma_code}/{issued.year + 543}/{application.id:06d}-ข{data['number']}",
        seq=event.seq,
        issued_on=issued,
        days=int(data["days"]),
        due_before=date.fromisoformat(data["due_date_before"]),
        due_date=date.fromisoformat(data["due_date"]),
        reason=event.reason,
        legal_basis=str(data["legal_basis"]),
        tracking_code=application.tracking_code,
        applicant_name=application.applicant_name,
        office_th=office.name_th,
        office_en=office.name_en,
        office_phone=office.phone,
    )


def notices(session: Session, application: Application) -> Sequence[ExtensionNotice]:
    """The written notices of the file's extensions, in order."""
    assert application.id is not None
    office = session.get(Office, application.office_id)
    assert office is not None
    return [notice_of(application, e, office) for e in extensions_of(session, application.id)]


def notice(session: Session, application: Application, seq: int) -> ExtensionNotice:
    """The notice of the extension recorded as event ``seq``; raises ``NotFound``."""
    found = next((n for n in notices(session, application) if n.seq == seq), None)
    if found is None:
        raise NotFound("ไม่พบหนังสือแจ้งขยายระยะเวลา", "No such extension notice")
    return found


def _message(application: Application, notice: ExtensionNotice) -> OutboxMessage:
    assert application.id is not None
    body = (
        f"เรียน ผู้ยื่นคำขอ\n\nสำนักงานขอขยายระยะเวลาพิจารณาคำขอเลขติดตาม {notice.tracking_code}"
        f" ออกไป {notice.days} วัน จากเดิม {written(notice.due_before, 'th')}"
        f" เป็นภายใน {written(notice.due_date, 'th')}"
        f" ({legal_reference(notice.legal_basis, 'th')})\n"
        f"เหตุผล: {notice.reason}\nเลขที่หนังสือ {notice.number}\n\n"
        f"{notice.office_th} โทร {notice.office_phone}\n\n"
        f"Dear applicant,\n\nThe office extends the period to decide application"
        f" {notice.tracking_code} by {notice.days} days, from {written(notice.due_before, 'en')}"
        f" to {written(notice.due_date, 'en')} ({notice.legal_basis}).\nReason: {notice.reason}\n"
        f"Notice {notice.number}.\n\n{notice.office_en}, phone {notice.office_phone}\n"
    )
    return OutboxMessage(
        application_id=application.id,
        recipient=application.applicant_email,
        subject=f"หนังสือแจ้งขยายระยะเวลา / Extension notice {notice.number}",
        body=body,
        created_at=utcnow(),
    )
