"""Page texts of the city administration's table of offices, of the dashboard read for one
office, and of the public statistics' choice of office (Thai, English). ``web.texts.UI``
takes them in."""

from __future__ import annotations

CITY_TEXTS: dict[str, tuple[str, str]] = {
    # Whose page it is when it is of no one office: the city's table, all of Bangkok.
    "bangkok": ("กรุงเทพมหานคร", "Bangkok Metropolitan Administration"),
    "city_dashboard": ("เปรียบเทียบสำนักงานเขต", "Offices compared"),
    "city_title": (
        "เปรียบเทียบการปฏิบัติตามแนวทางของสำนักงานเขตทุกแห่ง",
        "Every district office on the same measures",
    ),
    "city_intro": (
        "ตัวเลขเดียวกับหน้าภาพรวมของแต่ละสำนักงานเขต กดชื่อสำนักงานเพื่อดูรายละเอียด",
        "The same figures as each office's own dashboard; follow an office's name for its detail",
    ),
    "city_rank": ("อันดับ", "Rank"),
    "city_office": ("สำนักงานเขต", "District office"),
    "city_total": ("รวมทุกสำนักงาน", "All offices"),
    "city_table": ("ตัวเลขของแต่ละสำนักงานเขต", "Each office's figures"),
    "city_downloads": ("ตารางนี้ (Excel, JSON)", "This table (Excel, JSON)"),
    "city_deficiency": (
        "บันทึกความบกพร่อง ม.8 (คำขอที่มีเกิน 1 ครั้ง)",
        "Deficiency requests, s.8 (files with more than one)",
    ),
    "city_out_of_turn": ("พิจารณาข้ามลำดับ (ไม่บันทึกเหตุผล)", "Decided out of turn (no reason)"),
    "city_no_ground": ("ไม่อนุญาตโดยไม่อ้างเหตุ", "Refusals without a ground"),
    "city_outliers": ("เจ้าหน้าที่ที่ควรทบทวน", "Officers flagged for review"),
    "city_letters": ("หนังสือแจ้งเหตุล่าช้า ม.10 (ส่ง/ต้องส่ง)", "Delay letters, s.10 (sent/due)"),
    "city_scroll": (
        "ตารางกว้าง เลื่อนไปทางขวาเพื่อดูคอลัมน์ที่เหลือ",
        "A wide table: scroll sideways for the other columns",
    ),
    "city_offices_n": ("{n} สำนักงานเขต", "{n} district offices"),
    "office_shown": ("สำนักงาน: {office}", "Office: {office}"),
    "back_to_city": ("กลับไปหน้าเปรียบเทียบสำนักงานเขต", "Back to the offices compared"),
    "stats_office": ("สำนักงานเขต", "District office"),
    "stats_all_offices": ("ทั้งกรุงเทพมหานคร (ทุกสำนักงานเขต)", "All of Bangkok (every office)"),
    "stats_of": ("สถิติของ{office}", "Figures of {office}"),
}
