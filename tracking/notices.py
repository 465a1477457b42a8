"""Delay notices (Licensing Facilitation Act s.10) and their delivery.

While an application is past its due date without a decision, a written notice with the
reason for the delay is due every 7 days (or part of 7 days), each copied to the OPDC.
``run`` creates the notice for the current 7-day period of every overdue application that
lacks one: run it again the same day and it creates nothing. A period that passed without a
notice stays missed (it is not back-dated): the compliance figures show it.

Where the applicant gave an e-mail address and SMTP is configured, each notice is queued in
the outbox in the same transaction, and sent after commit by ``deliver``; a failed delivery
is recorded with its error and retried on the next run, up to ``MAX_ATTEMPTS``.

``lapses_due`` lists the files whose applicant's deadline has passed at their step: the lapse
(``checklists.lapses``) the office may now fire. ``windows_due`` lists the files where a
transition that waits for its days has come due (an objection on land and buildings tax not
decided within 60 days is deemed accepted, s.73). The run lists them; it fires none.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage

from sqlalchemy import Engine
from sqlmodel import Session, col, func, or_, select

from checklists.lapses import Start
from checklists.loader import default_catalogue
from tracking.calendars import office_calendar
from tracking.clock import BusinessCalendar, letters_due, overdue_clause
from tracking.config import Settings
from tracking.dates import written
from tracking.db import unit_of_work
from tracking.models import Application, DelayNotice, Office, OutboxMessage, utcnow
from tracking.workflow.rules import current_deadline, window_end, window_start

MAX_ATTEMPTS = 5


def notice_number(office: Office, today: date, application_id: int, seq: int) -> str:
    return f"{office.bma_code}/{today.year + 543}/{application_id:06d}-{seq}"


@dataclass(frozen=True)
class RunResult:
    created: int
    queued: int
    sent: int
    failed: int


def create_due(session: Session, today: date, *, email: bool) -> tuple[int, int]:
    """Create the notices due today; queue e-mails when ``email``. Returns (created, queued).
    Flushes; the caller commits."""
    last = (
        select(col(DelayNotice.application_id), func.max(col(DelayNotice.seq)).label("seq"))
        .group_by(col(DelayNotice.application_id))
        .subquery()
    )
    rows = session.exec(
        select(Application, last.c.seq)
        .outerjoin(last, last.c.application_id == col(Application.id))
        .where(overdue_clause(today))
        .order_by(col(Application.id))
    ).all()
    offices = {o.id: o for o in session.exec(select(Office)).all()}
    catalogue = default_catalogue()
    created = queued = 0
    for application, last_seq in rows:
        assert application.id is not None
        current = letters_due(application.due_date, today)
        if current == 0 or (last_seq or 0) >= current:
            continue
        step = catalogue[application.permit_type].step(application.state)
        notice = DelayNotice(
            application_id=application.id,
            seq=current,
            number=notice_number(offices[application.office_id], today, application.id, current),
            issued_on=today,
            reason_th=f"คำขออยู่ระหว่างขั้นตอน “{step.label.th}” ยังพิจารณาไม่แล้วเสร็จตามกำหนด"
            f" จึงขอแจ้งเหตุล่าช้า",
            reason_en=f"The application is at the step “{step.label.en}” and could not be"
            " decided by the due date",
            copy_to_opdc=True,
            created_at=utcnow(),
        )
        session.add(notice)
        application.delay_notices_sent += 1
        session.flush()
        created += 1
        if email and application.applicant_email:
            session.add(_message(application, notice, offices[application.office_id]))
            queued += 1
    session.flush()
    return created, queued


def _message(application: Application, notice: DelayNotice, office: Office) -> OutboxMessage:
    assert application.id is not None
    body = (
        f"เรียน ผู้ยื่นคำขอ\n\n{notice.reason_th}\n"
        f"เลขที่หนังสือ {notice.number} ลงวันที่ {written(notice.issued_on, 'th')}"
        f" (สำเนาถึงสำนักงาน ก.พ.ร.)\n\n{office.name_th} โทร {office.phone}\n\n"
        f"Dear applicant,\n\n{notice.reason_en}.\nNotice {notice.number} of"
        f" {written(notice.issued_on, 'en')} (copied to the OPDC).\n\n{office.name_en},"
        f" phone {office.phone}\n"
    )
    return OutboxMessage(
        application_id=application.id,
        delay_notice_id=notice.id,
        recipient=application.applicant_email,
        subject=f"หนังสือแจ้งเหตุล่าช้า / Delay notice {notice.number}",
        body=body,
        created_at=utcnow(),
    )


def deliver(engine: Engine, settings: Settings) -> tuple[int, int]:
    """Send pending outbox messages, one transaction each. Returns (sent, failed)."""
    sent = failed = 0
    with Session(engine) as session:
        pending = session.exec(
            select(col(OutboxMessage.id))
            .where(col(OutboxMessage.status) == "pending")
            .order_by(col(OutboxMessage.id))
        ).all()
    for message_id in pending:
        with unit_of_work(engine) as session:
            message = session.get(OutboxMessage, message_id)
            if message is None or message.status != "pending":
                continue
            message.attempts += 1
            try:
                _send(settings, message)
            except (OSError, smtplib.SMTPException) as exc:
                message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = "failed"
                failed += 1
            else:
                message.status = "sent"
                message.sent_at = utcnow()
                message.last_error = ""
                sent += 1
            session.add(message)
    return sent, failed


def _send(settings: Settings, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = settings.smtp_sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(email)


@dataclass(frozen=True)
class LapseDue:
    """A file whose applicant's deadline passed: its code, step, deadline and the lapse."""

    tracking_code: str
    step: str
    deadline: date
    event: str

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.step} {self.deadline.isoformat()} {self.event}"


