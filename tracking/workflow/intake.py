"""Intake: the applicant and the subject, their checks, and a new file at its first step."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from checklists.fields import FieldType, SubjectField, Threshold
from checklists.loader import default_catalogue
from checklists.schema import ChecklistItem, ItemKind, PermitType
from tracking import clock, codes, periods
from tracking.access import Actor, authorise_intake
from tracking.errors import Conflict, InvalidInput, NotFound
from tracking.models import Application, ChecklistEntry, ChecklistStatus, EventKind, Office, utcnow
from tracking.workflow.machines import permit_type
from tracking.workflow.recording import record_event
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


# Characters that show nothing: whitespace, controls, format characters (the zero-width space
# and joiners, bidirectional marks, the soft hyphen), unassigned and private-use code points,
# and the few letters and symbols drawn blank (the Hangul fillers, the blank Braille pattern).
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp", "Zs"})
BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _invisible(ch: str) -> bool:
    return ch in BLANK or ch.isspace() or unicodedata.category(ch) in INVISIBLE_CATEGORIES


def visible_text(text: str) -> str:
    """``text`` without the invisible characters at either end, or "" when no letter or digit
    is left to read (a name of zero-width spaces, of spaces, of marks alone)."""
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    trimmed = text[start:end]
    readable = any(unicodedata.category(ch)[0] in "LN" and not _invisible(ch) for ch in trimmed)
    return trimmed if readable else ""


def ascii_digits(text: str) -> str:
    """Decimal digits of any script as ASCII: Thai ``๑๒๓`` (or full-width ``１２３``) is
    ``123``. Other characters stay as they are."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


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
            "เลขประจำตัวต้องเป็นเลขประจำตัวประชาชน ๑๓ หลัก หรือเลขหนังสือเดินทาง",
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
    details = dict(subject.details)
    for spec in permit.subject_fields:
        value = details.get(spec.id)
        if value is None or (isinstance(value, str) and not value.strip()):
            details.pop(spec.id, None)
            if spec.required:
                raise InvalidInput(
                    f"ต้องระบุ{spec.label.th}",
                    f"{spec.label.en} is required",
                    field=f"subject.{spec.id}",
                )
        elif spec.type is FieldType.number:
            details[spec.id] = _number(spec, value)
        else:
            details[spec.id] = _day(spec, value).isoformat()
    _check_period(permit, details, today)
    return Subject(address=subject.address, description=subject.description, details=details)


def _number(spec: SubjectField, value: Any) -> int | float:
    number: float | None = None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):  # a form's text: Thai digits and thousands commas too
            number = float(ascii_digits(value).strip().replace(",", ""))
    except (ValueError, OverflowError):
        number = None
    if number is None or not math.isfinite(number) or number <= 0:
        raise InvalidInput(
            f"{spec.label.th}ต้องเป็นตัวเลขที่มากกว่า ๐",
            f"{spec.label.en} must be a number greater than 0",
            field=f"subject.{spec.id}",
        )
    if spec.above is not None and number <= spec.above.value:
        raise _beyond(spec, spec.above, number)
    if spec.at_most is not None and number > spec.at_most.value:
        raise _beyond(spec, spec.at_most, number)
    return int(number) if number.is_integer() else number


def _beyond(spec: SubjectField, limit: Threshold, number: float) -> InvalidInput:
    """The type's refusal of a number beyond ``limit``: what to file instead, named."""
    unit_th, unit_en = (spec.unit.th, spec.unit.en) if spec.unit else ("", "")
    th = f"{spec.label.th} {number:g} {unit_th}: {limit.otherwise.th}"
    en = f"{spec.label.en} {number:g} {unit_en}: {limit.otherwise.en}"
    instead = default_catalogue().types.get(limit.instead or "")
    if instead is not None:
        th += f" ให้ยื่นเป็นคำขอ “{instead.name.th}” แทน"
        en += f"; file it as “{instead.name.en}” instead"
    return InvalidInput(
        th, en, field=f"subject.{spec.id}", limit=limit.value, instead=limit.instead
    )


def _day(spec: SubjectField, value: Any) -> date:
    day: date | None = value if type(value) is date else None
    if isinstance(value, str):
        try:
            day = date.fromisoformat(ascii_digits(value).strip())
        except ValueError:
            day = None
    if day is None:
        raise InvalidInput(
            f"{spec.label.th}ต้องเป็นวันที่แบบ ค.ศ. ปปปป-ดด-วว เช่น 2026-05-01",
            f"{spec.label.en} must be a date written YYYY-MM-DD, for example 2026-05-01",
            field=f"subject.{spec.id}",
        )
    clock.supported_day(day, f"subject.{spec.id}")
    return day


def _check_period(permit: PermitType, details: dict[str, Any], today: date) -> None:
    period = permit.permit_period
    days = period.days(details) if period else None
    if period is None or days is None:
        return
    end = date.fromisoformat(details[period.end])
    limit = period.max_days
    field = f"subject.{period.end}"
    if days < 1:
        raise InvalidInput(
            "วันสุดท้ายที่ขอต้องไม่ก่อนวันแรกที่ขอ",
            "The last day applied for must not be before the first",
            field=field,
        )
    if limit is not None and days > limit.days:
        raise InvalidInput(
            f"ขออนุญาต {days} วัน เกินกว่าที่อนุญาตได้ไม่เกิน {limit.days} วัน",
            f"{days} days applied for, more than the {limit.days} days a permit may run",
            field=field,
            max_days=limit.days,
        )
    if end < today:
        raise InvalidInput(
            f"ช่วงเวลาที่ขอสิ้นสุดไปแล้ว ({end.isoformat()})",
            f"The period applied for is already over ({end.isoformat()})",
            field=field,
        )


def office_by_slug(session: Session, slug: str) -> Office:
    office = session.exec(select(Office).where(Office.slug == slug)).first()
    if office is None:
        raise NotFound(f"ไม่พบสำนักงานเขต {slug!r}", f"No office {slug!r}")
    return office


def _office_of(session: Session, actor: Actor) -> Office:
    office = session.get(Office, actor.office_id) if actor.office_id is not None else None
    if office is None:
        raise NotFound("ไม่พบสำนักงานเขตของผู้ใช้", f"No office for staff {actor.username!r}")
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
    office = office or _office_of(session, actor)
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
        raise Conflict(
            "ระบบออกเลขติดตามซ้ำกับคำขออื่นพอดี กรุณายื่นอีกครั้ง",
            "The tracking code drawn was taken at that instant; please submit again",
        ) from exc
