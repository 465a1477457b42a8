"""Page texts of the manager's dashboard and of the public pages' search-engine descriptions
(Thai, English). ``web.texts.UI`` takes them in."""

from __future__ import annotations

from tracking.dates import FORMAT_HINT

DASHBOARD_TEXTS: dict[str, tuple[str, str]] = {
    "filters_hint": (
        "ช่องที่เว้นว่างหมายถึงทั้งหมด (วันที่ว่าง: ไม่จำกัดด้านนั้น)",
        "A blank field means all (a blank date: no limit on that side)",
    ),
    "date_format": ("วันที่: " + FORMAT_HINT[0], "Dates: " + FORMAT_HINT[1]),
    "date_typed": FORMAT_HINT,
    "officer_hint": ("ชื่อผู้ใช้ของเจ้าหน้าที่", "The officer's username"),
    "period_shown": ("ช่วงเวลา {since} ถึง {until}", "Period: {since} to {until}"),
    "period_open": ("ไม่จำกัด", "any date"),
    "officer_shown": (
        "แสดงเฉพาะงานของเจ้าหน้าที่ {officer} ยกเว้นตัวเลขที่ระบุว่าเป็นของทั้งสำนักงาน",
        "Showing {officer}'s work only, except the figures marked as the whole office's",
    ),
    "whole_office": ("ทั้งสำนักงาน", "whole office"),
    "downloads": ("ดาวน์โหลด", "Downloads"),
    "report_for": ("รายงานประจำเดือน{month}", "Monthly report, {month}"),
    "to_date": ("ถึงวันนี้", "to date"),
    "figures_json": ("ตัวเลขในหน้านี้ (JSON)", "This page's figures (JSON)"),
    "filter_error": ("ตัวกรองไม่ถูกต้อง", "A filter is not valid"),
}

META_TEXTS: dict[str, tuple[str, str]] = {
    "meta_track": (
        "ติดตามสถานะคำขออนุญาตของ{office}ด้วยรหัสติดตามบนใบรับคำขอ:"
        " ขั้นตอนปัจจุบัน ผู้ที่ต้องดำเนินการ เอกสารที่ขาด และกำหนดแล้วเสร็จ",
        "Track a permit application at {office} with the code on your receipt: its current"
        " step, whose turn it is, what is missing and when it is due.",
    ),
    "meta_stats": (
        "สถิติระยะเวลาการให้บริการของ{office}ย้อนหลัง 12 เดือน: จำนวนคำขอ"
        " สัดส่วนที่แล้วเสร็จตามกำหนด และจำนวนวันที่ใช้ แยกตามประเภทคำขอ",
        "Processing times at {office} over the last 12 months: applications received, the"
        " share decided on time and the days taken, by permit type.",
    ),
    "meta_permit_type": (
        "{name} ที่{office}: เอกสารที่ต้องใช้ ขั้นตอน ระยะเวลา {days} ค่าธรรมเนียม และแนวทางการพิจารณา",
        "{name} at {office}: the documents needed, the steps, the time it takes ({days}),"
        " the fee and how the office decides.",
    ),
    "meta_permit_types": (
        "คู่มือสำหรับประชาชนของ{office}: รายการเอกสาร ขั้นตอน ระยะเวลา และค่าธรรมเนียม"
        " ของคำขออนุญาตแต่ละประเภท",
        "The public guide of {office}: documents, steps, times and fees for each kind of"
        " permit application.",
    ),
}
