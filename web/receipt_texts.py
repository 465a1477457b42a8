"""The UI strings of intake's documents and the printed receipt, in Thai and English:
``key: (thai, english)``; ``web.texts`` adds them to its table. Only data."""

from __future__ import annotations

RECEIPT_UI: dict[str, tuple[str, str]] = {
    "intake_documents": ("เอกสารที่ได้รับ", "Documents received"),
    "intake_documents_hint": (
        "ติ๊กเอกสารที่ได้รับและตรวจกับต้นฉบับแล้ว (เอกสารที่ต้องมีติ๊กไว้ให้แล้ว)"
        " เอกสารที่ไม่ได้ติ๊กจะบันทึกว่ายังไม่ได้รับ และใบรับคำขอจะระบุเอกสารที่ต้องมีแต่ยังขาด"
        "ไว้ในบันทึกตามมาตรา 8",
        "Tick the documents you have received and checked against the originals (the"
        " required ones are ticked for you). Unticked ones are recorded as not yet received,"
        " and the receipt's s.8 record names each required one still missing.",
    ),
    "intake_documents_later": (
        "เมื่อเลือกประเภทคำขอและกด “แสดงช่องข้อมูลของประเภทนี้” จะมีรายการเอกสารให้ติ๊ก"
        " หากบันทึกโดยไม่ติ๊ก ทุกรายการจะยังไม่ได้รับ ตรวจได้ภายหลังที่หน้าคำขอ",
        "Choose the permit type and press “Show this type's fields” to tick the documents"
        " received. Saved without them, every document is recorded as not yet received; check"
        " them later on the application's page.",
    ),
    "err_documents_for": (
        "ประเภทคำขอเปลี่ยนไป รายการเอกสารด้านล่างเป็นของประเภทที่เลือกใหม่ กรุณาติ๊กเอกสารที่ได้รับอีกครั้งแล้วบันทึก",
        "The permit type changed: the documents below are the new type's. Tick the ones"
        " received again, then save.",
    ),
    "to_supply": ("ต้องยื่นเพิ่มเติม", "to be supplied"),
    "deficiency_deadline_unset": (
        "ยังไม่ได้บันทึกกำหนดวันส่ง: เจ้าหน้าที่บันทึกการขอเอกสารเพิ่มเติมพร้อมกำหนดวันส่ง แล้วพิมพ์ใบรับนี้อีกครั้ง",
        "No deadline recorded yet: the officer records the request for these documents with"
        " its deadline, then prints this receipt again.",
    ),
    "receipt_back": ("กลับไปที่คำขอ", "Back to the application"),
    "receipt_print_hint": (
        "กด Ctrl+P (Mac: ⌘+P) เพื่อพิมพ์ ใบรับพิมพ์พอดีกระดาษ A4 หนึ่งแผ่น",
        "Ctrl+P (Mac: ⌘+P) prints it; the receipt fits one A4 sheet.",
    ),
    "receipt_actions": ("การดำเนินการกับใบรับ", "Receipt actions"),
}
