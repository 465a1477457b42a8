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
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import load  # noqa: E402

from tracking import compliance  # noqa: E402
from tracking.db import make_engine  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/tidtam_bench"


def _fresh(backend: str) -> str:
    if backend == "sqlite":
        path = Path(tempfile.gettempdir()) / "tidtam-compliance-bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS tidtam_bench"))
        connection.execute(text("CREATE DATABASE tidtam_bench"))
    admin.dispose()
    return PG_BENCH


def _time(url: str, rounds: int) -> tuple[float, dict[str, float]]:
    engine = make_engine(url)
    today = date.today()
    filters = compliance.Filters()
    timings = []
    parts: dict[str, list[float]] = {}
    with Session(engine) as session:
        compliance.summary(session, filters, today)  # warm caches and plans
        for _ in range(rounds):
            started = time.perf_counter()
            compliance.summary(session, filters, today)
            timings.append(time.perf_counter() - started)
        measures = {
            "on_time": lambda: compliance.on_time(session, filters),
            "overdue": lambda: compliance.overdue(session, filters, today),
            "result_notices": lambda: compliance.result_notices(session, filters, today),
            "deficiency": lambda: compliance.deficiency(session, filters),
            "refusals": lambda: compliance.refusals(session, filters),
            "four_eyes": lambda: compliance.four_eyes(session, filters),
            "out_of_turn": lambda: compliance.out_of_turn(session, filters),
            "officers": lambda: compliance.officers(session, filters),
        }
        for name, measure in measures.items():
            started = time.perf_counter()
            measure()
            parts.setdefault(name, []).append(time.perf_counter() - started)
    engine.dispose()
    return statistics.median(timings), {k: v[0] for k, v in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[tuple[int, float, dict[str, float]]]] = {}
    for backend in args.backends:
        url = _fresh(backend)
        engine = make_engine(url)
        loaded = 0
        for size in sorted(args.sizes):
            print(f"{backend}: loading up to {size:,}")
            load(engine, size - loaded, seed=size)
            loaded = size
            seconds, parts = _time(url, args.rounds)
            results.setdefault(backend, []).append((size, seconds, parts))
            print(f"{backend}: {size:,} applications: summary {seconds * 1000:,.0f} ms")
        engine.dispose()
    print(f"\ncompliance summary (all dates, no filter), median of {args.rounds} warm runs")
    for backend, rows in results.items():
        print(f"\n{backend}")
        print(f"{'applications':>14} {'summary ms':>11} {'per 1k apps':>12} {'growth':>8}")
        previous = None
        for size, seconds, _parts in rows:
            growth = ""
            if previous:
                growth = f"{(seconds / previous[1]) / (size / previous[0]):.2f}x"
            print(f"{size:>14,} {seconds * 1000:>11,.0f} {seconds * 1e6 / size:>12.2f} {growth:>8}")
            previous = (size, seconds)
        slowest = sorted(rows[-1][2].items(), key=lambda kv: -kv[1])
        print("  at the largest size: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in slowest))
        size, seconds, _ = rows[-1]
        verdict = "met" if seconds <= 1.0 or size < 1_000_000 else "MISSED"
        print(f"  {verdict}: at most 1 s at 1,000,000 (growth column: 1.00x is linear)")


if __name__ == "__main__":
    main()
