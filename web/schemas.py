"""Request and response bodies of the staff API, as documented in the OpenAPI schema. A
request carries out what it asks through the domain's one call for it, for the API and the
staff pages' forms alike."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator
from sqlmodel import Session

from tracking.access import Actor
from tracking.models import Application, ApplicationEvent, ChecklistEntry, ChecklistStatus
from tracking.workflow import transitions
from tracking.workflow.intake import Applicant, Subject, submit_application
from web.schema_parts import Bilingual as Bilingual
from web.schema_parts import ResultNoticeOut

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Scalar = str | int | float | bool | None
MAX_SUBJECT_FIELDS = 30


def _storable(value: Any, path: str = "") -> None:
    """Refuse what no database stores faithfully, naming where it is: NUL characters and lone
    surrogates (``"\\ud800"``, not UTF-8) in text, and the numbers JSON cannot carry (``NaN``,
    ``Infinity``, or ``1e400``, read as infinite)."""
    where = f"{path}: " if path else ""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{where}text must not contain NUL characters")
        try:
            value.encode()
        except UnicodeEncodeError:
            raise ValueError(f"{where}text must not contain lone surrogates") from None
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}numbers must be finite (not NaN or infinite)")
    elif isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            _storable(key, path)
            name = str(key)[:64]
            _storable(item, f"{path}.{name}" if path else name)


class Input(BaseModel):
    """A request body: unknown fields refused, and nothing a database cannot store as sent
    anywhere in it (NUL characters, lone surrogates, non-finite numbers)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_unstorable(cls, data: Any) -> Any:
        _storable(data)
        return data


class ErrorOut(BaseModel):
    """Every error: a code, a message in Thai and English, and details where they help."""

    model_config = ConfigDict(extra="allow")

    error: str
    message: Bilingual


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class ApplicantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    id_number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=5, max_length=20)
    ] = Field(description="Thai ID number (13 digits, checked) or a passport number")
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    email: EmailStr | None = None


class SubjectIn(BaseModel):
    """What the application is about. Type-specific fields (``area_sqm``, ``floors``, ...) may
    be added as further keys with simple values."""

    model_config = ConfigDict(extra="allow")

    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    description: Annotated[str, StringConstraints(max_length=2000)] = ""

    @model_validator(mode="after")
    def _simple_extras(self) -> SubjectIn:
        extras = self.model_extra or {}
        if len(extras) > MAX_SUBJECT_FIELDS:
            raise ValueError(f"at most {MAX_SUBJECT_FIELDS} extra subject fields")
        for key, value in extras.items():
            if len(key) > 64 or not isinstance(value, Scalar):
                raise ValueError(
                    f"subject field {key[:64]!r} must be a short name with a"
                    " text, number or true/false value"
                )
            if isinstance(value, str) and len(value) > 500:
                raise ValueError(f"subject field {key!r} is longer than 500 characters")
        return self


class ApplicationCreate(Input):
    # The example names no received_items: it is for every intake role, and the admin takes
    # in but verifies no document (tests/web/test_fuzz.py posts it as the admin).
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "permit_type": "food-premises",
                    "applicant": {
                        "name": "สมชาย ใจดี",
                        "id_number": "1101700123456",
                        "phone": "0812345678",
                        "email": "somchai@example.org",
                    },
                    "subject": {
                        "address": "99 ถนนพญาไท แขวงวังใหม่ เขตปทุมวัน",
                        "description": "ร้านอาหาร 350 ตารางเมตร",
                        "area_sqm": 350,
                    },
                }
            ]
        },
    )

    permit_type: Annotated[str, StringConstraints(max_length=64)]
    applicant: ApplicantIn
    subject: SubjectIn
    received_items: list[Annotated[str, StringConstraints(max_length=48)]] | None = Field(
        default=None,
        max_length=100,
        description=(
            "The ids of the documents of the type's initial step the clerk has in hand and has"
            " checked (`GET /api/v1/permit-types/{slug}`: the initial step's `document` items)."
            " Each is recorded `verified`, one checklist event each on the trail, as"
            " `PATCH .../checklist/{item_id}` would, so the checklist's role rules apply."
            " Omitted, null or `[]`: nothing is recorded at intake and every item stays"
            " `pending` (the behaviour before this field existed); the receipt then names every"
            " required document as still to be supplied."
        ),
    )

    def submit(self, session: Session, actor: Actor) -> Application:
        """Take in the application (``intake.submit_application``)."""
        applicant = Applicant(
            name=self.applicant.name,
            id_number=self.applicant.id_number,
            phone=self.applicant.phone,
            email=str(self.applicant.email or ""),
        )
        subject = Subject(
            address=self.subject.address,
            description=self.subject.description,
            details=dict(self.subject.model_extra or {}),
        )
        return submit_application(
            session,
            permit_type_slug=self.permit_type,
            applicant=applicant,
            subject=subject,
            actor=actor,
            received=self.received_items,
        )


