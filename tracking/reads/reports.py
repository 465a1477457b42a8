"""The monthly tables the integrity plan publishes, and the public processing statistics.

All figures are SQL aggregates grouped by permit type and department; the files are written
with the csv module and openpyxl (Thai headers, Buddhist Era month names).
"""

from __future__ import annotations

import calendar
import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from checklists.loader import default_catalogue
from checklists.schema import DEPARTMENTS
from tracking.clock import THAI_MONTHS
from tracking.errors import InvalidInput
from tracking.models import Application, ApplicationEvent, DelayNotice, Office
from tracking.reads import compliance, selection

COLUMNS = (
    ("permit_type", "ประเภทคำขอ", "Permit type"),
    ("department", "หน่วยงาน", "Department"),
    ("received", "รับคำขอ", "Received"),
    ("decided", "พิจารณาแล้วเสร็จ", "Decided"),
    ("on_time", "แล้วเสร็จตามกำหนด", "Decided on time"),
    ("overdue", "เกินกำหนด ณ สิ้นเดือน", "Overdue at month end"),
    ("refused", "ไม่อนุญาต", "Refused"),
    ("refused_by_ground", "ไม่อนุญาตจำแนกตามเหตุ", "Refused by ground"),
    ("letters_sent", "หนังสือแจ้งเหตุล่าช้าที่ส่ง", "Delay letters sent"),
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

A = Application
E = ApplicationEvent


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        try:
            year, month = (int(part) for part in text.split("-"))
            if not (1 <= month <= 12 and 2000 <= year <= 2200) or len(text) != 7:
                raise ValueError
        except ValueError:
            raise InvalidInput(
                "เดือนต้องอยู่ในรูปแบบ YYYY-MM (ปี ค.ศ.) เช่น 2026-11",
                "The month must be YYYY-MM (Gregorian year), for example 2026-11",
                field="month",
            ) from None
        return cls(year, month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def thai(self) -> str:
        return f"{THAI_MONTHS[self.month - 1]} {self.year + 543}"


def monthly(session: Session, month: Month, office_id: int | None = None) -> list[dict[str, Any]]:
    """One row per permit type and department: the month's figures, of one office's files
    (every office's when ``office_id`` is None)."""
    first, last = month.first, month.last
    of_office = [col(A.office_id) == office_id] if office_id is not None else []
    end = selection.day_start(last, end=True)
    rows: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {
            "received": 0,
            "decided": 0,
            "on_time": 0,
            "overdue": 0,
            "refused": 0,
            "refused_by_ground": {},
            "letters_sent": 0,
        }
    )
    within = compliance.Filters(date_from=first, date_to=last, office_id=office_id)
    pair = ("permit_type", "department")
    for (permit_type, department), n in compliance.tallied(
        session, within, "received", *pair
    ).items():
        rows[(permit_type, department)]["received"] = n
    for (permit_type, department, punctual), n in compliance.tallied(
        session, within, "decided", *pair, "flag"
    ).items():
        rows[(permit_type, department)]["decided"] += n
        rows[(permit_type, department)]["on_time"] += n if punctual else 0
    for (permit_type, department, ground), n in compliance.tallied(
        session, within, "refuse", *pair, "key"
    ).items():
        row = rows[(permit_type, department)]
        row["refused"] += n
        row["refused_by_ground"][ground or "-"] = n
    # Overdue at the month's end: past due by then, and neither decided nor closed by then.
    # Three disjoint kinds of file, each read through its own index: still open today; decided
    # after the month; closed without a decision after the month. (A file is always received
    # before its due date, so "past due" also means "received by then".)
    late = col(A.due_date) < last
    for part in (
        [col(A.decided_on).is_(None), col(A.outcome).is_(None), late],
        [
            col(A.decided_on) > last,
            late,
            or_(col(A.outcome).is_(None), col(A.state_entered_at) >= end),
        ],
        [
            col(A.decided_on).is_(None),
            col(A.outcome).is_not(None),
            col(A.state_entered_at) >= end,
            late,
        ],
    ):
        for permit_type, department, count in session.execute(
            select(col(A.permit_type), col(A.department), func.count())
            .where(*part, *of_office)
            .group_by(col(A.permit_type), col(A.department))
        ).all():
            rows[(permit_type, department)]["overdue"] += int(count)
    for permit_type, department, count in session.execute(
        select(col(A.permit_type), col(A.department), func.count())
        .select_from(DelayNotice)
        .join(A, col(A.id) == col(DelayNotice.application_id))
        .where(col(DelayNotice.issued_on).between(first, last), *of_office)
        .group_by(col(A.permit_type), col(A.department))
    ).all():
        rows[(permit_type, department)]["letters_sent"] = int(count)
    return [
        {"permit_type": p, "department": d, **values}
        for (p, d), values in sorted(rows.items())
        if any(values[k] for k in ("received", "decided", "overdue", "refused", "letters_sent"))
    ]


FIGURES = ("received", "decided", "on_time", "overdue", "refused", "letters_sent")


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The rows added up: every figure, and the refusals by ground."""
    grounds: dict[str, int] = defaultdict(int)
    for row in rows:
        for ground, n in row["refused_by_ground"].items():
            grounds[ground] += n
    return {
        **{key: sum(row[key] for row in rows) for key in FIGURES},
        "refused_by_ground": dict(sorted(grounds.items())),
    }


def title(month: Month, office: Office | None) -> str:
    """The report's heading: the month (BE) and the office it is of."""
    heading = f"รายงานผลการให้บริการประจำเดือน{month.thai}"
    return f"{heading} {office.name_th}" if office is not None else heading


def _grounds(by_ground: dict[str, int]) -> str:
    return "; ".join(f"{g}: {n}" for g, n in sorted(by_ground.items()))


def _cells(row: dict[str, Any]) -> list[Any]:
    catalogue = default_catalogue()
    permit = catalogue.types.get(row["permit_type"])
    return [
        permit.name.th if permit else row["permit_type"],
        DEPARTMENTS.get(row["department"], (row["department"],))[0],
        *(row[key] for key in FIGURES[:5]),
        _grounds(row["refused_by_ground"]),
        row["letters_sent"],
    ]


def _total_cells(rows: list[dict[str, Any]]) -> list[Any]:
    return _cells({**totals(rows), "permit_type": TOTAL_LABEL, "department": ""})


TOTAL_LABEL = "รวมทุกประเภท (Total)"


def to_csv(rows: list[dict[str, Any]], month: Month, office: Office | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title(month, office)])
    writer.writerow([th for _, th, _ in COLUMNS])
    for row in rows:
        writer.writerow(_cells(row))
    writer.writerow(_total_cells(rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Thai correctly


def to_xlsx(rows: list[dict[str, Any]], month: Month, office: Office | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = month.thai
    sheet.append([title(month, office)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([th for _, th, _ in COLUMNS])
    sheet.append([en for _, _, en in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for row in rows:
        sheet.append(_cells(row))
    sheet.append(_total_cells(rows))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    widths = (48, 30, 10, 14, 14, 16, 10, 40, 16)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_json(
    rows: list[dict[str, Any]], month: Month, office: Office | None = None
) -> dict[str, Any]:
    """The report as JSON: the office, the month, one row per permit type and department
    (with their names), and the totals."""
    catalogue = default_catalogue()
    named = []
    for row in rows:
        permit = catalogue.types.get(row["permit_type"])
        th, en = DEPARTMENTS.get(row["department"], (row["department"], row["department"]))
        named.append(
            {
                **row,
                "permit_type_name": permit.name.model_dump() if permit else None,
                "department_name": {"th": th, "en": en},
            }
        )
    return {
        "title": title(month, office),
        "month": f"{month.year:04d}-{month.month:02d}",
        "office": None
        if office is None
        else {"slug": office.slug, "name": {"th": office.name_th, "en": office.name_en}},
        "rows": named,
        "totals": totals(rows),
    }


def public_stats(
    session: Session, today: date, office_id: int | None = None
) -> list[dict[str, Any]]:
    """Processing times per permit type over the last 12 months, of one office's files (every
    office's when ``office_id`` is None): nothing that identifies a person or an officer."""
    since = today - timedelta(days=365)
    filters = compliance.Filters(date_from=since, date_to=today, office_id=office_id)
    decided = {row["permit_type"]: row for row in compliance.on_time(session, filters)}
    received = {
        key[0]: n
        for key, n in compliance.tallied(session, filters, "received", "permit_type").items()
    }
    result = []
    for permit in sorted(default_catalogue().values(), key=lambda p: p.number):
        row = decided.get(permit.slug, {})
        result.append(
            {
                "permit_type": permit.slug,
                "name": {"th": permit.name.th, "en": permit.name.en},
                "service_days": permit.service_time.days,
                "day_unit": permit.service_time.unit.value,
                "received": int(received.get(permit.slug, 0)),
                "decided": row.get("decided", 0),
                "on_time_rate": row.get("on_time_rate"),
                "median_days": row.get("median_days"),
                "p90_days": row.get("p90_days"),
            }
        )
    return result


def stats_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "permit_type",
            "ชื่อ",
            "name",
            "service_days",
            "day_unit",
            "received",
            "decided",
            "on_time_rate",
            "median_days",
            "p90_days",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r["permit_type"],
                r["name"]["th"],
                r["name"]["en"],
                r["service_days"],
                r["day_unit"],
                r["received"],
                r["decided"],
                r["on_time_rate"],
                r["median_days"],
                r["p90_days"],
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
