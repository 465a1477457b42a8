"""Staff forms read by the API's own request schemas: each form's fields to the schema, and
the schema's refusals to fixed, translated messages (pydantic's wording is English and may
quote the input)."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tracking.dates import parse_day
from tracking.errors import DomainError, InvalidInput
from web import i18n
from web.checklist_schemas import ChecklistBatchUpdate
from web.routes.staff.common import message
from web.schemas import ApplicationCreate, ChecklistUpdate, TransitionRequest

Model = TypeVar("Model", bound=BaseModel)

EVENT = re.compile(r"[a-z][a-z0-9_]{0,47}")
FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")

# Form fields -> the fixed message shown when the schema refuses them.
CHECKLIST_PROBLEMS = {"status": "err_status", "note": "err_note", "version": "err_form"}
TRANSITION_PROBLEMS = {
    "event": "err_form",
    "version": "err_form",
    "reason": "err_reason",
    "ground": "err_form",
    "deadline": "err_deadline",
    "fine_baht": "err_fine",
}
# Intake: the schema's field (and the domain's ``field``) -> the form input it came from.
INTAKE_INPUTS = {
    "permit_type": "permit_type",
    "applicant.name": "applicant_name",
    "applicant.id_number": "id_number",
    "applicant.phone": "phone",
    "applicant.email": "email",
    "subject.address": "address",
    "subject.description": "description",
}
INTAKE_PROBLEMS = {
    "permit_type": "err_permit_type",
    "applicant.name": "err_name",
    "applicant.id_number": "err_id_number",
    "applicant.phone": "err_phone",
    "applicant.email": "err_email",
    "subject.address": "err_address",
    "subject.description": "err_description",
}


def problems(exc: ValidationError, messages: dict[str, str]) -> list[tuple[str, str]]:
    """The schema's complaints as ``(field, message key)``, one per field, fixed texts only."""
    found: dict[str, str] = {}
    for error in exc.errors():
        field = ".".join(str(part) for part in error.get("loc", ()))
        key = messages.get(field, "err_form") if field else "err_text"
        found.setdefault(field, key)
    return list(found.items())


def _invalid(key: str, field: str | None) -> InvalidInput:
    th, en = i18n.UI[key]
    return InvalidInput(th, en, field=field)


def _parse(model: type[Model], data: dict[str, Any], messages: dict[str, str]) -> Model:
    """``data`` read by ``model``; the first refusal becomes ``InvalidInput``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field, key = problems(exc, messages)[0]
        raise _invalid(key, field or None) from None


def checklist_update(status: str, note: str, version: str) -> ChecklistUpdate:
    data = {"status": status, "note": note, "version": version}
    return _parse(ChecklistUpdate, data, CHECKLIST_PROBLEMS)


def checklist_batch(
    items: list[str], statuses: list[str], notes: list[str], version: str
) -> ChecklistBatchUpdate | None:
    """The page's one checklist form as the API's batch: each listed item's status and note,
    in the order shown. An item left without a status is left as it is (None: every item
    was); one left so with a note typed is refused, as the note would be lost."""
    if not (len(items) == len(statuses) == len(notes)):
        raise _invalid("err_form", None)
    chosen = []
    for item, status, note in zip(items, statuses, notes, strict=True):
        if status:
            chosen.append({"item": item, "status": status, "note": note})
        elif note.strip():
            th, en = i18n.UI["err_status_for_note"]
            raise InvalidInput(th, en, field="status", item=item)
    if not chosen:
        return None
    try:
        return ChecklistBatchUpdate.model_validate({"version": version, "items": chosen})
    except ValidationError as exc:
        loc = exc.errors()[0].get("loc", ())
        if len(loc) < 3 or loc[0] != "items" or not isinstance(loc[1], int):
            raise _invalid("err_form", None) from None
        field = str(loc[2])
        th, en = i18n.UI[CHECKLIST_PROBLEMS.get(field, "err_form")]
        raise InvalidInput(th, en, field=field, item=chosen[loc[1]]["item"]) from None


def form_day(text: str, field: str) -> str | None:
    """A date typed into a form (BE ``dd/mm/yyyy``, Thai digits too, or ISO) as ISO for the
    API's schema; None when left blank. ``InvalidInput`` naming ``field`` otherwise."""
    return parse_day(text, field).isoformat() if text.strip() else None


def transition_request(
    event: str, version: str, reason: str, ground: str, deadline: str, fine_baht: str = ""
) -> TransitionRequest:
    if not EVENT.fullmatch(event):
        raise _invalid("err_form", "event")
    data = {
        "event": event,
        "version": version,
        "reason": reason,
        "ground": ground or None,
        "deadline": form_day(deadline, "deadline"),
        "fine_baht": fine_baht or None,
    }
    return _parse(TransitionRequest, data, TRANSITION_PROBLEMS)


class IntakeRefused(Exception):
    """The intake form's problems: messages by form input, and those of no one input."""

    def __init__(self, errors: dict[str, str], general: list[str]) -> None:
        super().__init__(errors, general)
        self.errors = errors
        self.general = general


DETAIL = "detail_"  # the form input of a subject field the permit type declares


def intake_request(
    typed: dict[str, str], details: dict[str, str], received: list[str] | None, lang: str
) -> ApplicationCreate:
    """The intake form as the API's request (``details``: the type's subject fields as typed,
    read by the domain; ``received``: the documents ticked, None when the form listed none);
    ``IntakeRefused`` with every problem at once."""
    try:
        return ApplicationCreate.model_validate(
            {
                "permit_type": typed["permit_type"],
                "applicant": {
                    "name": typed["applicant_name"],
                    "id_number": typed["id_number"],
                    "phone": typed["phone"],
                    "email": typed["email"].strip() or None,
                },
                "subject": {
                    **details,
                    "address": typed["address"],
                    "description": typed["description"],
                },
                "received_items": received,
            }
        )
    except ValidationError as exc:
        refused = IntakeRefused({}, [])
        for field, key in problems(exc, INTAKE_PROBLEMS):
            if field in INTAKE_INPUTS:
                refused.errors[INTAKE_INPUTS[field]] = i18n.ui(key, lang)
            else:
                refused.general.append(i18n.ui(key, lang))
        raise refused from None


def intake_refusal(exc: DomainError, lang: str) -> IntakeRefused:
    """A rule's refusal of the intake, shown at the input its ``field`` names, if any."""
    text = message(exc, lang)
    field = str(exc.detail.get("field") or "")
    if field in INTAKE_INPUTS:
        return IntakeRefused({INTAKE_INPUTS[field]: text}, [])
    if field.startswith("subject."):  # one of the type's own subject fields
        return IntakeRefused({DETAIL + field.removeprefix("subject."): text}, [])
    return IntakeRefused({}, [text])
