"""Time the work queue's search (issue 12, item 4) on SQLite and, given a server, PostgreSQL.

Loads N applications with varied Thai names, addresses and ID numbers straight into the
application table (no trail or checklist: the search reads neither), then times 200 searches
of each kind through ``work_queue`` (the count, capped at 1000, and the first page of 50),
as a manager (every department) and as an officer (one department). Prints p50 and p95 in ms.

Target: p95 <= 50 ms at 1,000,000 applications.

    uv run python tests/bench/bench_search.py --applications 100000
    uv run python tests/bench/bench_search.py --applications 1000000 --backends sqlite postgresql
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import fresh_database  # noqa: E402

from checklists.loader import default_catalogue  # noqa: E402
from tracking import codes, migrate  # noqa: E402
from tracking.access import Actor  # noqa: E402
from tracking.db import make_engine  # noqa: E402
from tracking.reads.staff.queue import QueueFilter, work_queue  # noqa: E402

BATCH = 20_000
SEARCHES = 200
FIRST = (
    "สมชาย สมศักดิ์ สมหญิง สมศรี วิชัย วิไล ประเสริฐ ประภา สุนทร สุนีย์ ธนากร ธิดา กิตติ กัญญา"
    " ณัฐพล ณัฐธิดา พงศกร พรทิพย์ อนุชา อรุณี ชัยวัฒน์ ชนิดา ศักดิ์ชัย ศิริพร นพดล นภา"
    " บุญมี บุษบา มานพ มาลี เอกชัย อัมพร ยุทธนา ยุพิน วรวุฒิ วรรณา ปิยะ ปิยนุช สุรชัย สุดา"
).split()
SYLLABLES = (
    "ใจ ดี รัก ไทย ทอง คำ แก้ว มณี ศรี สุข วงศ์ พันธ์ เจริญ ผล บุญ ยืน สวัสดิ์ ชัย"
    " รุ่ง เรือง มั่น คง ทรัพย์ สิน ประ เสริฐ กุล วัฒน์ นาค สกุล"
).split()
ROADS = (
    "พญาไท พระราม๔ สุขุมวิท เพชรบุรี รัชดาภิเษก ลาดพร้าว พหลโยธิน สีลม สาทร บรรทัดทอง"
    " จรัญสนิทวงศ์ รามคำแหง ศรีนครินทร์ งามวงศ์วาน วิภาวดีรังสิต เจริญกรุง"
).split()
KHWAENG = (
    "วังใหม่ ปทุมวัน ลุมพินี รองเมือง สีลม สุริยวงศ์ มหาพฤฒาราม บางรัก ทุ่งพญาไท"
    " ถนนเพชรบุรี มักกะสัน ดินแดง ห้วยขวาง สามเสนใน จอมพล จตุจักร"
).split()


def _id_number(rng: random.Random) -> str:
    first = str(rng.randrange(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(11))
    total = sum(int(d) * (13 - i) for i, d in enumerate(first))
    return first + str((11 - total % 11) % 10)


def _particulars(rng: random.Random) -> dict[str, str]:
    surname = "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 4)))
    house = f"{rng.randrange(1, 999)}/{rng.randrange(1, 99)}"
    address = (
        f"{house} ซอย{rng.choice(ROADS)} {rng.randrange(1, 80)}"
        f" ถนน{rng.choice(ROADS)} แขวง{rng.choice(KHWAENG)} เขต{rng.choice(KHWAENG)}"
    )
    return {
        "applicant_name": f"{rng.choice(FIRST)} {surname}",
        "applicant_id_number": _id_number(rng),
        "subject_address": address,
    }


def load(engine: Engine, applications: int, seed: int = 1) -> list[dict[str, str]]:
    """Insert ``applications`` open and closed files; return each one's keys. The search's
    indexes (revision 0014) are taken off meanwhile and made again after, filled
    from the rows as the migration fills them: loading through the triggers is far slower."""
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0013")
    rng = random.Random(seed)
    catalogue = default_catalogue()
    slugs = sorted(catalogue)
    today = date.today()
    keys: list[dict[str, str]] = []
    sql = text(
        "INSERT INTO application (id, office_id, permit_type, permit_type_version,"
        " catalogue_version, department, state, turn, tracking_code, applicant_name,"
        " applicant_id_number, applicant_phone, applicant_email, subject_address,"
        " subject_description, subject_details, submitted_at, submitted_on, due_date,"
        " state_entered_at, outcome, updated_at, trail_head, event_count,"
        " delay_notices_sent, version) VALUES (:id, 1, :permit_type, 1, 'bench', :department,"
        " :state, :turn, :code, :applicant_name, :applicant_id_number, '0800000000', '',"
        " :subject_address, '', '{}', :at, :on, :due, :at, :outcome, :at, '', 1, 0, 1)"
    )
    started = time.monotonic()
    for offset in range(0, applications, BATCH):
        rows: list[dict[str, Any]] = []
        for i in range(offset, min(applications, offset + BATCH)):
            permit = catalogue[slugs[rng.randrange(len(slugs))]]
            at = datetime.combine(today, datetime.min.time()) - timedelta(
                days=rng.randrange(400), seconds=rng.randrange(86_400)
            )
            closed = rng.random() < 0.3
            step = permit.initial_step
            particulars = _particulars(rng)
            code = codes.new_code()
            keys.append({"code": code, "department": permit.department, **particulars})
            rows.append(
                {
                    "id": i + 1,
                    "permit_type": permit.slug,
                    "department": permit.department,
                    "state": step.id,
                    "turn": step.turn.value,
                    "code": code,
                    "at": at.replace(tzinfo=None),
                    "on": at.date(),
                    "due": at.date() + timedelta(days=30),
                    "outcome": "approved" if closed else None,
                    **particulars,
                }
            )
        with engine.begin() as connection:
            connection.execute(sql, rows)
        done = offset + len(rows)
        rate = done / max(0.001, time.monotonic() - started)
        print(f"\r  loaded {done:>9,} applications ({rate:,.0f}/s)", end="", flush=True)
    print()
    started = time.monotonic()
    migrate.upgrade(engine)
    print(f"  made the search indexes in {time.monotonic() - started:,.0f} s")
    with engine.begin() as connection:
        connection.execute(
            text("ANALYZE" if engine.dialect.name == "sqlite" else "ANALYZE application")
        )
    return keys


def _queries(keys: list[dict[str, str]], rng: random.Random) -> dict[str, list[str]]:
    """200 searches of each kind, for files picked at random."""
    picked = [rng.choice(keys) for _ in range(SEARCHES)]
    formatted = [codes.format_code(k["code"]) for k in picked]
    return {
        "code": [c.lower() if i % 2 else c.replace("-", "") for i, c in enumerate(formatted)],
        "id number": [
            f"{n[0]}-{n[1:5]}-{n[5:10]}-{n[10:12]}-{n[12]}"
            for n in (k["applicant_id_number"] for k in picked)
        ],
        "full name": [k["applicant_name"] for k in picked],
        "surname": [k["applicant_name"].split()[1] for k in picked],
        "address words": [
            " ".join(k["subject_address"].split()[3:5]) for k in picked
        ],  # the road and the khwaeng
    }


def _percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def _time(engine: Engine, queries: dict[str, list[str]], actor: Actor) -> dict[str, Any]:
    today = date.today()
    results: dict[str, Any] = {}
    with Session(engine) as session:
        run: Callable[[str], tuple[list[Any], int]] = lambda q: work_queue(  # noqa: E731
            session, actor, today, QueueFilter(q=q)
        )
        run(queries["code"][0])  # warm the caches
        for kind, texts in queries.items():
            timings, hits = [], 0
            for q in texts:
                started = time.perf_counter()
                rows, total = run(q)
                timings.append(time.perf_counter() - started)
                hits += total
            p50, p95 = _percentiles(timings)
            results[kind] = (p50, p95, hits / len(texts))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--backends", nargs="+", default=["sqlite"])
    args = parser.parse_args()
    rng = random.Random(7)
    for backend in args.backends:
        url = fresh_database(backend, "tidtam_bench_search")
        engine = make_engine(url)
        print(f"{backend}: loading {args.applications:,}")
        started = time.monotonic()
        keys = load(engine, args.applications)
        print(f"  in {time.monotonic() - started:,.0f} s")
        queries = _queries(keys, rng)
        department = keys[0]["department"]
        actors = {
            "manager": Actor(username="bench-manager", role="manager", office_id=1),
            f"officer ({department})": Actor(
                username="bench-officer", role="officer", department=department, office_id=1
            ),
        }
        print(f"\n{backend}, {args.applications:,} applications, {SEARCHES} searches each")
        print(f"{'as':<34} {'key':<14} {'p50 ms':>8} {'p95 ms':>8} {'mean found':>11}")
        worst = 0.0
        for who, actor in actors.items():
            for kind, (p50, p95, found) in _time(engine, queries, actor).items():
                worst = max(worst, p95)
                print(f"{who:<34} {kind:<14} {p50:>8.1f} {p95:>8.1f} {found:>11.1f}")
        print(f"  {'met' if worst <= 50 else 'MISSED'}: p95 <= 50 ms (worst {worst:.1f} ms)\n")
        engine.dispose()


if __name__ == "__main__":
    main()
