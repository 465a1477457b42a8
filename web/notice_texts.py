"""The UI strings of result notices and appeal deadlines, in Thai and English: ``key: (thai,
english)``; ``web.texts`` adds them to its table. Only data."""

from __future__ import annotations

NOTICE_UI: dict[str, tuple[str, str]] = {
    "appeal_text": (
        "ยื่นอุทธรณ์: {to} ภายใน {days} วันนับแต่ได้รับแจ้งคำสั่ง ท่านได้รับแจ้งเมื่อวันที่ {n}"
        " จึงอุทธรณ์ได้ถึงวันที่ {d} ({law})",
        "Where to appeal: {to}; within {days} days of being notified. You were notified on {n},"
        " so the last day to appeal is {d} ({law})",
    ),
    "appeal_undelivered": (
        "ยื่นอุทธรณ์: {to} ภายใน {days} วันนับแต่วันที่ท่านได้รับแจ้งคำสั่ง"
        " ระยะเวลานับจากวันที่ได้รับแจ้ง ซึ่งสำนักงานยังไม่ได้บันทึก ({law})",
        "Where to appeal: {to}; within {days} days of the day the order reaches you."
        " The period runs from that day, which the office has not yet recorded ({law})",
    ),
    "done_result_notice": ("บันทึกการแจ้งคำสั่งแล้ว", "The delivery of the order is recorded"),
    "notice_title": ("การแจ้งคำสั่งแก่ผู้ยื่นคำขอ", "Notifying the applicant of the order"),
    "notice_order": ("คำสั่งที่แจ้ง", "Order notified"),
    "notice_order_approve": ("อนุญาต", "Approval"),
    "notice_order_refuse": ("ไม่อนุญาต", "Refusal"),
    "notice_order_return": ("คืนคำขอ", "Return of the application"),
    "notice_none": ("ยังไม่มีคำสั่งที่ต้องแจ้ง", "No order to notify yet"),
    "notice_awaiting_sending": (
        "บันทึกการส่งหนังสือแจ้งผลในขั้นตอนด้านบนก่อน แล้วจึงบันทึกวันที่ผู้ยื่นคำขอได้รับ",
        "Record the sending of the result (above) first, then the day the applicant received it",
    ),
    "notice_method": ("วิธีแจ้ง", "How it was delivered"),
    "notice_sent_on": ("วันที่ส่งทางไปรษณีย์", "Day posted"),
    "notice_delivered_on": ("วันที่ผู้ยื่นคำขอได้รับ", "Day the applicant received it"),
    "notice_hint": (
        "ไปรษณีย์ลงทะเบียน: ระบุวันที่ส่ง และวันที่ได้รับตามใบตอบรับถ้ามี"
        " หากไม่มีใบตอบรับ ถือว่าได้รับเมื่อครบ 7 วันนับแต่วันส่ง"
        " (ประมาณการ มาตรา 71 พ.ร.บ.วิธีปฏิบัติราชการทางปกครอง)",
        "Registered mail: the day posted, and the day on the return receipt if there is one;"
        " without it the notice is deemed received 7 days after posting (an estimate,"
        " Administrative Procedure Act s.71)",
    ),
    "notice_notified_on": ("ถือว่าได้รับแจ้งเมื่อ", "Counts as notified on"),
    "notice_deemed": ("ตามที่กฎหมายสันนิษฐาน", "as the law deems it"),
    "notice_record": ("บันทึกการแจ้งคำสั่ง", "Record the delivery"),
    "appeal_route": ("ช่องทางอุทธรณ์", "Appeal route"),
    "order_letter": ("พิมพ์หนังสือแจ้งคำสั่ง", "Print the order letter"),
    "order_title_approve": ("หนังสือแจ้งผลการพิจารณา", "Notice of the decision"),
    "order_title_refuse": ("หนังสือแจ้งคำสั่งไม่อนุญาต", "Notice of refusal"),
    "order_title_return": ("หนังสือแจ้งคืนคำขอ", "Notice of the return of the application"),
    "order_number": ("เลขที่หนังสือ", "Letter number"),
    "order_date": ("วันที่มีคำสั่ง", "Date of the order"),
    "order_permit": ("ประเภทคำขอ", "Application"),
    "order_address": ("สถานที่", "Place"),
    "order_ground": ("เหตุที่ไม่อนุญาต", "Ground of refusal"),
    "order_reasons": ("เหตุผลประกอบคำสั่ง", "Reasons"),
    "order_missing": ("เอกสารที่ไม่ได้ยื่นภายในกำหนด", "Documents not supplied in time"),
    "order_appeal": ("สิทธิอุทธรณ์", "Your right of appeal"),
    "order_signed": ("ผู้มีอำนาจลงนาม", "Authorised official"),
    "order_received": ("ผู้รับหนังสือ", "Received by"),
    "appeal_deadline": ("วันสุดท้ายที่อุทธรณ์ได้", "Last day to appeal"),
    "appeal_from_delivery": (
        "นับจากวันที่ผู้ยื่นคำขอได้รับแจ้ง ซึ่งยังไม่ได้บันทึก",
        "Counted from the day the applicant is notified, not yet recorded",
    ),
}
