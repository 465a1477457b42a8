"""Intake: the applicant and the subject, their checks, and a new file at its first step."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from checklists.loader import default_catalogue
from checklists.schema import ChecklistItem, ItemKind, PermitType
from tracking import clock, codes, offices, periods
from tracking.access import Actor, authorise_intake
from tracking.db import duplicates
from tracking.errors import Conflict, InvalidInput, NotFound, NotPermitted
from tracking.models import Application, ChecklistEntry, ChecklistStatus, EventKind, Office, utcnow
from tracking.workflow.assignment import least_loaded
from tracking.workflow.machines import permit_type
from tracking.workflow.recording import record_event
from tracking.workflow.subject_fields import read_details
from tracking.workflow.text import ascii_digits as ascii_digits
from tracking.workflow.text import visible_text as visible_text
from tracking.workflow.transitions import record_checklist_item


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


def _ascii_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def thai_id_valid(digits: str) -> bool:
    """The check digit of a 13-digit Thai national ID number (ASCII digits)."""
    if len(digits) != 13 or not _ascii_number(digits):
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def normalise_applicant(applicant: Applicant) -> Applicant:
    """The applicant with a name to read and a checked ID number and phone, their digits made
    ASCII first (Thai digits are the same number). Raises ``InvalidInput`` naming the field."""
    name = visible_text(applicant.name)
    if not name:
        raise InvalidInput(
            "ต้องระบุชื่อผู้ยื่นคำขอเป็นตัวอักษรที่อ่านได้",
            "The applicant's name is required, in visible letters",
            field="applicant.name",
        )
    id_number = "".join(ch for ch in ascii_digits(applicant.id_number) if ch not in " -").upper()
    if _ascii_number(id_number) and len(id_number) == 13:
        if not thai_id_valid(id_number):
            raise InvalidInput(
                "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบไม่ตรง) กรุณาตรวจสอบอีกครั้ง",
                "The Thai ID number's check digit does not match; please check it",
                field="applicant.id_number",
            )
    elif not (id_number.isalnum() and id_number.isascii() and 5 <= len(id_number) <= 20):
        raise InvalidInput(
            "เลขประจำตัวต้องเป็นเลขประจำตัวประชาชน 13 หลัก หรือเลขหนังสือเดินทาง",
            "The ID number must be a 13-digit Thai ID number or a passport number",
            field="applicant.id_number",
        )
    phone = "".join(ch for ch in ascii_digits(applicant.phone) if ch not in " -()")
    if phone.startswith("+66"):
        phone = "0" + phone[3:]
    if phone and not (_ascii_number(phone) and len(phone) in (9, 10) and phone.startswith("0")):
        raise InvalidInput(
            "หมายเลขโทรศัพท์ไม่ถูกต้อง (ตัวอย่าง 0812345678)",
            "The phone number is not valid (for example 0812345678)",
            field="applicant.phone",
        )
    return Applicant(name=name, id_number=id_number, phone=phone, email=applicant.email)


def normalise_subject(subject: Subject) -> Subject:
    """The subject with an address to read, and details every database stores as they are (no
    NaN or infinite numbers). Raises ``InvalidInput`` naming the field."""
    address = visible_text(subject.address)
    if not address:
        raise InvalidInput(
            "ต้องระบุที่อยู่เป็นตัวอักษรที่อ่านได้",
            "The address is required, in visible letters or digits",
            field="subject.address",
        )
    for key, value in subject.details.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidInput(
                f"ค่าของ {key} ต้องเป็นตัวเลขที่มีค่าจำกัด",
                f"The value of {key} must be a finite number",
                field=f"subject.{key}",
            )
    return Subject(address=address, description=subject.description, details=subject.details)


def read_subject_fields(permit: PermitType, subject: Subject, today: date) -> Subject:
    """The subject with the fields ``permit`` declares read and checked, ``today`` being the
    day of filing: numbers greater than zero and within the type's thresholds (a food premises
    over 200 m², a building on the right side of 300 m²), dates written ``YYYY-MM-DD`` within the
    office's range, a permit period no longer than the type allows and not over already.
    An optional field left empty is dropped. Raises ``InvalidInput`` naming the field."""
    details = read_details(permit, subject.details, today)
    return Subject(address=subject.address, description=subject.description, details=details)


def _intake_office(session: Session, actor: Actor, office: Office | None) -> Office:
    """Where ``actor`` takes in a file: their own office (``office``, when given, must be it;
    an actor of no office, such as a script's, names one)."""
    if office is None:
        office = session.get(Office, actor.office_id) if actor.office_id is not None else None
    if office is None or office.id is None:
        raise NotFound("ไม่พบสำนักงานเขตของผู้ใช้", f"No office for staff {actor.username!r}")
    if actor.office_id is not None and office.id != actor.office_id:
        raise NotPermitted(
            "รับคำขอได้เฉพาะที่สำนักงานเขตของผู้ใช้เอง",
            "Staff take in applications only at their own office",
        )
    return office


def intake_documents(permit: PermitType) -> list[ChecklistItem]:
    """The documents the applicant hands in at the counter: the document items of the type's
    initial step, in catalogue order (its s.8 record and any other kind are not among them)."""
    return [item for item in permit.initial_step.checklist if item.kind is ItemKind.document]


def _received_documents(permit: PermitType, received: Collection[str]) -> list[str]:
    """``received`` as intake documents of ``permit``, once each, in catalogue order. Raises
    ``InvalidInput`` naming the first id that is not one."""
    documents = [item.id for item in intake_documents(permit)]
    for item_id in received:
        if item_id not in documents:
            shown = item_id[:48]
            raise InvalidInput(
                f"“{shown}” ไม่ใช่เอกสารที่รับเมื่อยื่นคำขอประเภทนี้",
                f"“{shown}” is not one of the documents this permit type takes in at intake",
                field="received_items",
                allowed=documents,
            )
    return [item_id for item_id in documents if item_id in received]


def submit_application(
    session: Session,
    *,
    permit_type_slug: str,
    applicant: Applicant,
    subject: Subject,
    actor: Actor,
    office: Office | None = None,
    now: datetime | None = None,
    received: Collection[str] | None = None,
) -> Application:
    """Take in a new application at the type's initial step, with its checklist and a code,
    at ``office`` (default: the actor's own).

    ``received``: the intake documents the clerk has in hand and checked, each then verified
    through ``record_checklist_item`` (the path of every checklist change: one trail event
    each, after the intake's, under the item's role rules). None or empty: all stay pending.

    Raises ``InvalidInput`` for an unknown type, a subject the type refuses (a floor area on
    the wrong side of its threshold, a date or permit period it cannot take) or a received id
    that is not one of its intake documents; ``NotPermitted`` unless the actor may take in
    applications of the responsible department (and verify the documents received);
    ``NotFound`` without an office.
    """
    permit = permit_type(permit_type_slug)
    authorise_intake(actor, permit.department)
    now = now or utcnow()
    today = clock.bangkok_date(now)
    applicant = normalise_applicant(applicant)
    subject = read_subject_fields(permit, normalise_subject(subject), today)
    documents = _received_documents(permit, received or ())
    office = _intake_office(session, actor, office)
    offices.refuse_unoffered(office, permit)
    permit = offices.permit_at(office, permit)
    assert office.id is not None
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
        due_date=periods.due_at_office(session, office.id, permit, today),
        state_entered_at=now,
        updated_at=now,
        assignee=least_loaded(session, office.id, permit.department),
    )
    _insert_with_unique_code(session, application)
    assert application.id is not None
    # One statement for the whole checklist (the ORM would insert its rows one by one to read
    # back each id, which nothing here needs).
    checklist = [
        {
            "application_id": application.id,
            "item_id": item.id,
            "step": step.id,
            "required": item.required,
            "status": ChecklistStatus.pending.value,
            "note": "",
        }
        for step in permit.steps
        for item in step.checklist
    ]
    if checklist:
        session.execute(insert(ChecklistEntry), checklist)
    record_event(
        session,
        application,
        history=[],
        kind=EventKind.intake,
        occurred_at=now,
        actor=actor.username,
        role=actor.role,
        event="submit",
        target=initial.id,
        data={"permit_type_version": permit.version, "due_date": application.due_date.isoformat()},
    )
    session.flush()
    for item_id in documents:
        record_checklist_item(
            session,
            application_id=application.id,
            item_id=item_id,
            status=ChecklistStatus.verified,
            actor=actor,
            version=application.version,
            now=now,
        )
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
        if not duplicates(exc, "application", "tracking_code"):
            raise
        raise Conflict(
            "ระบบออกเลขติดตามซ้ำกับคำขออื่นพอดี กรุณายื่นอีกครั้ง",
            "The tracking code drawn was taken at that instant; please submit again",
        ) from exc
