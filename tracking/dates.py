"""Dates as people read and type them: Buddhist Era years in Thai, Gregorian in English.

One home for writing a date ("15 กุมภาพันธ์ 2570", "15 February 2027") and for reading one
typed into a form: BE ``dd/mm/yyyy`` (Thai digits too) or ISO ``yyyy-mm-dd`` (English, pasted
values). The API keeps ISO.
"""

from __future__ import annotations

import re
from datetime import date

from checklists.taxes import BE_OFFSET
from tracking.clock import ENGLISH_MONTHS, THAI_MONTHS, english_date, thai_date
from tracking.errors import InvalidInput
from tracking.workflow.text import ascii_digits

__all__ = [
    "BE_OFFSET",
    "ENGLISH_MONTHS",
    "FORMAT_HINT",
    "THAI_MONTHS",
    "parse_day",
    "typed",
    "written",
]
FORMAT_HINT = ("วว/ดด/ปปปป พ.ศ. เช่น 15/02/2570", "YYYY-MM-DD, for example 2027-02-15")
_BE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d+)")
_ISO = re.compile(r"(\d+)-(\d{1,2})-(\d{1,2})")


def written(day: date, lang: str) -> str:
    """``day`` in words: "15 กุมภาพันธ์ 2570" in Thai, "15 February 2027" in English."""
    if lang == "th":
        return thai_date(day)
    return english_date(day)


def typed(day: date | None, lang: str) -> str:
    """``day`` as a form shows it for editing: BE ``dd/mm/yyyy`` in Thai, ISO in English."""
    if day is None:
        return ""
    if lang == "th":
        return f"{day.day:02d}/{day.month:02d}/{day.year + BE_OFFSET}"
    return day.isoformat()


def parse_day(text: str, field: str) -> date:
    """The date typed as BE ``dd/mm/yyyy`` (Thai or Arabic digits) or ISO ``yyyy-mm-dd``;
    ``InvalidInput`` naming ``field`` for anything else: a 2-digit year, an impossible day."""
    plain = ascii_digits(text.strip())
    found = _BE.fullmatch(plain)
    if found:
        d, m, y = (int(g) for g in found.groups())
        digits = len(found.group(3))
        year = y - BE_OFFSET
    else:
        found = _ISO.fullmatch(plain)
        if found is None:
            raise _invalid(field)
        y, m, d = (int(g) for g in found.groups())
        digits, year = len(found.group(1)), y
    if digits != 4:
        raise InvalidInput(
            "ปีต้องมี 4 หลัก (ปี พ.ศ. เช่น 2570)",
            "The year needs 4 digits (for example 2027)",
            field=field,
        )
    try:
        return date(year, m, d)
    except ValueError:
        raise InvalidInput(
            "ไม่มีวันที่นี้ในปฏิทิน ตรวจวัน เดือน และปีอีกครั้ง",
            "No such day in the calendar: check the day, month and year",
            field=field,
        ) from None


def _invalid(field: str) -> InvalidInput:
    return InvalidInput(
        f"วันที่ไม่ถูกต้อง ใช้รูปแบบ {FORMAT_HINT[0]}",
        f"The date is not valid: use {FORMAT_HINT[1]} (or DD/MM/YYYY in the Buddhist Era)",
        field=field,
    )
