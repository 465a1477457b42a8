"""Time `tidtam audit verify` on a loaded office: keyed chains, machine replay, stored rows
against the trail, anchors and a recount of the tallies, on SQLite and on PostgreSQL.

Target (issue "trust"): at most 60 s at 1,000,000 applications on each database. Each size is
loaded into a fresh database (the loader chains every trail under the audit key), anchored
once, then verified as a whole command (its progress bar goes to the terminal), with the CPU
time it and its worker processes used. The start of the command alone (``tidtam --help``) is
timed in the same run, as the fixed part. The installed code is compiled to bytecode first, as
the Docker image installs it (``UV_COMPILE_BYTECODE=1``): with ``PYTHONDONTWRITEBYTECODE`` set
and no bytecode, every start compiles the whole stack again. ``--reuse`` verifies a database
this script loaded before, if it holds that many applications.

    TIDTAM_AUDIT_KEY=... uv run python tests/bench/bench_verify.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import sysconfig
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import database_url, fresh_database, load  # noqa: E402

from tracking.db import make_engine  # noqa: E402
from tracking.trail import anchors  # noqa: E402

TIDTAM = str(Path(sys.executable).with_name("tidtam"))
ROOT = Path(__file__).resolve().parents[2]


def _compile_bytecode() -> None:
    """Compile the environment's packages and the project to bytecode (what an install with
    ``UV_COMPILE_BYTECODE=1`` leaves), so that a command starts as it does when deployed."""
    code = [
        sysconfig.get_paths()["purelib"],
        *(str(ROOT / d) for d in ("tracking", "checklists", "web")),
    ]
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", *code], check=False)


def _loaded(url: str) -> int:
    try:
        engine = make_engine(url)
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT COUNT(*) FROM application")).scalar_one())
    except Exception:  # no database, or not migrated
        return 0


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the command and its worker processes, its last line)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    outcome = (done.stdout or done.stderr).strip().splitlines()[-1]
    return seconds, cpu, outcome


def _run(backend: str, size: int, reuse: bool) -> tuple[float, float, float, str]:
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
        (made, *_) = anchors.anchor_every_office(connection, date.today())
        digest = made.digest
    engine.dispose()
    env = {**os.environ, "TIDTAM_DATABASE_URL": url}
    start, _, _ = _timed([TIDTAM, "--help"], env)
    seconds, cpu, outcome = _timed([TIDTAM, "audit", "verify", "--anchor", digest], env)
    return seconds, cpu, start, outcome


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
    _compile_bytecode()
    rows = []
    for backend in args.backends:
        for size in sorted(args.sizes):
            seconds, cpu, start, outcome = _run(backend, size, args.reuse)
            rows.append((backend, size, seconds, cpu, start, outcome))
            print(f"{backend}: {size:,}: verify {seconds:,.1f} s (command start {start:.1f} s)")
    print(f"\naudit verify, whole command, with --anchor, {os.cpu_count()} cores")
    heading = ("backend", "applications", "verify s", "CPU s", "files/s", "start s")
    print("{:<11} {:>13} {:>9} {:>7} {:>9} {:>8}  result".format(*heading))
    for backend, size, seconds, cpu, start, outcome in rows:
        met = "met" if seconds <= 60 or size < 1_000_000 else "MISSED"
        rate = size / seconds
        print(
            f"{backend:<11} {size:>13,} {seconds:>9,.1f} {cpu:>7,.1f} {rate:>9,.0f}"
            f" {start:>8,.1f}  {outcome} ({met})"
        )


if __name__ == "__main__":
    main()
