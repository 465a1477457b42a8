"""Intake and its receipt: which permit types the actor may take in, and what the printed
receipt shows (the documents taken in and the s.8 deficiency record)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from checklists.schema import PermitType, TransitionKind
from tracking import codes
from tracking.access import Actor, authorise_intake, item_statuses, permits_in_scope
from tracking.clock import business
from tracking.errors import DomainError
from tracking.models import HANDED_IN, Application, ChecklistStatus, Office, Staff
from tracking.reads.staff.application import entries
from tracking.reads.staff.labels import Label, department_label, label
from tracking.workflow import rules
from tracking.workflow.intake import intake_documents
from tracking.workflow.machines import permit_type
from tracking.workflow.transitions import application_for


@dataclass(frozen=True)
class IntakeField:
    """A fact about the subject the permit type asks for at intake (an input of the form)."""

    id: str
    label: Label
    type: str  # "number" or "date"
    unit: Label | None
    required: bool


def intake_fields(choices: list[tuple[str, Label]], slug: str) -> list[IntakeField]:
    """The subject fields of ``slug``, if it is one of the ``choices`` the actor may take in."""
    if slug not in {choice for choice, _ in choices}:
        return []
    return [
        IntakeField(
            spec.id,
            label(spec.label),
            spec.type.value,
            label(spec.unit) if spec.unit else None,
            spec.required,
        )
        for spec in permit_type(slug).subject_fields
    ]


@dataclass(frozen=True)
class IntakeDocument:
    """A document of the intake form: ticked when received (by default, if required)."""

    id: str
    label: Label
    required: bool


def intake_document_choices(
    actor: Actor, choices: list[tuple[str, Label]], slug: str
) -> list[IntakeDocument]:
    """The documents of ``slug`` (one of the ``choices``) that ``actor`` may mark verified as
    they are taken in: every intake document for a clerk, none for a role the checklist's
    role rules keep from verifying them (those stay pending, for a clerk to check)."""
    if slug not in {choice for choice, _ in choices}:
        return []
    return [
        IntakeDocument(item.id, label(item.label), item.required)
        for item in intake_documents(permit_type(slug))
        if ChecklistStatus.verified in item_statuses(actor, item, ChecklistStatus.pending)
    ]


def intake_choices(actor: Actor) -> list[tuple[str, Label]]:
    """The permit types ``actor`` may take in, in catalogue order. Raises the refusal
    (``NotPermitted``) when the queue covers types but the actor may take in none of them."""
    allowed: list[tuple[str, Label]] = []
    refused: DomainError | None = None
    for permit in permits_in_scope(actor):
        try:
            authorise_intake(actor, permit.department)
        except DomainError as exc:
            refused = refused or exc
        else:
            allowed.append((permit.slug, label(permit.name)))
    if refused is not None and not allowed:
        raise refused
    return allowed


@dataclass(frozen=True)
class ReceiptDocument:
    label: Label
    status: str
    note: str
    required: bool
    to_supply: bool  # still to be supplied: the s.8 record names it until it is requested


@dataclass(frozen=True)
class Deficiency:
    """The s.8 record: what is missing and by when it is due. Before the deficiency request
    is recorded it is what the checklist lacks now, with no deadline yet."""

    items: list[Label]
    deadline: date | None


@dataclass(frozen=True)
class ReceiptView:
    application: Application
    permit: PermitType
    code: str
    department: Label
    business: bool  # the service time counts business days
    documents: list[ReceiptDocument]
    deficiency: Deficiency | None
    clerk: str  # the display name of who took the application in
    office: Office | None


def receipt_view(session: Session, application_id: int, actor: Actor) -> ReceiptView:
    """What the printed receipt shows: the intake documents and the s.8 deficiency record.

    The record is the deficiency request's, once it is made; before that, the documents
    still to supply, consistent with the list: each marked missing, and each required one
    not yet handed in (received, verified or waived). None: the application is complete."""
    application = application_for(session, application_id, actor, act=False)
    assert application.id is not None
    permit = permit_type(application.permit_type)
    items = {item.id: item for item in permit.items()}
    documents = {item.id for item in intake_documents(permit)}
    history = rules.load_history(session, application.id)
    request = next(
        (e for e in history if e.transition_kind == TransitionKind.deficiency_request.value),
        None,
    )
    listed = [
        ReceiptDocument(
            label(items[e.item_id].label),
            e.status,
            e.note,
            e.required,
            e.status == ChecklistStatus.missing or (e.required and e.status not in HANDED_IN),
        )
        for e in entries(session, application.id)
        if e.item_id in documents and e.item_id in items
    ]
    deficiency = None
    if request is not None:
        data = json.loads(request.data or "{}")
        deficiency = Deficiency(
            items=[label(items[i].label) for i in data.get("missing_items", []) if i in items],
            deadline=date.fromisoformat(data["deadline"]) if data.get("deadline") else None,
        )
    elif any(d.to_supply for d in listed):
        deficiency = Deficiency(items=[d.label for d in listed if d.to_supply], deadline=None)
    intake = next((e for e in history if e.kind == "intake"), None)
    return ReceiptView(
        application=application,
        permit=permit,
        code=codes.format_code(application.tracking_code),
        department=department_label(permit.department),
        business=business(permit),
        documents=listed,
        deficiency=deficiency,
        clerk=_display_name(session, intake.actor) if intake else "",
        office=session.get(Office, application.office_id),
    )


def _display_name(session: Session, username: str) -> str:
    """The staff member's display name; the username itself if the account is gone."""
    name = session.exec(select(Staff.display_name).where(Staff.username == username)).first()
    return name or username
