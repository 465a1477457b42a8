"""Fifty district offices on one database: the city comparison, one district's compliance
summary and the public lookup, as the applications grow (loaded cumulatively, dealt in turn
to the fifty offices, each trail keyed so `tidtam audit verify` passes).

Targets (issue 13, PostgreSQL, 10,000,000 applications over 50 offices): public lookup p99 at
most 50 ms, a district's compliance summary at most 1 s, the city comparison at most 2 s.
The lookup is timed in process (the page's read, ``tracking.reads.public.lookup``, of random
codes), the summary and the comparison over all dates as a manager and the city's auditor
would open them; each figure beside its growth from the previous size.

    TIDTAM_AUDIT_KEY=... uv run python tests/bench/bench_offices.py --sizes 100000 1000000
    TIDTAM_AUDIT_KEY=... uv run python tests/bench/bench_offices.py --sizes 10000000 --reuse
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import database_url, fresh_database, load  # noqa: E402

from tracking.db import make_engine  # noqa: E402
from tracking.reads import city, compliance, public  # noqa: E402

OFFICES = 50


def _timed(call: object, rounds: int) -> float:
    """The median seconds of ``rounds`` calls, after one to warm caches and plans."""
    assert callable(call)
    call()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _lookups(url: str, codes: list[str], count: int) -> tuple[float, float]:
    """p50 and p99 seconds of ``count`` lookups of random codes, one connection."""
    engine = make_engine(url)
    rng = random.Random(13)
    today = date.today()
    timings = []
    with engine.connect() as connection:
        for code in rng.sample(codes, min(count, len(codes))):
            started = time.perf_counter()
            public.lookup(connection, code, today)
            timings.append(time.perf_counter() - started)
    engine.dispose()
    cuts = statistics.quantiles(timings, n=100)
    return cuts[49], cuts[98]


def _codes(url: str, sample: int) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT tracking_code FROM application ORDER BY id DESC LIMIT :n"), {"n": sample}
        ).scalars()
        codes = list(found)
    engine.dispose()
    return codes


def _measure(url: str, rounds: int) -> dict[str, float]:
    engine = make_engine(url)
    today = date.today()
    with Session(engine) as session:
        busiest = session.execute(
            text(
                "SELECT office_id FROM application GROUP BY office_id ORDER BY count(*) DESC"
                " LIMIT 1"
            )
        ).scalar_one()
        district = compliance.Filters(office_id=busiest)
        every = compliance.Filters()
        figures = {
            "district summary": _timed(
                lambda: compliance.summary(session, district, today), rounds
            ),
            "city comparison": _timed(lambda: city.comparison(session, every, today), rounds),
        }
    engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backend", default="postgresql", choices=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument(
        "--reuse", action="store_true", help="keep what an earlier run of this script loaded"
    )
    args = parser.parse_args()
    name = "tidtam_bench_offices"
    url = database_url(args.backend, name) if args.reuse else fresh_database(args.backend, name)
    engine = make_engine(url)
    with engine.connect() as connection:
        try:
            loaded = connection.execute(text("SELECT count(*) FROM application")).scalar_one()
        except Exception:  # noqa: BLE001 - no schema yet
            loaded = 0
    previous: dict[str, float] = {}
    for size in sorted(args.sizes):
        if size > loaded:
            print(f"{args.backend}: loading {size - loaded:,} applications over {OFFICES} offices")
            load(engine, size - loaded, seed=size, offices=OFFICES)
            loaded = size
        figures = _measure(url, args.rounds)
        p50, p99 = _lookups(url, _codes(url, 50_000), args.lookups)
        figures["lookup p50"], figures["lookup p99"] = p50, p99
        print(f"{args.backend}, {size:,} applications over {OFFICES} offices:")
        for key, seconds in figures.items():
            growth = f"  (x{seconds / previous[key]:.2f})" if key in previous else ""
            print(f"  {key:<18} {seconds * 1000:>9.1f} ms{growth}")
        previous = figures
    engine.dispose()


if __name__ == "__main__":
    main()
