"""A file's order as the written letter the applicant receives: the refusal with its ground
and reasons, the return with the documents the s.8 record asked for and its deadline, or the
approval; each naming the appeal route of its law and, once the delivery is recorded, the last
day to appeal (``tracking.delivery``). Printed from the staff pages and handed over or posted;
the day it reached the applicant is then recorded as the file's ``notice`` event."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from checklists.loader import default_catalogue
from checklists.schema import RefusalGround, Text, TransitionKind
from tracking import codes, delivery
from tracking.clock import bangkok_date
from tracking.delivery import AppealRight, Delivery
from tracking.errors import NotFound
from tracking.models import Application, Office, Staff
from tracking.workflow.rules import load_history


@dataclass(frozen=True)
class OrderLetter:
    """The written order of one file, as the applicant receives it."""

    order: str  # approve, refuse or return
    number: str
    decided_on: date
    tracking_code: str
    applicant_name: str
    subject_address: str
    permit_name: Text
    reason: str
    ground: RefusalGround | None
    # For a return: what the s.8 record of deficiencies asked for, and by when.
    missing: tuple[Text, ...]
    asked_by: date | None
    appeal: AppealRight | None
    delivery: Delivery | None
    decided_by: str
    office_th: str
    office_en: str
    office_phone: str


def order_letter(session: Session, application: Application) -> OrderLetter:
    """The letter of ``application``'s order; raises ``NotFound`` when it has none yet."""
    assert application.id is not None
    history = load_history(session, application.id)
    order = delivery.order_event(history)
    office = session.get(Office, application.office_id)
    if order is None or office is None:
        raise NotFound(
            "คำขอนี้ยังไม่มีคำสั่ง (อนุญาต ไม่อนุญาต หรือคืนคำขอ)",
            "This application has no order yet (approval, refusal or return)",
        )
    permit = default_catalogue()[application.permit_type]
    request = next(
        (e for e in history if e.transition_kind == TransitionKind.deficiency_request), None
    )
    returned = order.transition_kind == TransitionKind.return_
    # What the s.8 record asked for, and by when: named by the letter of a return only.
    asked = json.loads(request.data or "{}") if request is not None and returned else {}
    labels = permit.item_labels
    decided = bangkok_date(order.occurred_at)
    delivered = delivery.deliveries(history)
    return OrderLetter(
        order=str(order.transition_kind),
        number=f"{office.bma_code}/{decided.year + 543}/{application.id:06d}-{order.seq}",
        decided_on=decided,
        tracking_code=codes.format_code(application.tracking_code),
        applicant_name=application.applicant_name,
        subject_address=application.subject_address,
        permit_name=permit.name,
        reason=order.reason,
        ground=permit.ground(order.ground or "") if order.ground else None,
        missing=tuple(labels[i] for i in asked.get("missing_items") or () if i in labels),
        asked_by=date.fromisoformat(asked["deadline"]) if asked.get("deadline") else None,
        appeal=delivery.appeal_right(permit, history),
        delivery=delivered[0] if delivered else None,
        decided_by=_display_name(session, order.actor),
        office_th=office.name_th,
        office_en=office.name_en,
        office_phone=office.phone,
    )


def _display_name(session: Session, username: str) -> str:
    """The name the official who made the order signs with (their username if unknown)."""
    found = session.exec(select(Staff.display_name).where(col(Staff.username) == username)).first()
    return found or username