class ApplicationCreated(BaseModel):
    id: int
    tracking_code: str
    tracking_url: str
    state: str
    due_date: date
    version: int


class StepLabel(BaseModel):
    id: str
    label: Bilingual
    turn: str


class QueueItem(BaseModel):
    id: int
    tracking_code: str
    applicant_name: str
    permit_type: str
    department: str
    state: str
    step: StepLabel
    turn: str
    submitted_at: datetime
    due_date: date
    overdue: bool
    version: int
    assignee: str | None = None


class QueuePage(BaseModel):
    items: list[QueueItem]
    total: int
    total_text: str = Field(description='total as shown: "200+" when a search found more')
    page: int
    per_page: int


class ChecklistItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read models of tracking.reads

    id: str
    step: str
    kind: str
    label: dict[str, str]
    required: bool
    status: str
    note: str
    updated_by: str | None
    updated_at: datetime | None


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read models of tracking.reads

    seq: int
    kind: str
    occurred_at: datetime
    actor: str
    role: str
    event: str
    source: str | None
    target: str | None
    transition_kind: str | None
    reason: str
    ground: str | None
    out_of_turn: bool
    data: dict[str, Any]
    hash: str


class AvailableEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read models of tracking.reads

    event: str
    kind: str
    target: str
    label: Bilingual
    allowed: bool
    blocked_by: list[ErrorOut]
    needs_reason: bool
    needs_ground: bool
    needs_deadline: bool
    needs_fine: bool = False


class DelayNoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read models of tracking.reads

    number: str
    issued_on: date
    reason: Bilingual
    copy_to_opdc: bool


class ApplicantOut(BaseModel):
    name: str
    id_number: str
    phone: str
    email: str


class ApplicationDetail(BaseModel):
    id: int
    tracking_code: str
    tracking_url: str
    permit_type: str
    permit_type_name: Bilingual
    department: str
    state: str
    step: StepLabel
    turn: str
    outcome: str | None
    applicant: ApplicantOut
    subject: dict[str, Any]
    submitted_at: datetime
    due_date: date
    overdue: bool
    clock_paused_on: date | None
    applicant_deadline: date | None
    decided_on: date | None
    updated_at: datetime
    version: int
    checklist: list[ChecklistItemOut]
    trail: list[EventOut]
    delay_notices: list[DelayNoticeOut]
    events: list[AvailableEventOut]
    result_notice: ResultNoticeOut
    due_rule: Bilingual
    assignee: str | None = None  # who works the file; who may still decide it (four-eyes):
    may_decide: list[str] | None = None


class ChecklistUpdate(Input):
    status: Literal["received", "verified", "missing", "waived"]
    note: Annotated[str, StringConstraints(max_length=1000)] = ""
    version: int = Field(ge=1, le=2**31 - 1)

    def record(
        self, session: Session, application_id: int, item_id: str, actor: Actor
    ) -> ChecklistEntry:
        """Record the item (``transitions.record_checklist_item``)."""
        return transitions.record_checklist_item(
            session,
            application_id=application_id,
            item_id=item_id,
            status=ChecklistStatus(self.status),
            actor=actor,
            version=self.version,
            note=self.note,
        )


class ChecklistUpdated(BaseModel):
    item: ChecklistItemOut
    version: int


class TransitionRequest(Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "event": "refuse",
                    "reason": "สถานที่ไม่ผ่านเกณฑ์สุขลักษณะข้อ 3 และ 7 ตามผลการตรวจ",
                    "ground": "hygiene-criteria-not-met",
                    "version": 7,
                }
            ]
        },
    )

    event: Annotated[str, StringConstraints(max_length=64)]
    reason: Annotated[str, StringConstraints(max_length=2000)] = ""
    ground: Annotated[str, StringConstraints(max_length=64)] | None = None
    version: int = Field(ge=1, le=2**31 - 1)
    deadline: date | None = Field(
        default=None, description="For a deficiency request: the date missing documents are due"
    )
    fine_baht: int | None = Field(
        default=None, ge=1, le=10**9, description="For a fine settlement: the fine, in baht"
    )

    def fire(self, session: Session, application_id: int, actor: Actor) -> ApplicationEvent:
        """Fire the event (``transitions.fire``)."""
        return transitions.fire(
            session,
            application_id=application_id,
            event=self.event,
            actor=actor,
            version=self.version,
            reason=self.reason,
            ground=self.ground,
            deadline=self.deadline,
            fine_baht=self.fine_baht,
        )


class TransitionResult(BaseModel):
    id: int
    state: str
    step: StepLabel
    turn: str
    outcome: str | None
    due_date: date
    version: int
    event: EventOut
