"""The vocabulary and the values a permit-type file is made of: bilingual text, slugs,
durations, the kinds of turn, outcome, item and transition, the legal facts (basis, fee,
validity, appeal); and the subject fields an intake records, what a type asks about the thing
applied for (a floor area, the expiry date of the permit to renew, the period a permit is for)
with the limits the law sets on them.

``checklists.schema`` builds the permit type's workflow from these and re-exports them; this
module imports nothing of the project, so the schema can stand on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=64)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]

_THAI = re.compile(r"[\u0E00-\u0E7F]")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text a person reads, in Thai (first) and English."""

    th: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @model_validator(mode="after")
    def _thai_is_thai(self) -> Self:
        if not _THAI.search(self.th):
            raise ValueError("th must be written in Thai")
        return self


class DayUnit(StrEnum):
    business = "business"
    calendar = "calendar"


class Duration(Strict):
    days: int = Field(ge=0, le=3650)
    unit: DayUnit
    confirmed: bool
    note: Text | None = None


class Turn(StrEnum):
    """Who holds the file at a step. The service clock stops on the applicant's turn."""

    authority = "authority"
    applicant = "applicant"
    none = "none"


class Outcome(StrEnum):
    """How a final step ends the application."""

    approved = "approved"
    refused = "refused"
    returned = "returned"
    withdrawn = "withdrawn"
    closed = "closed"
    prosecuted = "prosecuted"


class ItemKind(StrEnum):
    document = "document"
    inspection = "inspection"
    payment = "payment"
    opinion = "opinion"
    review = "review"
    notice = "notice"


class TransitionKind(StrEnum):
    """What a transition means in law; the rules in ``tracking`` key on this, not on names.

    - ``deficiency_request``: the one s.8 record of missing documents, with a deadline;
    - ``documents_supplied`` / ``return``: the applicant answered it, or the deadline lapsed;
    - ``review`` / ``inspection``: the actor becomes a reviewer (four-eyes);
    - ``approve`` / ``refuse``: the decision; a refusal cites a ground;
    - ``result_notice``: the written result sent to the applicant (due within 7 days of an
      approval; a refusal is its own order); when any order reached the applicant is a
      ``notice`` event of its own (``tracking.delivery``);
    - ``withdraw``: the applicant withdrew;
    - ``progress``: any other step.
    """

    progress = "progress"
    deficiency_request = "deficiency_request"
    documents_supplied = "documents_supplied"
    return_ = "return"
    review = "review"
    inspection = "inspection"
    approve = "approve"
    refuse = "refuse"
    result_notice = "result_notice"
    withdraw = "withdraw"


DECISIONS = frozenset({TransitionKind.approve, TransitionKind.refuse})


class LegalBasis(Strict):
    act: Text
    sections: list[str] = Field(min_length=1)


class Fee(Strict):
    description: Text
    amount_baht: float | None = Field(default=None, ge=0)
    confirmed: bool


class Note(Strict):
    text: Text
    confirmed: bool


class Appeal(Strict):
    to: Text
    days: int = Field(ge=1, le=3650)
    legal_basis: str
    confirmed: bool


class FieldType(StrEnum):
    """A subject field's value: a number (a measure, greater than zero), a date (stored as
    its ISO text, ``2026-05-01``) or a tax year (a Buddhist Era year, ``2570``)."""

    number = "number"
    date = "date"
    tax_year = "tax_year"


# Keys the subject has of its own (``intake.Subject``); a declared field cannot take them.
SUBJECT_KEYS = frozenset({"address", "description"})


class Threshold(Strict):
    """A limit the law sets on a number, and where an application beyond it belongs: said to
    the applicant (``otherwise``) and, when it is a type of this catalogue, named (``instead``)."""

    value: float = Field(ge=0)
    legal_basis: str
    confirmed: bool
    otherwise: Text
    instead: Slug | None = None
    note: Text | None = None


class SubjectField(Strict):
    """One fact about the subject that intake records in ``Application.subject_details``."""

    id: Identifier
    type: FieldType
    label: Text
    required: bool
    unit: Text | None = None
    # A number must be more than ``above`` and at most ``at_most``.
    above: Threshold | None = None
    at_most: Threshold | None = None

    @model_validator(mode="after")
    def _limits_on_numbers(self) -> Self:
        if self.type is not FieldType.number and (self.unit or self.above or self.at_most):
            raise ValueError("only a number field has a unit or thresholds")
        if self.above and self.at_most and self.above.value >= self.at_most.value:
            raise ValueError("above must be less than at_most")
        return self


class PermitPeriod(Strict):
    """The period a permit is applied for, as two date fields of the subject: at most
    ``max_days`` days, first and last counted; what was put up is removed within
    ``removal_days`` days after the last (both in calendar days)."""

    start: Identifier
    end: Identifier
    max_days: Duration | None = None
    removal_days: Duration | None = None

    def days(self, details: Mapping[str, Any]) -> int | None:
        """The length of the period recorded in ``details``, first and last day counted."""
        start, end = _iso_day(details.get(self.start)), _iso_day(details.get(self.end))
        return (end - start).days + 1 if start and end else None

    def removal_by(self, details: Mapping[str, Any]) -> date | None:
        """The last day to remove what was put up, for the period in ``details``; None
        without a removal duty or a recorded end."""
        end = _iso_day(details.get(self.end))
        if self.removal_days is None or end is None:
            return None
        return end + timedelta(days=self.removal_days.days)


def _iso_day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def subject_problems(
    fields: Sequence[SubjectField],
    period: PermitPeriod | None,
    dated_grounds: Sequence[tuple[int, str]],
) -> list[tuple[str, str]]:
    """How the subject fields, the permit period and the grounds that need a date
    (``(index, field id)``) fail to fit together, as ``(field, problem)`` pairs."""
    problems: list[tuple[str, str]] = []
    declared: dict[str, SubjectField] = {}
    for i, spec in enumerate(fields):
        if spec.id in declared:
            problems.append((f"subject_fields.{i}.id", f"duplicate subject field {spec.id!r}"))
        if spec.id in SUBJECT_KEYS:
            problems.append((f"subject_fields.{i}.id", f"{spec.id!r} is the subject's own key"))
        declared[spec.id] = spec
    dates = {i for i, spec in declared.items() if spec.type is FieldType.date}
    if period is not None:
        for end in ("start", "end"):
            name = getattr(period, end)
            if name not in dates or not declared[name].required:
                problems.append(
                    (f"permit_period.{end}", f"{name!r} is not a required date subject field")
                )
        for limit in ("max_days", "removal_days"):
            duration = getattr(period, limit)
            if duration is not None and duration.unit is not DayUnit.calendar:
                problems.append((f"permit_period.{limit}", "a permit period counts calendar days"))
    for i, name in dated_grounds:
        if name not in dates:
            problems.append(
                (f"refusal_grounds.{i}.received_after", f"{name!r} is not a date subject field")
            )
    return problems
