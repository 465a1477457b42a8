"""Time `tidtam audit verify` on a loaded office: keyed chains, machine replay, stored rows
against the trail, anchors and a recount of the tallies, on SQLite and on PostgreSQL.

Target (issue "trust"): at most 60 s at 1,000,000 applications on each database. Each size is
loaded into a fresh database (the loader chains every trail under the audit key), anchored
once, then verified as a whole command (its progress bar goes to the terminal). The start of
the command alone (``tidtam --help``) is timed in the same run, as the fixed part. ``--reuse``
verifies a database this script loaded before, if it holds that many applications.

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

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import database_url, fresh_database, load  # noqa: E402

from tracking.db import make_engine  # noqa: E402
from tracking.trail import anchors  # noqa: E402

TIDTAM = str(Path(sys.executable).with_name("tidtam"))


def _loaded(url: str) -> int:
    try:
        engine = make_engine(url)
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT COUNT(*) FROM application")).scalar_one())
    except Exception:  # no database, or not migrated
        return 0


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    outcome = (done.stdout or done.stderr).strip().splitlines()[-1]
    return time.perf_counter() - started, outcome


def _run(backend: str, size: int, reuse: bool) -> tuple[float, float, str]:
    """Load ``size`` files (unless reused), anchor, and time the verify command and the start
    of a command."""
    name = f"tidtam_verify_bench_{size}"
    url = database_url(backend, name)
    if not (reuse and _loaded(url) == size):
        print(f"{backend}: loading {size:,} applications")
        url = fresh_database(backend, name)
        load(make_engine(url), size, seed=size)
    engine = make_engine(url)
    with engine.begin() as connection:
        digest = anchors.anchor(connection, date.today()).digest
    engine.dispose()
    env = {**os.environ, "TIDTAM_DATABASE_URL": url}
    start, _ = _timed([TIDTAM, "--help"], env)
    seconds, outcome = _timed([TIDTAM, "audit", "verify", "--anchor", digest], env)
    return seconds, start, outcome


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--reuse", action="store_true", help="verify a database loaded before")
    args = parser.parse_args()
    if not os.environ.get("TIDTAM_AUDIT_KEY"):
        sys.exit("set TIDTAM_AUDIT_KEY (the loader chains the trails under it)")
    rows = []
    for backend in args.backends:
        for size in sorted(args.sizes):
            seconds, start, outcome = _run(backend, size, args.reuse)
            rows.append((backend, size, seconds, start, outcome))
            print(f"{backend}: {size:,}: verify {seconds:,.1f} s (command start {start:.1f} s)")
    print(f"\naudit verify, whole command, with --anchor, {os.cpu_count()} cores")
    heading = ("backend", "applications", "verify s", "files/s", "start s")
    print("{:<11} {:>13} {:>9} {:>9} {:>8}  result".format(*heading))
    for backend, size, seconds, start, outcome in rows:
        met = "met" if seconds <= 60 or size < 1_000_000 else "MISSED"
        rate = size / seconds
        print(
            f"{backend:<11} {size:>13,} {seconds:>9,.1f} {rate:>9,.0f} {start:>8,.1f}"
            f"  {outcome} ({met})"
        )


if __name__ == "__main__":
    main()
