"""On the applicant's turn: what they still have to supply, by when (or why that is not known
yet), and, at a step where they pay, the permit type's fee.

Only catalogue labels and dates leave here, never what the file says about the applicant.
The checklist is read only on the applicant's turn; the subject details only where the
deadline is a date of the tax year and none is stored, the one case they decide it.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection

from checklists.fields import Fee, ItemKind
from checklists.lapses import Start
from checklists.loader import default_catalogue
from checklists.schema import PermitType, Step, Text, Turn
from tracking.clock import BusinessCalendar
from tracking.models import HANDED_IN, ChecklistStatus
from tracking.reads.public.sql import as_mapping, rows
from tracking.reads.public.status import DeadlineGap, OutstandingItem
from tracking.reads.public.timeline import ROAD_ENDS
from tracking.workflow.rules import current_deadline

_CHECKLIST = "SELECT item_id, status FROM checklist_entry WHERE application_id = {id}"
_DETAILS = "SELECT subject_details FROM application WHERE id = {id}"
_SUMS = (
    "SELECT data FROM application_event WHERE application_id = {id} AND event = {event}"
    " ORDER BY seq DESC"
)


@lru_cache(maxsize=1024)
def wanted(slug: str, step_id: str) -> frozenset[str]:
    """The items of ``step_id`` the applicant supplies to move on: its required items and
    those the next transition on the usual road requires (revised plans an amendment order
    asks for), not the optional ones (an objection form)."""
    permit = default_catalogue()[slug]
    step = permit.step(step_id)
    own = {item.id for item in step.checklist}
    road = permit.road(step_id, set(ROAD_ENDS))
    onward = set(road[0].requires) & own if road else set()
    return frozenset({item.id for item in step.checklist if item.required} | onward)


@lru_cache(maxsize=1024)
def pays_at(slug: str, step_id: str) -> bool:
    """The step is the applicant's turn and one of its items is a payment."""
    step = default_catalogue()[slug].step(step_id)
    return step.turn is Turn.applicant and any(i.kind is ItemKind.payment for i in step.checklist)


def fee_at(permit: PermitType, step: Step) -> Fee | None:
    """The permit type's fee at a step where the applicant pays; None elsewhere."""
    return permit.fee if pays_at(permit.slug, step.id) else None


@lru_cache(maxsize=64)
def _sum_event(slug: str) -> tuple[str, Text] | None:
    """The transition of ``slug`` that sets a sum to pay (a settled fine), and its label."""
    permit = default_catalogue()[slug]
    return next(((t.event, t.fine.label) for t in permit.transitions if t.fine), None)


def sum_set(
    connection: Connection, permit: PermitType, step: Step, application_id: int
) -> tuple[Text, int] | None:
    """At a payment step of a type whose decision sets the sum (a settled fine), its label
    and the amount in baht recorded in that decision's event; None elsewhere."""
    found = _sum_event(permit.slug) if pays_at(permit.slug, step.id) else None
    if found is None:
        return None
    event, label = found
    for (data,) in rows(connection, _SUMS, id=application_id, event=event):
        amount = as_mapping(data).get("fine_baht")
        if isinstance(amount, int):
            return label, amount
    return None


def outstanding(
    connection: Connection, permit: PermitType, step: Step, application_id: int
) -> list[OutstandingItem]:
    """What the applicant still has to supply, in catalogue order: the items the office
    marked missing (the s.8 deficiency request names them) and those of the step the
    applicant has not handed in."""
    wanted_here = wanted(permit.slug, step.id)
    owed = {
        item_id
        for item_id, status in rows(connection, _CHECKLIST, id=application_id)
        if status == ChecklistStatus.missing or (item_id in wanted_here and status not in HANDED_IN)
    }
    return [OutstandingItem(i, label) for i, label in permit.item_labels.items() if i in owed]


def deadline(
    connection: Connection,
    permit: PermitType,
    step: Step,
    application: Any,
    calendar: BusinessCalendar,
) -> tuple[date | None, DeadlineGap | None]:
    """The applicant's deadline at ``step`` (``current_deadline``), or, where the step gives
    one that cannot be known yet, why: its days run from a notice not yet delivered, or it is
    a date of a tax year the file does not record. ``application``: the row the lookup read
    (``id``, ``state``, ``applicant_deadline``, ``state_entered_at``)."""
    rule = step.deadline
    if rule is None:
        return None, None
    found = current_deadline(permit, application, calendar)
    if found is not None:
        return found, None
    if rule.until is not None:
        (details,) = rows(connection, _DETAILS, id=application.id)[0]
        with_year = SimpleNamespace(
            state=application.state,
            applicant_deadline=None,
            state_entered_at=application.state_entered_at,
            subject_details=as_mapping(details),
        )
        found = current_deadline(permit, with_year, calendar)
        return (found, None) if found else (None, DeadlineGap.tax_year_missing)
    if rule.starts is Start.notice_delivered:
        return None, DeadlineGap.notice_not_delivered
    return None, DeadlineGap.not_recorded
