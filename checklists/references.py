"""Legal references as Thai readers read them.

The catalogue cites its law in English ("Public Health Act B.E. 2535 s.56"); a Thai page
shows "พระราชบัญญัติการสาธารณสุข พ.ศ. 2535 มาตรา 56". The acts' Thai titles and the few
references that are not an act and sections are data here, one home for every page and
message that prints a ``legal_basis``. A reference this module cannot read stays as written
(``tests/checklists/test_references.py`` holds every catalogue reference to a Thai reading).
"""

from __future__ import annotations

import re

# Longest first: "Building Control Act" inside "BMA delegation of Building Control Act powers"
# is matched by its phrase below, never here.
ACTS: dict[str, str] = {
    "Licensing Facilitation Act": "พระราชบัญญัติการอำนวยความสะดวกในการพิจารณาอนุญาตของทางราชการ",
    "Administrative Procedure Act": "พระราชบัญญัติวิธีปฏิบัติราชการทางปกครอง",
    "Advertising by Loudspeaker Control Act": "พระราชบัญญัติควบคุมการโฆษณาโดยใช้เครื่องขยายเสียง",
    "Building Control Act": "พระราชบัญญัติควบคุมอาคาร",
    "Cleanliness and Orderliness Act": ("พระราชบัญญัติรักษาความสะอาดและความเป็นระเบียบเรียบร้อยของบ้านเมือง"),
    "Highways Act": "พระราชบัญญัติทางหลวง",
    "Land and Buildings Tax Act": "พระราชบัญญัติภาษีที่ดินและสิ่งปลูกสร้าง",
    "Public Health Act": "พระราชบัญญัติการสาธารณสุข",
    "Signboard Tax Act": "พระราชบัญญัติภาษีป้าย",
    "Civil and Commercial Code": "ประมวลกฎหมายแพ่งและพาณิชย์",
}
# References, or parts of one, that are not "<act> [B.E. year] s.<sections>".
PHRASES: dict[str, str] = {
    "BMA Building Control Ordinance B.E. 2544": "ข้อบัญญัติกรุงเทพมหานคร เรื่อง ควบคุมอาคาร พ.ศ. 2544",
    "BMA citizens' manual (Ratchathewi district FAQ)": (
        "คู่มือสำหรับประชาชนของกรุงเทพมหานคร (คำถามที่พบบ่อยของสำนักงานเขตราชเทวี)"
    ),
    "the district's procedure titles": "ชื่อกระบวนงานของสำนักงานเขต",
    "BMA delegation of Building Control Act powers (EST, unconfirmed)": (
        "คำสั่งกรุงเทพมหานครมอบอำนาจตามพระราชบัญญัติควบคุมอาคาร (ประมาณการ ยังไม่ได้ยืนยัน)"
    ),
    "BMA notice on signs in public places": "ประกาศกรุงเทพมหานคร เรื่อง การติดตั้งป้ายในที่สาธารณะ",
    "BMA trading-area notices": "ประกาศกรุงเทพมหานคร เรื่อง จุดผ่อนผันการค้า",
    "BMA hazardous-business ordinance B.E. 2544": (
        "ข้อบัญญัติกรุงเทพมหานคร เรื่อง กิจการที่เป็นอันตรายต่อสุขภาพ พ.ศ. 2544"
    ),
    "BMA food-premises ordinance": ("ข้อบัญญัติกรุงเทพมหานคร เรื่อง สถานที่จำหน่ายอาหารและสถานที่สะสมอาหาร"),
    "BMA street-vending ordinance B.E. 2535": (
        "ข้อบัญญัติกรุงเทพมหานคร เรื่อง การจำหน่ายสินค้าในที่หรือทางสาธารณะ พ.ศ. 2535"
    ),
    "district eligibility list": "บัญชีรายชื่อผู้มีสิทธิของสำนักงานเขต",
    "Royal Thai Police guidance on permit conditions": (
        "แนวทางของสำนักงานตำรวจแห่งชาติเรื่องเงื่อนไขการอนุญาต"
    ),
    "police opinion on form ฆษ.1": "ความเห็นของเจ้าพนักงานตำรวจตามแบบ ฆษ.1",
    "laws listed in the district City Law Enforcement manual": (
        "กฎหมายตามคู่มือของฝ่ายเทศกิจสำนักงานเขต"
    ),
    "highway-authority drainage guidance": "แนวทางการระบายน้ำของหน่วยงานทางหลวง",
    "Ministerial Regulation No. 44 (B.E. 2538) under the Building Control Act": (
        "กฎกระทรวง ฉบับที่ 44 (พ.ศ. 2538) ออกตามความในพระราชบัญญัติควบคุมอาคาร"
    ),
    "(the maximum is the offence's, e.g. 5,000 baht under s.17 via s.56)": (
        "(อัตราสูงสุดตามความผิดนั้น เช่น 5,000 บาทตามมาตรา 17 ประกอบมาตรา 56)"
    ),
}
_CITATION = re.compile(
    r"(?P<act>" + "|".join(re.escape(a) for a in ACTS) + r")"
    r"(?: B\.E\. (?P<year>\d{4}))?"
    r"(?: s\.(?P<sections>[\dA-Za-z/(),\- ]+?))?"
    r"(?: para (?P<para>\d+))?"
    r"(?P<rest> \(.*\))?$"
)
_PARAGRAPHS = {"1": "หนึ่ง", "2": "สอง", "3": "สาม", "4": "สี่"}


def legal_reference(text: str, lang: str) -> str:
    """``text``, a catalogue's legal reference, in ``lang``: Thai act titles, พ.ศ. years and
    มาตรา numbers on Thai pages; as written in English."""
    if lang != "th" or not text:
        return text
    return "; ".join(_thai_part(part) for part in text.split("; "))


def _thai_part(part: str) -> str:
    if part in PHRASES:
        return PHRASES[part]
    found = _CITATION.match(part)
    if found is None:
        return part
    words = [ACTS[found["act"]]]
    if found["year"]:
        words.append(f"พ.ศ. {found['year']}")
    if found["sections"]:
        words.append(f"มาตรา {found['sections'].strip()}")
    if found["para"]:
        words.append(f"วรรค{_PARAGRAPHS.get(found['para'], found['para'])}")
    rest = found["rest"]
    if rest:
        words.append(PHRASES.get(rest.strip(), rest.strip()))
    return " ".join(words)


def is_thai(text: str) -> bool:
    """Whether ``legal_reference(text, "th")`` has no English words left (form codes aside)."""
    return not re.search(r"[A-Za-z]{2,}", legal_reference(text, "th"))
