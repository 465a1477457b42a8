"""Page texts of the legal clocks (Thai, English): the rule that set a due date, extensions
of the period and their notices. ``web.texts.UI`` takes them in."""

from __future__ import annotations

CLOCK_TEXTS: dict[str, tuple[str, str]] = {
    "due_rule": ("กำหนดตาม", "Set by"),
    "extensions_n": (
        "การขยายระยะเวลาพิจารณาที่แจ้งเป็นหนังสือ",
        "extensions of the period, notified in writing",
    ),
    "extension_notice": ("หนังสือแจ้งขยายระยะเวลาพิจารณา", "Notice of extension of the period"),
    "notice_number": ("เลขที่หนังสือ", "Notice number"),
    "notice_date": ("ลงวันที่", "Date"),
    "extend_title": ("ขยายระยะเวลาพิจารณา", "Extend the period to decide"),
    "extend_days": ("จำนวนวันที่ขยาย", "Days added"),
    "extend_reason": ("เหตุผล (แจ้งผู้ยื่นคำขอเป็นหนังสือ)", "Reason (told to the applicant in writing)"),
    "extend_button": ("บันทึกและออกหนังสือแจ้ง", "Record and issue the notice"),
    "extensions_given": ("หนังสือแจ้งขยายระยะเวลา", "Extension notices"),
    "done_extension": ("บันทึกการขยายระยะเวลาแล้ว", "The extension was recorded"),
    "err_days": ("จำนวนวันไม่ถูกต้อง", "The number of days is not valid"),
}
