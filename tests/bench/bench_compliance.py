"""Time the compliance summary as the data grows: 10,000, 100,000 and 1,000,000 applications,
on SQLite and on PostgreSQL, in one run (the rows are loaded cumulatively).

Target (issue 5): at most 1 s at 1,000,000 applications, growing no worse than linearly.

    uv run python tests/bench/bench_compliance.py
    uv run python tests/bench/bench_compliance.py --sizes 10000 100000 --backends sqlite
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import fresh_database, load  # noqa: E402

from tracking.db import make_engine  # noqa: E402
from tracking.reads import compliance, officers  # noqa: E402


def _median(session: Session, filters: compliance.Filters, today: date, rounds: int) -> float:
    compliance.summary(session, filters, today)  # warm caches and plans
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        compliance.summary(session, filters, today)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _time(url: str, rounds: int) -> tuple[float, float, dict[str, float]]:
    """The summary over all dates; over a ragged range for one department (days at both ends,
    whole months between); and each measure over all dates."""
    engine = make_engine(url)
    today = date.today()
    filters = compliance.Filters()
    ragged = compliance.Filters(
        date_from=today - timedelta(days=200),
        date_to=today - timedelta(days=10),
        department="public-works",
    )
    parts: dict[str, list[float]] = {}
    with Session(engine) as session:
        overall = _median(session, filters, today, rounds)
        narrowed = _median(session, ragged, today, rounds)
        measures = {
            "on_time": lambda: compliance.on_time(session, filters),
            "overdue": lambda: compliance.overdue(session, filters, today),
            "result_notices": lambda: compliance.result_notices(session, filters, today),
            "deficiency": lambda: compliance.deficiency(session, filters),
            "refusals": lambda: compliance.refusals(session, filters),
            "four_eyes": lambda: compliance.four_eyes(session, filters),
            "out_of_turn": lambda: compliance.out_of_turn(session, filters),
            "officers": lambda: officers.officers(session, filters),
        }
        for name, measure in measures.items():
            started = time.perf_counter()
            measure()
            parts.setdefault(name, []).append(time.perf_counter() - started)
    engine.dispose()
    return overall, narrowed, {k: v[0] for k, v in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[tuple[int, float, float, dict[str, float]]]] = {}
    for backend in args.backends:
        url = fresh_database(backend, "tidtam_bench")
        engine = make_engine(url)
        loaded = 0
        for size in sorted(args.sizes):
            print(f"{backend}: loading up to {size:,}")
            load(engine, size - loaded, seed=size)
            loaded = size
            seconds, narrowed, parts = _time(url, args.rounds)
            results.setdefault(backend, []).append((size, seconds, narrowed, parts))
            print(
                f"{backend}: {size:,} applications: summary {seconds * 1000:,.0f} ms,"
                f" one department over a ragged range {narrowed * 1000:,.0f} ms"
            )
        engine.dispose()
    print(f"\ncompliance summary, median of {args.rounds} warm runs")
    print("  all: all dates, no filter; ragged: one department, 200 to 10 days ago")
    for backend, rows in results.items():
        print(f"\n{backend}")
        print(f"{'applications':>14} {'all ms':>8} {'growth':>8} {'ragged ms':>10}")
        previous = None
        for size, seconds, narrowed, _parts in rows:
            growth = ""
            if previous:
                growth = f"{(seconds / previous[1]) / (size / previous[0]):.2f}x"
            print(f"{size:>14,} {seconds * 1000:>8,.0f} {growth:>8} {narrowed * 1000:>10,.0f}")
            previous = (size, seconds)
        slowest = sorted(rows[-1][3].items(), key=lambda kv: -kv[1])
        print("  at the largest size: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in slowest))
        size, seconds, narrowed, _ = rows[-1]
        met = max(seconds, narrowed) <= 1.0 or size < 1_000_000
        print(f"  {'met' if met else 'MISSED'}: at most 1 s at 1,000,000 (growth: 1.00x is linear)")


if __name__ == "__main__":
    main()
