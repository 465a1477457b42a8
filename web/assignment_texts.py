"""Page texts of assignment (Thai, English): who works a file, moving one or many files, who
may still decide a file under four-eyes, and each person's caseload. ``web.texts.UI`` takes
them in."""

from __future__ import annotations

ASSIGNMENT_TEXTS: dict[str, tuple[str, str]] = {
    "assignee": ("ผู้รับผิดชอบ", "Assigned to"),
    "assignee_none": ("ยังไม่มอบหมาย", "Not assigned"),
    "assign_title": ("มอบหมายผู้รับผิดชอบ", "Assign the application"),
    "assign_to": ("มอบหมายให้", "Assign to"),
    "assign_reason": ("เหตุผลของการมอบหมาย (บันทึกในประวัติ)", "Reason (kept in the history)"),
    "assign_button": ("บันทึกการมอบหมาย", "Record the assignment"),
    "assign_open_files": ("ถือคำขอที่ยังไม่เสร็จ {n} เรื่อง", "holds {n} open applications"),
    "done_assignment": ("บันทึกการมอบหมายผู้รับผิดชอบแล้ว", "The assignment was recorded"),
    "done_assignments": (
        "บันทึกการมอบหมายแล้ว: ย้ายผู้รับผิดชอบคำขอ {n} เรื่อง",
        "The assignment was recorded: {n} applications changed hands",
    ),
    "assign_selected": ("มอบหมายคำขอที่เลือก", "Assign the selected applications"),
    "assign_choose_file": ("เลือก {code}", "Select {code}"),
    "assign_selected_hint": (
        "ติ๊กเลือกคำขอในรายการด้านบน แล้วเลือกผู้รับผิดชอบและระบุเหตุผล",
        "Tick applications in the list above, then choose who takes them and give a reason",
    ),
    "filter_assignee": ("ผู้รับผิดชอบ", "Assigned to"),
    "filter_assignee_any": ("ทุกคน", "Anyone"),
    "filter_assignee_me": ("ของฉัน", "Mine"),
    "filter_assignee_none": ("ยังไม่มอบหมาย", "Not assigned"),
    "deciders_title": ("ผู้ที่อนุญาตหรือไม่อนุญาตคำขอนี้ได้", "Who may decide this application"),
    "deciders_may": ("ยังตัดสินได้", "May decide"),
    "deciders_barred": (
        "ตัดสินไม่ได้ เพราะเป็นผู้ตรวจสอบคำขอนี้ (หลักสี่ตา)",
        "May not decide: they reviewed or inspected it (four-eyes)",
    ),
    "deciders_you_barred": (
        "คุณเป็นผู้ตรวจสอบคำขอนี้ จึงอนุญาตหรือไม่อนุญาตเองไม่ได้ (หลักสี่ตา)",
        "You reviewed or inspected this application, so you may not decide it (four-eyes)",
    ),
    "deciders_nobody": (
        "ไม่มีผู้มีอำนาจอนุญาตในฝ่ายที่ตัดสินคำขอนี้ได้ กรุณามอบหมายให้ผู้มีอำนาจอนุญาตผู้อื่น"
        " หรือแจ้งผู้บริหารเพื่อเพิ่มผู้มีอำนาจอนุญาต",
        "No approver of the department may decide this application: assign it to another"
        " approver, or ask the manager to add one",
    ),
    "four_eyes_warning": (
        "คำเตือน: หากคุณบันทึกว่าตรวจแล้ว คุณจะเป็นผู้ตรวจสอบคำขอนี้ และจะอนุญาตหรือไม่อนุญาตเองไม่ได้ (หลักสี่ตา)",
        "Warning: if you record this as verified you become one of its reviewers, and may no"
        " longer decide it (four-eyes)",
    ),
    "caseload_title": ("ภาระงานรายบุคคล", "Caseload by person"),
    "caseload_person": ("เจ้าหน้าที่", "Staff member"),
    "caseload_open": ("คำขอที่ยังไม่เสร็จ", "Open applications"),
    "caseload_overdue": ("เกินกำหนด", "Overdue"),
    "caseload_unassigned": ("ยังไม่มอบหมาย", "Not assigned"),
}
