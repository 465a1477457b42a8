"""Time `tidtam audit verify` on a loaded office: keyed chains, machine replay, stored rows
against the trail, anchors and a tally rebuild, on SQLite and on PostgreSQL.

Target (issue "trust"): at most 60 s at 1,000,000 applications on each database. Each size is
loaded into a fresh database (the loader chains every trail under the audit key), anchored
once, then verified as a whole command (its progress bar goes to the terminal), and the
figures are printed with the part the tally rebuild took.

    TIDTAM_AUDIT_KEY=... uv run python tests/bench/bench_verify.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import fresh_database, load  # noqa: E402

from tracking.db import make_engine  # noqa: E402
from tracking.trail import anchors, rebuild  # noqa: E402

TIDTAM = str(Path(sys.executable).with_name("tidtam"))


def _run(url: str, size: int) -> tuple[float, float, str]:
    """Load ``size`` files, anchor, and time the verify command and the rebuild alone."""
    engine = make_engine(url)
    load(engine, size, seed=size)
    with engine.begin() as connection:
        digest = anchors.anchor(connection, date.today()).digest
    started = time.perf_counter()
    with engine.begin() as connection:
        rebuild.rebuild(connection)
    rebuilt = time.perf_counter() - started
    engine.dispose()
    env = {**os.environ, "TIDTAM_DATABASE_URL": url}
    started = time.perf_counter()
    done = subprocess.run(
        [TIDTAM, "audit", "verify", "--anchor", digest], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    outcome = (done.stdout or done.stderr).strip().splitlines()[-1]
    return seconds, rebuilt, outcome


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    if not os.environ.get("TIDTAM_AUDIT_KEY"):
        sys.exit("set TIDTAM_AUDIT_KEY (the loader chains the trails under it)")
    rows = []
    for backend in args.backends:
        for size in sorted(args.sizes):
            print(f"{backend}: loading {size:,} applications")
            seconds, rebuilt, outcome = _run(fresh_database(backend, "tidtam_verify_bench"), size)
            rows.append((backend, size, seconds, rebuilt, outcome))
            print(f"{backend}: {size:,}: verify {seconds:,.1f} s (rebuild alone {rebuilt:,.1f} s)")
    print("\naudit verify, whole command, with --anchor")
    print(f"{'backend':<11} {'applications':>13} {'verify s':>9} {'rebuild s':>10}  result")
    for backend, size, seconds, rebuilt, outcome in rows:
        met = "met" if seconds <= 60 or size < 1_000_000 else "MISSED"
        print(f"{backend:<11} {size:>13,} {seconds:>9,.1f} {rebuilt:>10,.1f}  {outcome} ({met})")


if __name__ == "__main__":
    main()
