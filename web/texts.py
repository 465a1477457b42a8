"""Every UI string of the site, in Thai and English: ``key: (thai, english)``.

Only data. ``web.i18n`` picks, formats and escapes them (``ui``, ``TEXTS``, ``TEXT_ATTRS``)
and re-exports this table as ``web.i18n.UI``.
"""

from __future__ import annotations

from checklists.schema import ROLE_NAMES
from tracking.access import STATUS_NAMES
from web.assignment_texts import ASSIGNMENT_TEXTS
from web.checklist_texts import CHECKLIST_TEXTS
from web.city_texts import CITY_TEXTS
from web.clock_texts import CLOCK_TEXTS
from web.dashboard_texts import DASHBOARD_TEXTS, META_TEXTS
from web.notice_texts import NOTICE_UI
from web.receipt_texts import RECEIPT_UI
from web.search_texts import SEARCH_UI
from web.track_texts import TRACK_UI

UI: dict[str, tuple[str, str]] = {
    "site": ("ติดตามคำขออนุญาต", "Permit tracking"),
    "skip": ("ข้ามไปยังเนื้อหา", "Skip to content"),
    "switch": ("English", "ภาษาไทย"),
    "switch_label": ("Read this page in English", "อ่านหน้านี้เป็นภาษาไทย"),
    "track_title": ("ติดตามสถานะคำขอ", "Track your application"),
    "track_intro": (
        "กรอกรหัสติดตาม 10 ตัวอักษรที่พิมพ์อยู่บนใบรับคำขอ หรือสแกนคิวอาร์โค้ดบนใบรับ",
        "Enter the 10-character tracking code printed on your receipt, or scan its QR code.",
    ),
    "code_label": ("รหัสติดตาม", "Tracking code"),
    "code_hint": (
        "ตัวอย่าง K7MP2-Q9XR4 (ไม่ต้องสนใจตัวพิมพ์เล็กใหญ่หรือขีด)",
        "For example K7MP2-Q9XR4 (case and dashes do not matter)",
    ),
    "look_up": ("ตรวจสอบสถานะ", "Check status"),
    "permit_types": ("คู่มือและรายการเอกสารแต่ละประเภทคำขอ", "Checklists for each permit"),
    "status": ("สถานะปัจจุบัน", "Current status"),
    "whose_turn": ("ขณะนี้อยู่ที่", "Who has the file"),
    "turn_authority": ("เจ้าหน้าที่กำลังดำเนินการ", "The office is working on it"),
    "turn_applicant": ("รอท่านดำเนินการ", "Waiting for you"),
    "turn_none": ("เสร็จสิ้นแล้ว", "Finished"),
    "your_turn": ("สิ่งที่ท่านต้องทำ", "What you need to do"),
    "bring": ("เอกสารหรือรายการที่ต้องนำมา", "Bring or provide"),
    "by": ("ภายในวันที่", "By"),
    "where": ("ที่", "Where"),
    "submitted": ("วันที่ยื่นคำขอ", "Submitted"),
    "due": ("กำหนดแล้วเสร็จ", "Due"),
    "days_left": ("เหลืออีก {n} วันทำการ", "{n} business days left"),
    "days_left_cal": ("เหลืออีก {n} วัน", "{n} days left"),
    "due_today": ("ครบกำหนดวันนี้", "Due today"),
    "overdue": ("เกินกำหนดแล้ว {n} วันทำการ", "Overdue by {n} business days"),
    "overdue_cal": ("เกินกำหนดแล้ว {n} วัน", "Overdue by {n} days"),
    "paused": (
        "นับเวลาหยุดไว้ตั้งแต่ {d} ระหว่างรอท่าน",
        "The clock has been stopped since {d} while the file is with you",
    ),
    "at_step": ("อยู่ในขั้นตอนนี้มา {n} วัน", "At this step for {n} days"),
    "time_at_step": ("ระยะเวลาในขั้นตอนปัจจุบัน", "Time at the current step"),
    "receipt": ("ใบรับคำขอ", "Receipt"),
    "receipt_track_hint": (
        "ติดตามสถานะได้ที่ {url} หรือสแกนคิวอาร์โค้ด",
        "Track it at {url} or scan the QR code",
    ),
    "qr_alt": ("คิวอาร์โค้ดสำหรับติดตามสถานะ: {url}", "QR code to track this application: {url}"),
    "applicant_name": ("ผู้ยื่นคำขอ", "Applicant"),
    "documents_received": ("เอกสารที่ได้รับ", "Documents received"),
    "item_status": ("ผลการตรวจ", "Check"),
    **{f"status_{status}": names for status, names in STATUS_NAMES.items()},
    "deficiency_record": (
        "บันทึกความบกพร่องและรายการเอกสารที่ต้องยื่นเพิ่มเติม",
        "Record of deficiencies and documents still required",
    ),
    "deficiency_law": (
        "ตามพระราชบัญญัติการอำนวยความสะดวกในการพิจารณาอนุญาตของทางราชการ พ.ศ. 2558"
        " มาตรา 8 เจ้าหน้าที่ขอเอกสารเพิ่มได้เพียงครั้งเดียว",
        "Licensing Facilitation Act B.E. 2558 s.8: documents may be requested only once.",
    ),
    "deficiency_items": (
        "ผู้ยื่นคำขอต้องยื่นเอกสารหรือแก้ไขรายการต่อไปนี้",
        "The applicant must supply or correct the following",
    ),
    "deficiency_deadline": ("ภายในวันที่", "By"),
    "deficiency_return": (
        "หากไม่ยื่นภายในกำหนด จะคืนคำขอพร้อมแจ้งเหตุผล",
        "If they are not supplied by then, the application will be returned with the reasons.",
    ),
    "deficiency_none": (
        "เอกสารครบถ้วนตามคู่มือ ไม่มีรายการที่ต้องยื่นเพิ่มเติม",
        "The documents match the published checklist; nothing more is needed.",
    ),
    "sign_officer": ("ลงชื่อเจ้าหน้าที่ผู้รับคำขอ", "Receiving officer's signature"),
    "sign_applicant": ("ลงชื่อผู้ยื่นคำขอ", "Applicant's signature"),
    "permit_type": ("ประเภทคำขอ", "Permit type"),
    "manager_only": ("หน้านี้สำหรับผู้บริหารเท่านั้น", "This page is for managers only"),
    "dashboard": (
        "การปฏิบัติตามแนวทางการใช้ดุลยพินิจและ พ.ร.บ.การอำนวยความสะดวกฯ",
        "Compliance with the discretion guidelines and the Licensing Facilitation Act",
    ),
    "period": ("ช่วงเวลา", "Period"),
    "from": ("ตั้งแต่", "From"),
    "to": ("ถึง", "To"),
    "all": ("ทั้งหมด", "All"),
    "officer": ("เจ้าหน้าที่", "Officer"),
    "apply": ("แสดงผล", "Show"),
    "received_n": ("รับคำขอ", "Received"),
    "decided_n": ("พิจารณาแล้วเสร็จ", "Decided"),
    "on_time_rate": ("แล้วเสร็จตามกำหนด", "Decided on time"),
    "open_overdue": ("ค้างเกินกำหนด", "Open and overdue"),
    "letters": ("หนังสือแจ้งเหตุล่าช้า (ส่ง/ต้องส่ง)", "Delay letters (sent/due)"),
    "four_eyes_breaches": ("ผู้ตรวจเป็นผู้อนุญาตเอง (หลักสี่ตา)", "Four-eyes breaches"),
    "out_of_turn_n": ("พิจารณาข้ามลำดับ", "Decided out of turn"),
    "without_reason": ("ไม่บันทึกเหตุผล", "without a reason"),
    "multi_deficiency": (
        "ขอเอกสารเพิ่มเกิน 1 ครั้ง (ต้องเป็น 0)",
        "More than one deficiency request (must be 0)",
    ),
    "refusals_no_ground": (
        "ไม่อนุญาตโดยไม่อ้างเหตุ (ต้องเป็น 0)",
        "Refusals without a ground (must be 0)",
    ),
    "results_late": ("แจ้งผลเกิน 7 วัน หรือยังไม่แจ้ง", "Results notified late or not yet"),
    "by_type": ("แยกตามประเภทคำขอ", "By permit type"),
    "median": ("มัธยฐาน (วัน)", "Median (days)"),
    "p90": ("เปอร์เซ็นไทล์ที่ 90 (วัน)", "90th percentile (days)"),
    "chart_title": (
        "สัดส่วนที่แล้วเสร็จตามกำหนด แยกตามประเภทคำขอ",
        "Share decided on time, by permit type",
    ),
    "oldest_overdue": ("คำขอค้างเกินกำหนด (เก่าสุดก่อน)", "Overdue applications, oldest first"),
    "days_late": ("เกินกำหนด (วัน)", "Days overdue"),
    "refusal_grounds": ("การไม่อนุญาตจำแนกตามเหตุ", "Refusals by ground"),
    "returned_n": ("คืนคำขอ", "Returned"),
    "officers_title": ("เจ้าหน้าที่เทียบกับเพื่อนร่วมฝ่าย", "Officers against their peers"),
    "officers_note": (
        "ค่าที่ต่างจากเพื่อนร่วมฝ่ายมาก (ค่า z แบบ robust เกิน 3) ถูกทำเครื่องหมายเพื่อทบทวน ไม่ใช่ข้อสรุปว่าผิด",
        "Values far from department peers (robust z-score over 3) are marked for review,"
        " not judged.",
    ),
    "approval_rate": ("อัตราอนุญาต", "Approval rate"),
    "median_step": ("วันต่อขั้นตอน (มัธยฐาน)", "Median days per step"),
    "deficiency_rate": ("อัตราขอเอกสารเพิ่ม", "Deficiency-request rate"),
    "review_flag": ("ควรทบทวน", "Review"),
    "waivers_title": ("รายการที่ต้องมีซึ่งได้รับการยกเว้น", "Required items waived"),
    "waivers_note": (
        "การยกเว้นรายการที่ต้องมีเป็นการใช้ดุลยพินิจ และต้องบันทึกเหตุผลทุกครั้ง",
        "Waiving a required item is a use of discretion, and each waiver records its reason",
    ),
    "waived_n": ("ยกเว้น", "Waived"),
    "signed_off_n": ("ตรวจหรือยกเว้นทั้งหมด", "Verified or waived"),
    "waiver_rate": ("อัตราการยกเว้น", "Waiver rate"),
    "case": ("คำขอ", "Application"),
    "reason": ("เหตุผล", "Reason"),
    "count": ("จำนวน", "Count"),
    "report": ("รายงานประจำเดือน", "Monthly report"),
    "stats_title": ("สถิติระยะเวลาการให้บริการ", "Processing-time statistics"),
    "stats_intro": (
        "คำขอที่พิจารณาแล้วเสร็จระหว่าง {since} ถึง {until}",
        "Applications decided between {since} and {until}",
    ),
    "download_csv": ("ดาวน์โหลด CSV", "Download CSV"),
    "none": ("ไม่มี", "None"),
    "staff_login": ("เข้าสู่ระบบเจ้าหน้าที่", "Staff sign-in"),
    "username": ("ชื่อผู้ใช้", "Username"),
    "password": ("รหัสผ่าน", "Password"),
    "sign_in": ("เข้าสู่ระบบ", "Sign in"),
    "timeline": ("ขั้นตอนการพิจารณา", "Steps"),
    "done_on": ("เสร็จ {d}", "done {d}"),
    "since": ("เริ่ม {d}", "since {d}"),
    "now": ("ขั้นตอนปัจจุบัน", "current step"),
    "next": ("ขั้นตอนถัดไป", "next step"),
    "later": ("ขั้นตอนต่อ ๆ ไป", "later step"),
    "delay_title": ("หนังสือแจ้งเหตุล่าช้า", "Delay letters"),
    "delay_rule": (
        "เมื่อพิจารณาไม่แล้วเสร็จตามกำหนด สำนักงานต้องมีหนังสือแจ้งเหตุล่าช้าถึงท่านทุก 7 วัน"
        " พร้อมสำเนาถึงสำนักงาน ก.พ.ร. (พ.ร.บ.การอำนวยความสะดวกฯ มาตรา 10)",
        "When a decision is late, the office must write to you every 7 days with the reason,"
        " copied to the OPDC (Licensing Facilitation Act s.10).",
    ),
    "delay_count": ("ส่งแล้ว {sent} ฉบับ จากที่ต้องส่ง {due} ฉบับ", "{sent} sent of {due} due so far"),
    "decision": ("ผลการพิจารณา", "Decision"),
    "decided_on": ("วันที่มีคำสั่ง", "Decided on"),
    "approved": ("อนุญาต", "Approved"),
    "refused": ("ไม่อนุญาต", "Refused"),
    "returned": ("คืนคำขอ", "Returned"),
    "withdrawn": ("ยกเลิกคำขอ", "Withdrawn"),
    "closed": ("เสร็จสิ้น", "Closed"),
    "prosecuted": ("ส่งดำเนินคดี", "Referred for prosecution"),
    "ground": ("เหตุที่ไม่อนุญาต", "Ground for refusal"),
    "appeal": ("สิทธิอุทธรณ์", "Your right of appeal"),
    "contact": ("ติดต่อสอบถาม", "Contact"),
    "phone": ("โทรศัพท์", "Phone"),
    "hours": ("เวลาทำการ", "Opening hours"),
    "complaint": ("ร้องเรียนการทุจริต", "Report corruption"),
    "feedback": ("แสดงความคิดเห็นต่อการให้บริการ", "Give feedback on our service"),
    "updated": ("ปรับปรุงสถานะล่าสุด", "Status last updated"),
    "privacy": (
        "หน้านี้ไม่แสดงข้อมูลส่วนบุคคลของผู้ยื่นคำขอ",
        "This page shows no personal data of the applicant.",
    ),
    "service_time": ("ระยะเวลาให้บริการตามคู่มือ", "Service time in the citizens' manual"),
    "due_if_applied_today": (
        "ยื่นวันนี้ ควรได้รับผลภายใน {d}",
        "Applied today, decision due by {d}",
    ),
    "statutory": ("ระยะเวลาตามกฎหมาย", "Time limit in law"),
    "business_days": ("{n} วันทำการ", "{n} business days"),
    "calendar_days": ("{n} วัน", "{n} days"),
    "fee": ("ค่าธรรมเนียม", "Fee"),
    "validity": ("อายุใบอนุญาต", "Validity"),
    "department": ("หน่วยงานที่รับผิดชอบ", "Responsible section"),
    "legal_basis": ("กฎหมายที่เกี่ยวข้อง", "Legal basis"),
    "law_sections": ("มาตรา {s}", "s.{s}"),
    "law_whole": ("ทั้งฉบับ", "all"),
    "documents": ("รายการเอกสารและการตรวจสอบ", "Documents and checks"),
    "required": ("จำเป็น", "required"),
    "optional": ("ถ้ามี", "if applicable"),
    "steps": ("ขั้นตอน", "Steps"),
    "grounds": ("เหตุที่อาจไม่อนุญาต", "Grounds for refusal"),
    "guideline": ("แนวทางการใช้ดุลยพินิจของเจ้าหน้าที่", "Discretion guideline for officers"),
    "decided_by": ("ผู้ตัดสินใจ", "Decided by"),
    "review": ("การตรวจสอบ", "How it is checked"),
    "estimate": ("ค่าประมาณ รอยืนยัน", "estimate, to be confirmed"),
    "who_applicant": ("ผู้ยื่นคำขอ", "applicant"),
    "who_office": ("สำนักงานเขต", "office"),
    "error_title": ("ขออภัย", "Sorry"),
    "try_again": ("ลองใหม่", "Try again"),
    "home": ("หน้าแรก", "Home"),
    "none_missing": (
        "ดูรายละเอียดได้จากหนังสือที่สำนักงานแจ้งถึงท่าน",
        "See the notice the office sent you for details",
    ),
    # --- staff pages: work queue, one application, intake ---------------------------------
    "staff_nav": ("เมนูเจ้าหน้าที่", "Staff menu"),
    "staff_queue": ("งานที่รอดำเนินการ", "Work queue"),
    "new_application": ("รับคำขอใหม่", "New application"),
    "manager_dashboard": ("ภาพรวมสำหรับผู้บริหาร", "Compliance dashboard"),
    "signed_in_as": ("เข้าสู่ระบบในชื่อ {user}", "Signed in as {user}"),
    "sign_out": ("ออกจากระบบ", "Sign out"),
    **{f"role_{role}": names for role, names in ROLE_NAMES.items()},
    "queue_intro": (
        "เรียงตามลำดับการยื่น คำขอที่ยื่นก่อนอยู่ก่อน (มาก่อนได้ก่อน)",
        "In order of submission, oldest first (first come, first served).",
    ),
    "queue_scope_all": ("แสดงคำขอของทุกฝ่าย", "Showing the applications of every section."),
    "queue_scope": ("แสดงคำขอของ{dept}", "Showing the applications of the {dept}."),
    "filters": ("ตัวกรอง", "Filters"),
    "step_filter": ("ขั้นตอน", "Step"),
    "overdue_only": ("เฉพาะคำขอที่เกินกำหนด", "Overdue only"),
    "overdue_mark": ("เกินกำหนด", "Overdue"),
    "queue_total": ("พบ {n} รายการ", "{n} found"),
    "queue_empty": ("ไม่มีคำขอที่ตรงกับตัวกรองนี้", "No applications match these filters"),
    "clear_filters": ("ล้างตัวกรอง", "Clear the filters"),
    "bad_filter": (
        "ตัวกรองบางรายการไม่ถูกต้อง จึงไม่ได้นำมาใช้",
        "Some filters were not valid and were not applied",
    ),
    "pagination": ("เลือกหน้า", "Pages"),
    "page_of": ("หน้า {page} จาก {pages}", "Page {page} of {pages}"),
    "previous_page": ("หน้าก่อนหน้า", "Previous page"),
    "next_page": ("หน้าถัดไป", "Next page"),
    "current_step": ("ขั้นตอนปัจจุบัน", "Current step"),
    "turn_label": ("ผู้ที่ต้องดำเนินการ", "Whose turn"),
    "staff_turn_authority": ("สำนักงานเขต", "The office"),
    "staff_turn_applicant": ("ผู้ยื่นคำขอ (หยุดนับเวลา)", "The applicant (clock stopped)"),
    "staff_turn_none": ("ไม่มี (คำขอสิ้นสุดแล้ว)", "Nobody (the application is closed)"),
    "print_receipt": ("พิมพ์ใบรับคำขอ", "Print the receipt"),
    "clock_paused_on": ("หยุดนับเวลาตั้งแต่", "Clock stopped since"),
    "applicant_deadline": ("กำหนดของผู้ยื่นคำขอ", "Applicant's deadline"),
    "applicant": ("ผู้ยื่นคำขอ", "Applicant"),
    "full_name": ("ชื่อ-นามสกุล", "Full name"),
    "id_number": ("เลขประจำตัวประชาชน", "Thai ID number"),
    "id_number_hint": (
        "13 หลัก (เว้นวรรคหรือขีดได้) หรือเลขหนังสือเดินทางสำหรับผู้ที่ไม่มีสัญชาติไทย",
        "13 digits (spaces or dashes are fine), or a passport number for non-Thai applicants",
    ),
    "phone_hint": ("ตัวอย่าง 0812345678", "For example 0812345678"),
    "email": ("อีเมล", "E-mail"),
    "optional_field": ("ไม่บังคับ", "optional"),
    "subject": ("เรื่องที่ขออนุญาต", "What the application is about"),
    "address": ("ที่ตั้ง", "Address"),
    "description": ("รายละเอียด", "Description"),
    "other_details": ("ข้อมูลอื่น", "Other details"),
    "checklist_current": (
        "รายการตรวจสอบของขั้นตอนนี้และที่ต้องตรวจก่อนดำเนินการต่อ",
        "Checklist for this step and what must be checked before moving on",
    ),
    "checklist_other": ("รายการตรวจสอบของขั้นตอนอื่น", "Checklist items of other steps"),
    "no_items": (
        "ขั้นตอนนี้ไม่มีรายการที่ต้องตรวจสอบ",
        "Nothing needs checking at this step",
    ),
    "choose": ("เลือก", "Choose"),
    "intake_show_fields": ("แสดงช่องข้อมูลของประเภทนี้", "Show this type's fields"),
    "intake_fields_hint": (
        "บางประเภทต้องกรอกข้อมูลเฉพาะ (เช่น พื้นที่ วันหมดอายุใบอนุญาต ช่วงเวลาที่ขอ)"
        " เลือกประเภทแล้วกดปุ่ม “แสดงช่องข้อมูลของประเภทนี้” ท้ายแบบฟอร์ม"
        " ข้อมูลที่กรอกไว้ยังอยู่ครบ",
        "Some types need their own facts (floor area, the permit's expiry date, the period"
        " applied for): choose the type, then press “Show this type's fields” at the end of"
        " the form; what you typed is kept.",
    ),
    "intake_type_fields": ("ข้อมูลเฉพาะของประเภทคำขอ", "Facts this type needs"),
    "note": ("หมายเหตุ", "Note"),
    "note_hint": ("ต้องระบุเมื่อยกเว้น", "needed when waiving"),
    "item_recorded_by": ("ตรวจหรือยกเว้นได้โดย", "Verified or waived by"),
    "save": ("บันทึก", "Save"),
    "last_change": ("บันทึกโดย {who} เมื่อ {when}", "Recorded by {who}, {when}"),
    "actions": ("การดำเนินการในขั้นตอนนี้", "Actions at this step"),
    "no_actions": ("ขั้นตอนนี้ไม่มีการดำเนินการ", "Nothing can be done at this step"),
    "blocked": ("ยังดำเนินการไม่ได้ เพราะ", "Not available yet, because"),
    "goes_to": ("ไปยังขั้นตอน: {step}", "Moves to: {step}"),
    "deadline": ("กำหนดวันส่งเอกสาร", "Deadline for the documents"),
    "fine_baht": ("จำนวนค่าปรับ (บาท)", "Fine (baht)"),
    "reason_hint": ("เหตุผลนี้บันทึกไว้ในประวัติคำขอ", "The reason is kept in the application's history"),
    "trail": ("ประวัติการดำเนินการ", "History"),
    "trail_intake": ("รับคำขอ", "Application received"),
    "copy_opdc": ("สำเนาถึงสำนักงาน ก.พ.ร.", "copied to the OPDC"),
    "done_checklist": ("บันทึกรายการตรวจสอบแล้ว", "The checklist item was recorded"),
    "done_transition": (
        "ดำเนินการแล้ว ขั้นตอนปัจจุบันแสดงอยู่ด้านล่าง",
        "Done; the current step is shown below",
    ),
    "intake_only_clerks": (
        "รับคำขอได้เฉพาะเจ้าหน้าที่รับคำขอ",
        "Only clerks take in applications",
    ),
    "intake_intro": (
        "กรอกข้อมูลจากแบบคำขอ เมื่อบันทึกแล้วจะได้ใบรับคำขอพร้อมรหัสติดตามและคิวอาร์โค้ด",
        "Fill in the details from the application form. Saving issues the receipt with the"
        " tracking code and QR code.",
    ),
    "intake_submit": ("บันทึกและออกใบรับคำขอ", "Save and issue the receipt"),
    "errors_title": ("กรุณาแก้ไขข้อมูลต่อไปนี้", "Please correct the following"),
    "error_prefix": ("ข้อผิดพลาด:", "Error:"),
    "err_permit_type": ("กรุณาเลือกประเภทคำขอ", "Choose a permit type"),
    "err_name": (
        "กรุณากรอกชื่อผู้ยื่นคำขอ (ไม่เกิน 200 ตัวอักษร)",
        "Enter the applicant's name (up to 200 characters)",
    ),
    "err_id_number": (
        "กรุณากรอกเลขประจำตัวประชาชน 13 หลัก หรือเลขหนังสือเดินทาง",
        "Enter a 13-digit Thai ID number or a passport number",
    ),
    "err_phone": (
        "หมายเลขโทรศัพท์ไม่ถูกต้อง (ตัวอย่าง 0812345678)",
        "The phone number is not valid (for example 0812345678)",
    ),
    "err_email": (
        "อีเมลไม่ถูกต้อง (ตัวอย่าง name@example.com)",
        "The e-mail address is not valid (for example name@example.com)",
    ),
    "err_address": (
        "กรุณากรอกที่ตั้ง (ไม่เกิน 500 ตัวอักษร)",
        "Enter the address (up to 500 characters)",
    ),
    "err_description": (
        "รายละเอียดยาวเกิน 2,000 ตัวอักษร",
        "The description is longer than 2,000 characters",
    ),
    "err_text": (
        "ข้อความมีอักขระที่บันทึกไม่ได้ กรุณาพิมพ์ใหม่",
        "The text contains characters that cannot be stored; please type it again",
    ),
    "err_form": (
        "แบบฟอร์มไม่สมบูรณ์ กรุณาโหลดหน้านี้ใหม่แล้วลองอีกครั้ง",
        "The form is incomplete; reload the page and try again",
    ),
    "err_status": ("กรุณาเลือกผลการตรวจ", "Choose the result of the check"),
    "err_note": ("หมายเหตุยาวเกิน 1,000 ตัวอักษร", "The note is longer than 1,000 characters"),
    "err_reason": ("เหตุผลยาวเกิน 2,000 ตัวอักษร", "The reason is longer than 2,000 characters"),
    "err_deadline": ("กรุณาระบุวันที่ให้ถูกต้อง", "Enter a valid date"),
    "err_fine": (
        "กรุณาระบุจำนวนค่าปรับเป็นจำนวนบาทเต็มที่มากกว่าศูนย์",
        "Enter the fine as a whole number of baht above zero",
    ),
    "staff_privacy": (
        "หน้านี้มีข้อมูลส่วนบุคคลของผู้ยื่นคำขอ ใช้เพื่อการพิจารณาคำขอเท่านั้น",
        "This page holds applicants' personal data: use it only to deal with their applications.",
    ),
    "cross_site": (
        "คำขอนี้ส่งมาจากเว็บไซต์อื่น ระบบจึงไม่ดำเนินการ",
        "This request came from another website, so it was not carried out",
    ),
}

# The texts of each part live beside these: the legal clocks (due-date rules, extensions), the
# result notice and its appeal deadline, the manager's dashboard and the public pages'
# descriptions, intake's documents and the receipt, assignment, the queue's search box, the
# staff page's one checklist form, the public page's fee and deadlines, and the city's table.
for part in (
    CLOCK_TEXTS, NOTICE_UI, DASHBOARD_TEXTS, META_TEXTS, RECEIPT_UI, ASSIGNMENT_TEXTS, SEARCH_UI,
    CHECKLIST_TEXTS, TRACK_UI, CITY_TEXTS,
):  # fmt: skip
    UI.update(part)
