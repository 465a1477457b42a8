"""The facts a permit type asks about its subject (``checklists.fields``), read and checked at
intake: numbers within the type's thresholds, dates within the office's range, a tax year, a
permit period no longer than the type allows."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from checklists.fields import FieldType, SubjectField, Threshold
from checklists.loader import default_catalogue
from checklists.schema import PermitType
from checklists.taxes import BE_OFFSET
from tracking import clock
from tracking.dates import parse_day, written
from tracking.errors import InvalidInput
from tracking.workflow.text import ascii_digits

# The first tax year of the Land and Buildings Tax Act B.E. 2562 (in force from 1 Jan 2563).
FIRST_TAX_YEAR = 2563


def read_details(permit: PermitType, found: dict[str, Any], today: date) -> dict[str, Any]:
    """The subject details ``found`` with the fields ``permit`` declares read and checked,
    ``today`` being the day of filing (``intake.read_subject_fields``). Raises
    ``InvalidInput`` naming the field."""
    details = dict(found)
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
        elif spec.type is FieldType.tax_year:
            details[spec.id] = _tax_year(spec, value, today)
        else:
            details[spec.id] = _day(spec, value).isoformat()
    _check_period(permit, details, today)
    return details


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
            f"{spec.label.th}ต้องเป็นตัวเลขที่มากกว่า 0",
            f"{spec.label.en} must be a number greater than 0",
            field=f"subject.{spec.id}",
        )
    if spec.above is not None and number <= spec.above.value:
        raise _beyond(spec, spec.above, number)
    if spec.at_most is not None and number > spec.at_most.value:
        raise _beyond(spec, spec.at_most, number)
    return int(number) if number.is_integer() else number


def _tax_year(spec: SubjectField, value: Any, today: date) -> int:
    """A tax year: a Buddhist Era year from the Land and Buildings Tax Act's first (B.E. 2563)
    to the year after ``today``'s (a survey for next year's list)."""
    text = ascii_digits(str(value)).strip() if not isinstance(value, bool) else ""
    latest = today.year + BE_OFFSET + 1
    if text.isdigit() and FIRST_TAX_YEAR <= int(text) <= latest:
        return int(text)
    raise InvalidInput(
        f"{spec.label.th}ต้องเป็นปี พ.ศ. ตั้งแต่ {FIRST_TAX_YEAR} ถึง {latest} เช่น {latest - 1}",
        f"{spec.label.en} must be a Buddhist Era year from {FIRST_TAX_YEAR} to {latest},"
        f" for example {latest - 1}",
        field=f"subject.{spec.id}",
    )


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
    """A date field as typed: BE ``dd/mm/yyyy`` (Thai or Arabic digits) or ISO (``dates``)."""
    field = f"subject.{spec.id}"
    if type(value) is date:
        day = value
    else:
        try:
            day = parse_day(value if isinstance(value, str) else "", field)
        except InvalidInput as error:
            raise InvalidInput(
                f"{spec.label.th}: {error.th}", f"{spec.label.en}: {error.en}", field=field
            ) from None
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
            f"ช่วงเวลาที่ขอสิ้นสุดไปแล้ว ({written(end, 'th')})",
            f"The period applied for is already over ({written(end, 'en')})",
            field=field,
        )
