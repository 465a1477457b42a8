"""Recording how and when an order reached the applicant: one ``notice`` event in the trail.

A refusal and a return are their own written orders; an approval's result is sent by its
``result_notice`` step first. Either way, the day the notice reached the applicant is a fact
the office records (``tracking.delivery``), and the appeal period and the 7-day result-notice
measure count from it. No step changes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from checklists.appeals import DeliveryMethod, OrderKind
from checklists.loader import default_catalogue
from tracking import calendars, clock, delivery
from tracking.access import Actor
from tracking.db import duplicates
from tracking.errors import Conflict, InvalidInput
from tracking.models import ApplicationEvent, EventKind, utcnow
from tracking.workflow import rules
from tracking.workflow.recording import record_at_step
from tracking.workflow.transitions import application_for, claim

NOTE_LENGTH = 2000


def record_result_notice(
    session: Session,
    *,
    application_id: int,
    actor: Actor,
    version: int,
    method: DeliveryMethod,
    delivered_on: date | None = None,
    sent_on: date | None = None,
    note: str = "",
    now: datetime | None = None,
) -> ApplicationEvent:
    """Record that the file's order (its decision, or its return) reached the applicant by
    ``method``: on ``delivered_on``, or for registered mail posted on ``sent_on`` with no day of
    receipt, on the day the law deems. One ``notice`` event, once per order.

    Raises ``NotFound``, ``NotPermitted`` (department, role), ``Conflict`` (stale version, a
    notice of this order recorded already), ``InvalidInput`` (no order yet; an approval whose
    result was not sent yet; a day before the order or in the future; received before it was
    sent; e-mail without the applicant's address)."""
    application = application_for(session, application_id, actor, act=True, lock=True)
    assert application.id is not None
    history = rules.load_history(session, application.id)
    order = delivery.order_event(history)
    if order is None:
        raise InvalidInput(
            "คำขอนี้ยังไม่มีคำสั่ง (อนุญาต ไม่อนุญาต หรือคืนคำขอ) ที่ต้องแจ้ง",
            "This application has no order yet (approval, refusal or return) to notify",
            field="order",
        )
    if any(e.kind == EventKind.notice for e in history):
        raise Conflict(
            "บันทึกการแจ้งคำสั่งนี้ไว้แล้ว บันทึกซ้ำไม่ได้",
            "The notice of this order is recorded already; it cannot be recorded twice",
            field="order",
        )
    sent = delivery.result_sent(history)
    if order.transition_kind == OrderKind.approve and sent is None:
        raise InvalidInput(
            "ต้องบันทึกการส่งหนังสือแจ้งผลก่อน แล้วจึงบันทึกวันที่ผู้ยื่นคำขอได้รับ",
            "Record the sending of the result first, then the day the applicant received it",
            field="order",
        )
    note = note.strip()
    if len(note) > NOTE_LENGTH:
        raise InvalidInput(
            f"หมายเหตุยาวเกิน {NOTE_LENGTH} ตัวอักษร",
            f"The note is longer than {NOTE_LENGTH} characters",
            field="note",
        )
    now = now or utcnow()
    today = clock.bangkok_date(now)
    recorded = delivery.Delivery(
        order=str(order.transition_kind),
        order_seq=order.seq,
        decided_on=delivery.event_day(order),
        method=method,
        sent_on=sent_on,
        delivered_on=delivered_on,
        notified_on=delivery.notified_on(method, sent_on, delivered_on),
        result_sent_on=delivery.event_day(sent) if order.transition_kind == "approve" else None,
    )
    problem = delivery.delivery_problem(recorded, today, application.applicant_email.strip())
    if problem is not None:
        raise problem
    claim(session, application, version)
    application.updated_at = now
    # A step whose deadline counts from the notice (signboard tax: payment within 15 days of
    # the assessment notice) gets it now; the event's facts carry it.
    permit = default_catalogue()[application.permit_type]
    calendar = calendars.office_calendar(session, application.office_id)
    from_notice = rules.deadline_on_delivery(
        permit, application.state, recorded.notified_on, calendar
    )
    if from_notice is not None:
        application.applicant_deadline = from_notice
    session.add(application)
    event = record_at_step(
        session,
        application,
        history=history,
        kind=EventKind.notice,
        event=f"notice:{recorded.order}",
        actor=actor.username,
        role=actor.role,
        now=now,
        reason=note,
        data=recorded.data(),
    )
    try:
        session.flush()
    except IntegrityError as exc:  # the trail's (application, seq) is taken: a concurrent write
        if not duplicates(exc, "application_event", "application_id", "seq"):
            raise
        raise Conflict("คำขอนี้ถูกแก้ไขโดยผู้อื่นแล้ว", "The application was changed concurrently") from exc
    return event
