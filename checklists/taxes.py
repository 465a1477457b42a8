"""The tax year's calendar of a tax permit type: the dates the tax acts set each year.

The Land and Buildings Tax Act sends the assessment notice within February (s.44) and takes
the tax within April (s.46); the Interior Minister may extend or postpone any of its dates in
general (s.14), so a year's real dates can differ (one B.E. 2569 notice: assessment in April,
payment by June). The payment date is therefore a default day of the year with the years that
moved it listed, each with its source: a step's deadline names it (``StepDeadline.until``), and
the file's tax year, a subject field, picks the year.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from checklists.fields import FieldType, Identifier, Strict, SubjectField

# A Buddhist Era year is the Gregorian year plus 543.
BE_OFFSET = 543


class TaxDate(StrEnum):
    """A date of the tax year that a step's deadline can be."""

    payment_by = "payment_by"


class DayOfYear(Strict):
    """A day of every year: ``day`` of ``month``, or its last day when ``day`` is None."""

    month: int = Field(ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    legal_basis: str = Field(min_length=1)

    @model_validator(mode="after")
    def _day_exists(self) -> Self:
        if self.day is not None and self.day > calendar.monthrange(2024, self.month)[1]:
            raise ValueError(f"month {self.month} has no day {self.day}")
        return self

    def in_year(self, year: int) -> date:
        """The day in the Gregorian ``year`` (the last of the month when ``day`` is None or
        past its end, 29 February in a common year being the 28th)."""
        last = calendar.monthrange(year, self.month)[1]
        return date(year, self.month, min(self.day or last, last))


class MovedYear(Strict):
    """One tax year (B.E.) whose dates the Minister moved, and where that is written."""

    year: int = Field(ge=2563, le=2800)
    payment_by: date
    source: str = Field(min_length=1)
    confirmed: bool

    @model_validator(mode="after")
    def _in_its_year(self) -> Self:
        if not self.year - BE_OFFSET <= self.payment_by.year <= self.year - BE_OFFSET + 1:
            raise ValueError(f"payment_by {self.payment_by} is not in tax year {self.year}")
        return self


class TaxCalendar(Strict):
    """The dates of each tax year, and the subject field that holds a file's tax year."""

    year_field: Identifier
    payment_by: DayOfYear
    moved: list[MovedYear] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_entry_a_year(self) -> Self:
        years = [m.year for m in self.moved]
        if len(years) != len(set(years)):
            raise ValueError("a tax year is listed once in moved")
        return self

    def date_of(self, which: TaxDate, year_be: int) -> date:
        """The ``which`` date of tax year ``year_be`` (B.E.): the year's own if it was moved,
        else the default day in that year."""
        for moved in self.moved:
            if moved.year == year_be:
                found: date = getattr(moved, which.value)
                return found
        default: DayOfYear = getattr(self, which.value)
        return default.in_year(year_be - BE_OFFSET)

    def source_of(self, which: TaxDate, year_be: int) -> tuple[str, bool]:
        """Where the date ``date_of`` gives is written, and whether that is confirmed."""
        for moved in self.moved:
            if moved.year == year_be:
                return moved.source, moved.confirmed
        default: DayOfYear = getattr(self, which.value)
        return default.legal_basis, True


def tax_calendar_problems(
    found: TaxCalendar | None, fields: Sequence[SubjectField]
) -> list[tuple[str, str]]:
    """A tax calendar reads the file's tax year from a required tax-year subject field."""
    if found is None:
        return []
    spec = next((f for f in fields if f.id == found.year_field), None)
    if spec is None or spec.type is not FieldType.tax_year or not spec.required:
        return [("tax_calendar.year_field", f"{found.year_field!r} is no required tax_year field")]
    return []
