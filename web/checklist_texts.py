"""Texts of the staff page's checklist form and of its date fields (Thai, English).
``web.texts.UI`` takes them in."""

from __future__ import annotations

from tracking.dates import FORMAT_HINT

CHECKLIST_TEXTS: dict[str, tuple[str, str]] = {
    "checklist_save": ("บันทึกรายการตรวจสอบ", "Save checklist"),
    "checklist_form_hint": (
        "เลือกผลการตรวจของแต่ละรายการแล้วกดบันทึกครั้งเดียว รายการที่ไม่เปลี่ยนจะไม่ถูกบันทึกซ้ำ",
        "Choose each item's result, then save once; items left as they are are not recorded again",
    ),
    "status_unchanged": ("ยังไม่บันทึก (คงไว้)", "Not recorded (leave as is)"),
    "item_now": ("สถานะขณะนี้", "Now"),
    "done_checklist_saved": (
        "บันทึกรายการตรวจสอบแล้ว: {items}",
        "Checklist saved: {items}",
    ),
    "done_checklist_none": (
        "ไม่มีรายการใดเปลี่ยนแปลง จึงไม่ได้บันทึก",
        "Nothing changed, so nothing was recorded",
    ),
    "err_status_for_note": (
        "เลือกผลการตรวจของรายการนี้ก่อนบันทึกหมายเหตุ",
        "Choose this item's result to record its note",
    ),
    "date_field_hint": ("รูปแบบ " + FORMAT_HINT[0], "Format: " + FORMAT_HINT[1]),
}
