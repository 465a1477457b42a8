"""The city administration's table: every office of the database side by side on the
district dashboard's measures, worst first, and which office an actor reads.

Each measure is the dashboard's own definition (``tracking.reads.compliance``) counted by
``office_id``: one grouped query per measure for every office, never a summary per office.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlmodel import Session, col, select

from tracking.access import Actor
from tracking.errors import NotPermitted
from tracking.models import Office
from tracking.offices import office_by_slug
from tracking.reads import compliance
from tracking.reads.officers import officers_by

# ``/stats?office=all``: every office of the database together.
ALL_OFFICES = "all"
BY_OFFICE = "office_id"
# The measures of each office, in the table's order: (key, Thai, English).
MEASURES = (
    ("decided", "พิจารณาแล้วเสร็จ", "Decided"),
    ("on_time_rate", "แล้วเสร็จตามกำหนด", "On-time rate"),
    ("overdue", "เกินกำหนดที่ยังค้าง", "Open files overdue"),
    ("letters_due", "หนังสือแจ้งเหตุล่าช้าที่ต้องส่ง (ม.10)", "Delay letters due (s.10)"),
    ("letters_sent", "หนังสือแจ้งเหตุล่าช้าที่ส่งแล้ว", "Delay letters sent"),
    ("deficiency_requests", "บันทึกความบกพร่อง (ม.8)", "Deficiency requests (s.8)"),
    ("multi_deficiency", "คำขอที่มีบันทึกความบกพร่องเกินหนึ่งครั้ง", "Files with more than one request"),
    ("four_eyes", "ผู้ตรวจเป็นผู้อนุญาตเอง", "Four-eyes breaches"),
    ("out_of_turn", "พิจารณาข้ามลำดับ", "Decided out of turn"),
    ("out_of_turn_without_reason", "ข้ามลำดับโดยไม่ระบุเหตุผล", "Out of turn, no reason"),
    ("refusals_without_ground", "ไม่อนุญาตโดยไม่อ้างเหตุ", "Refusals without a ground"),
    ("outlier_officers", "เจ้าหน้าที่ที่ควรตรวจสอบ", "Officers flagged for review"),
)
COUNTS = tuple(key for key, _, _ in MEASURES if key != "on_time_rate")
RANKING = (
    "อันดับ: สัดส่วนที่แล้วเสร็จตามกำหนดจากน้อยไปมาก (สำนักงานที่ยังไม่มีคำขอที่พิจารณาแล้วอยู่ท้าย)"
    " ถ้าเท่ากัน เรียงตามจำนวนคำขอเกินกำหนดที่ยังค้างจากมากไปน้อย แล้วตามรหัสสำนักงานเขต",
    "Ranked worst first: on-time rate ascending (offices with no decision in the period last),"
    " ties by open files overdue, most first, then by district code",
)


def reading(session: Session, actor: Actor, slug: str | None) -> tuple[Actor, Office | None]:
    """The actor reading the office ``slug`` names (blank: the actor's own, if any) and that
    office. A city-wide actor is narrowed to it; anyone else may name only their own office.
    Raises ``NotFound`` for an office not in the database, ``NotPermitted`` for another's."""
    slug = (slug or "").strip()
    if not slug:
        own = session.get(Office, actor.office_id) if actor.office_id is not None else None
        return actor, own
    office = office_by_slug(session, slug)
    assert office.id is not None
    if not actor.reads(office.id):
        raise NotPermitted(
            "ผู้บริหารสำนักงานเขตดูได้เฉพาะข้อมูลของสำนักงานเขตของตน",
            "A district manager reads only their own office's figures",
        )
    return actor.in_office(office.id), office


def offices(session: Session) -> list[Office]:
    """Every office of the database, in district code order."""
    return list(session.exec(select(Office).order_by(col(Office.bma_code))).all())


def _rate(decided: int, on_time: int) -> float | None:
    return round(on_time / decided, 4) if decided else None


def _rank_key(row: dict[str, Any]) -> tuple[Any, ...]:
    rate = row["on_time_rate"]
    return (rate is None, rate if rate is not None else 0.0, -row["overdue"], row["bma_code"])


def comparison(session: Session, f: compliance.Filters, today: date) -> dict[str, Any]:
    """Every office's figures within the filters (which name no office or officer), ranked
    worst first by ``RANKING``, with all of them added up."""
    by = BY_OFFICE
    decided: dict[int, list[int]] = {}
    for (office_id,), types in compliance.on_time_by(session, f, by).items():
        decided[office_id] = [sum(t["decided"] for t in types), sum(t["on_time"] for t in types)]
    received = compliance.tallied(session, f, "received", by)
    overdue = compliance.overdue_by(session, f, today, by)
    deficiency = compliance.deficiency_requests_by(session, f, by)
    refusals = compliance.refusals_by(session, f, by)
    four_eyes = compliance.cases_by(session, f, "four_eyes", by)
    out_of_turn = compliance.cases_by(session, f, "out_of_turn", by)
    flagged = {
        key: sum(1 for row in rows if row["flagged"])
        for key, rows in officers_by(session, f, by).items()
    }
    rows = []
    for office in offices(session):
        key = (office.id,)
        n, punctual = decided.get(office.id or 0, [0, 0])
        late = overdue.get(key, {})
        requests = deficiency.get(key, {})
        turns, with_reason = out_of_turn.get(key, (0, 0))
        rows.append(
            {
                "slug": office.slug,
                "bma_code": office.bma_code,
                "name": {"th": office.name_th, "en": office.name_en},
                "received": received.get(key, 0),
                "decided": n,
                "on_time": punctual,
                "on_time_rate": _rate(n, punctual),
                "overdue": late.get("count", 0),
                "letters_due": late.get("letters_due", 0),
                "letters_sent": late.get("letters_sent", 0),
                "deficiency_requests": requests.get("requests", 0),
                "multi_deficiency": requests.get("applications_with_more_than_one_request", 0),
                "four_eyes": four_eyes.get(key, (0, 0))[0],
                "out_of_turn": turns,
                "out_of_turn_without_reason": turns - with_reason,
                "refusals_without_ground": refusals.get(key, {}).get("without_ground", 0),
                "outlier_officers": flagged.get(key, 0),
            }
        )
    rows.sort(key=_rank_key)
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    totals = {name: sum(row[name] for row in rows) for name in ("received", "on_time", *COUNTS)}
    totals["on_time_rate"] = _rate(totals["decided"], totals["on_time"])
    return {
        "filters": {
            "date_from": f.date_from.isoformat() if f.date_from else None,
            "date_to": f.date_to.isoformat() if f.date_to else None,
            "department": f.department,
            "permit_type": f.permit_type,
        },
        "today": today.isoformat(),
        "ranking": {"th": RANKING[0], "en": RANKING[1]},
        "offices": rows,
        "totals": totals,
    }


def to_xlsx(data: dict[str, Any]) -> bytes:
    """The table as a workbook: a title with the period, Thai and English headers, one row
    per office in rank order, and the totals of all of them."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "สำนักงานเขต"
    period = data["filters"]
    sheet.append(
        [
            "เปรียบเทียบสำนักงานเขต (Offices compared): "
            f"{period['date_from'] or '…'} – {period['date_to'] or '…'}"
        ]
    )
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([data["ranking"]["th"]])
    sheet.append(["อันดับ", "รหัส", "สำนักงานเขต", *(th for _, th, _ in MEASURES)])
    sheet.append(["Rank", "Code", "Office", *(en for _, _, en in MEASURES)])
    for cell in (*sheet[3], *sheet[4]):
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for row in data["offices"]:
        sheet.append(
            [row["rank"], row["bma_code"], row["name"]["th"], *(row[k] for k, _, _ in MEASURES)]
        )
    totals = data["totals"]
    sheet.append(["", "", "รวมทุกสำนักงาน (Total)", *(totals[k] for k, _, _ in MEASURES)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    rate = 3 + next(i for i, (k, _, _) in enumerate(MEASURES, start=1) if k == "on_time_rate")
    for (cell,) in sheet.iter_rows(min_row=5, min_col=rate, max_col=rate):
        cell.number_format = "0%"
    for index, width in enumerate((8, 8, 28, *(14 for _ in MEASURES)), start=1):
        sheet.column_dimensions[sheet.cell(row=3, column=index).column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
