"""Page texts of the work queue's search box (Thai, English). ``web.texts.UI`` takes them in."""

from __future__ import annotations

SEARCH_UI: dict[str, tuple[str, str]] = {
    "search_label": ("ค้นหา", "Search"),
    "search_hint": (
        "เลขติดตาม เลขประจำตัวประชาชน 13 หลัก หรือคำในชื่อผู้ยื่นคำขอหรือที่อยู่"
        " (ไม่เกิน 5 คำ คำละอย่างน้อย 3 ตัวอักษร)",
        "A tracking code, a 13-digit ID number, or words of the applicant's name or the"
        " address (at most 5 words, each of at least 3 characters)",
    ),
    "search_refused": ("ไม่ได้ค้นหา: {why}", "Not searched: {why}"),
}