def lapses_due(session: Session, today: date) -> list[LapseDue]:
    """The open files at a step whose applicant's deadline is before ``today``, by deadline
    and code. Reads only."""
    catalogue = default_catalogue()
    steps = [
        (slug, step.id)
        for slug, permit in catalogue.items()
        for step in permit.steps
        if step.deadline is not None
    ]
    if not steps:
        return []
    at_step = or_(
        *[(col(Application.permit_type) == s) & (col(Application.state) == t) for s, t in steps]
    )
    calendars: dict[int, BusinessCalendar] = {}
    due: list[LapseDue] = []
    for application in session.exec(select(Application).where(at_step)).all():
        office = application.office_id
        if office not in calendars:
            calendars[office] = office_calendar(session, office)
        permit = catalogue[application.permit_type]
        deadline = current_deadline(permit, application, calendars[office])
        lapse = permit.step(application.state).deadline
        if deadline is not None and lapse is not None and today > deadline:
            due.append(
                LapseDue(application.tracking_code, application.state, deadline, lapse.lapse)
            )
    return sorted(due, key=lambda d: (d.deadline, d.tracking_code))


def windows_due(session: Session, today: date) -> list[LapseDue]:
    """The open files at a step where a transition that waits ``after`` days from the step's
    entry may now fire (its days passed before ``today``), by that day and code. Reads
    only."""
    catalogue = default_catalogue()
    waiting = [
        (slug, t)
        for slug, permit in catalogue.items()
        for t in permit.transitions
        if t.window is not None and t.window.after and t.window.starts is Start.entered
    ]
    if not waiting:
        return []
    at_step = or_(
        *[
            (col(Application.permit_type) == s) & (col(Application.state) == t.source)
            for s, t in waiting
        ]
    )
    due: list[LapseDue] = []
    for application in session.exec(select(Application).where(at_step)).all():
        for slug, t in waiting:
            if (slug, t.source) != (application.permit_type, application.state):
                continue
            assert t.window is not None
            start = window_start(t.window, application, ())
            end = window_end(t.window, start) if start else None
            if end is not None and today > end:
                due.append(LapseDue(application.tracking_code, t.source, end, t.event))
    return sorted(due, key=lambda d: (d.deadline, d.tracking_code))


def run(engine: Engine, settings: Settings, today: date) -> RunResult:
    """Create today's notices (one transaction), then deliver what the outbox holds."""
    email = bool(settings.smtp_host)
    with unit_of_work(engine) as session:
        created, queued = create_due(session, today, email=email)
    sent = failed = 0
    if email:
        sent, failed = deliver(engine, settings)
    return RunResult(created, queued, sent, failed)
