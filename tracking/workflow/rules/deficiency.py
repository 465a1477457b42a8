"""The rules of the Licensing Facilitation Act s.8 deficiency request: once, on the day of
filing, naming the missing items, its record signed by both sides, a deadline after today, and
documents after that deadline returned, not taken."""

from __future__ import annotations

from checklists.schema import TransitionKind
from tracking.clock import supported_day
from tracking.dates import written
from tracking.errors import DomainError, GuardFailed, InvalidInput
from tracking.workflow.rules.context import Context


def deficiency_once(ctx: Context) -> DomainError | None:
    """Documents are requested once (s.8), and on the day of filing: the record of deficiencies
    is made then, with the applicant there to sign it."""
    if ctx.kind is not TransitionKind.deficiency_request:
        return None
    kind = TransitionKind.deficiency_request.value
    if any(e.transition_kind == kind for e in ctx.history):
        return GuardFailed(
            "ขอเอกสารเพิ่มเติมได้เพียงครั้งเดียว (พ.ร.บ.การอำนวยความสะดวกฯ มาตรา 8)",
            "Documents may be requested only once (Licensing Facilitation Act s.8)",
        )
    filed = ctx.application.submitted_on
    if ctx.today <= filed:
        return None
    return GuardFailed(
        f"ขอเอกสารเพิ่มได้เฉพาะในวันที่ยื่นคำขอ ({written(filed, 'th')})"
        " (พ.ร.บ.การอำนวยความสะดวกฯ มาตรา 8)",
        f"Documents may be requested only on the day of filing, {written(filed, 'en')}"
        " (Licensing Facilitation Act s.8)",
        filed_on=filed.isoformat(),
    )


def deficiency_names_missing_items(ctx: Context) -> DomainError | None:
    if ctx.kind is not TransitionKind.deficiency_request or missing_items(ctx.statuses):
        return None
    return GuardFailed(
        "ต้องระบุรายการเอกสารที่ขาดในรายการตรวจสอบ (สถานะ “ขาด”) ก่อนขอเอกสารเพิ่ม",
        "Mark the missing items in the checklist (status missing) before requesting them",
    )


def deficiency_record_signed(ctx: Context) -> DomainError | None:
    """The official and the applicant sign the s.8 record: its item is verified, not waived."""
    record = ctx.permit.deficiency_record if ctx.kind is TransitionKind.deficiency_request else None
    if record is None or ctx.statuses.get(record.id) == "verified":
        return None
    return GuardFailed(
        f"ต้องตรวจรายการ “{record.label.th}” ก่อน (การลงนามยกเว้นไม่ได้)",
        f"Verify “{record.label.en}” first (signatures cannot be waived)",
        unmet_items=[record.id],
    )


def supplied_by_deadline(ctx: Context) -> DomainError | None:
    """Documents after the s.8 deadline do not save the application: it is returned."""
    deadline = ctx.application.applicant_deadline
    if ctx.kind is not TransitionKind.documents_supplied or not deadline or ctx.today <= deadline:
        return None
    return GuardFailed(
        f"พ้นกำหนดส่งเอกสาร ({written(deadline, 'th')}) แล้ว ต้องคืนคำขอ ผู้ยื่นคำขอยื่นใหม่ได้ (มาตรา 8)",
        f"The document deadline ({written(deadline, 'en')}) has passed: the application is"
        " returned, and the applicant may apply again (Licensing Facilitation Act s.8)",
        deadline=deadline.isoformat(),
    )


def missing_items(statuses: dict[str, str]) -> list[str]:
    return sorted(item for item, status in statuses.items() if status == "missing")


def return_after_deadline(ctx: Context) -> DomainError | None:
    if ctx.kind is not TransitionKind.return_:
        return None
    deadline = ctx.application.applicant_deadline
    if deadline is not None and ctx.today > deadline:
        return None
    when_th = written(deadline, "th") if deadline else "-"
    when_en = written(deadline, "en") if deadline else "-"
    return GuardFailed(
        f"คืนคำขอได้เมื่อพ้นกำหนดส่งเอกสาร ({when_th}) แล้วเท่านั้น",
        f"The application can be returned only after the document deadline ({when_en}) has passed",
        deadline=deadline.isoformat() if deadline else None,
    )


def deadline_given(ctx: Context) -> DomainError | None:
    if ctx.kind is not TransitionKind.deficiency_request:
        return None
    if ctx.deadline is not None and ctx.deadline > ctx.today:
        try:
            supported_day(ctx.deadline, "deadline")
        except InvalidInput as exc:
            return exc
        return None
    return InvalidInput(
        "การขอเอกสารเพิ่มต้องกำหนดวันส่งเอกสาร (deadline) ที่อยู่หลังวันนี้",
        "A deficiency request needs a deadline after today for the missing documents",
        field="deadline",
    )
