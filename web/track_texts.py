"""The public status page's texts for the applicant's turn: the fee at a payment step, and
why a deadline is not known yet (``tracking.reads.public.DeadlineGap``). ``key: (thai,
english)``, merged into ``web.texts.UI``."""

from __future__ import annotations

TRACK_UI: dict[str, tuple[str, str]] = {
    "contact_unconfirmed": (
        "ที่อยู่ โทรศัพท์หรือเวลาทำการนี้ยังไม่ได้ตรวจสอบกับสำนักงานเขต"
        " หากติดต่อไม่ได้ โปรดโทรสายด่วนกรุงเทพมหานคร 1555",
        "This address, telephone or opening hours has not been checked with the district"
        " office yet; if it does not reach them, call the Bangkok hotline 1555",
    ),
    "fee_title": ("ค่าธรรมเนียมที่ต้องชำระ", "Fee to pay"),
    "fee_amount": ("{amount} บาท", "{amount} baht"),
    "fee_none": ("ไม่มีค่าธรรมเนียม", "No fee"),
    "fee_estimate": ("ประมาณการ รอสำนักงานยืนยัน", "estimate, to be confirmed by the office"),
    "fee_unknown": (
        "สำนักงานจะแจ้งจำนวนเงินตามการประเมินของสำนักงาน",
        "The office sets the amount in its assessment and will tell you",
    ),
    "pay_by": ("ชำระภายในวันที่", "Pay by"),
    "gap_notice_not_delivered": (
        "กำหนดเวลานับจากวันที่ท่านได้รับหนังสือแจ้งของสำนักงาน ซึ่งยังไม่มีบันทึกว่าส่งถึงท่านแล้ว",
        "The deadline runs from the day the office's notice reaches you, and its delivery"
        " is not recorded yet",
    ),
    "gap_tax_year_missing": (
        "กำหนดเวลาเป็นวันที่ของปีภาษี แต่คำขอนี้ยังไม่ได้ระบุปีภาษี กรุณาติดต่อสำนักงาน",
        "The deadline is a date of the tax year, and no tax year is recorded on this file"
        " yet; please contact the office",
    ),
    "gap_not_recorded": (
        "สำนักงานยังไม่ได้บันทึกวันครบกำหนด กรุณาติดต่อสำนักงาน",
        "The office has not recorded the deadline yet; please contact the office",
    ),
}
