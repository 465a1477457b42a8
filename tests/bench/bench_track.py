"""Benchmark the public lookups against a bare endpoint, in one run, on one machine.

Loads N applications into SQLite (reused if the file already holds them), serves with
`tidtam serve --workers 2`, and runs wrk against random tracking codes for
`GET /api/v1/track/{code}` (JSON), `GET /track/{code}` (HTML) and the bare `GET /livez`,
interleaved over several rounds. Prints requests/s, p99 latency, the ratios to the bare
endpoint and the resident memory of each worker.

Targets (issue 4): JSON >= 40% and HTML >= 25% of the bare endpoint's throughput,
p99 <= 50 ms, <= 150 MB resident per worker.

    uv run python tests/bench/bench_track.py --applications 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ROOT, load  # noqa: E402

from tracking.db import make_engine  # noqa: E402

LUA = """
local codes = {}
for line in io.lines(os.getenv("TIDTAM_BENCH_CODES")) do codes[#codes + 1] = line end
local template = os.getenv("TIDTAM_BENCH_PATH")
math.randomseed(tonumber(os.getenv("TIDTAM_BENCH_SEED")))
request = function()
  return wrk.format("GET", string.format(template, codes[math.random(#codes)]))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(db: Path, applications: int) -> list[str]:
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    if db.exists():
        with engine.connect() as connection:
            have = connection.execute(text("SELECT COUNT(*) FROM application")).scalar_one()
        if have == applications:
            with engine.connect() as connection:
                rows = (
                    connection.execute(
                        text("SELECT tracking_code FROM application ORDER BY RANDOM() LIMIT 200000")
                    )
                    .scalars()
                    .all()
                )
            engine.dispose()
            print(f"reusing {db} ({have:,} applications)")
            return list(rows)
        engine.dispose()
        db.unlink()
        engine = make_engine(url)
    print(f"loading {applications:,} applications into {db}")
    started = time.monotonic()
    codes = load(engine, applications)
    engine.dispose()
    print(f"loaded in {time.monotonic() - started:.0f} s")
    return random.sample(codes, min(len(codes), 200_000))


def _wrk(
    url: str, path: str, codes_file: Path, lua: Path, seconds: int, connections: int, seed: int
) -> tuple[float, float]:
    env = dict(
        os.environ,
        TIDTAM_BENCH_CODES=str(codes_file),
        TIDTAM_BENCH_PATH=path,
        TIDTAM_BENCH_SEED=str(seed),
    )
    out = subprocess.run(
        [
            "timeout",
            str(seconds + 30),
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(lua),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    assert p99 is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{path}: {errors.group(1)} error responses\n{out}")
    return rps, float(p99.group(1)) * scale


def _worker_rss(master: int) -> list[float]:
    children = subprocess.run(
        ["ps", "--ppid", str(master), "-o", "pid=,rss="], capture_output=True, text=True
    ).stdout.split("\n")
    sizes = []
    for line in children:
        parts = line.split()
        if len(parts) == 2:
            sizes.append(int(parts[1]) / 1024)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "tidtam-bench.db")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    codes = _prepare(args.db, args.applications)
    work = Path(tempfile.mkdtemp(prefix="tidtam-bench-"))
    codes_file = work / "codes.txt"
    codes_file.write_text("\n".join(codes) + "\n")
    lua = work / "random.lua"
    lua.write_text(LUA)

    port = _free_port()
    env = dict(
        os.environ,
        TIDTAM_DATABASE_URL=f"sqlite:///{args.db}",
        TIDTAM_TRACK_RATE_LIMIT=str(10**9),
        TIDTAM_BASE_URL=f"http://127.0.0.1:{port}",
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("tidtam")),
            "serve",
            "--workers",
            "2",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/livez", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("server did not start") from None
                time.sleep(0.3)
        targets = {
            "bare /livez": "/livez?%s",
            "JSON /api/v1/track/{code}": "/api/v1/track/%s",
            "HTML /track/{code}": "/track/%s",
        }
        # Warm both workers (imports, catalogue, caches) before measuring.
        for path in targets.values():
            _wrk(base, path, codes_file, lua, 3, args.connections, 0)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in targets}
        for round_ in range(args.rounds):
            for name, path in targets.items():
                results[name].append(
                    _wrk(base, path, codes_file, lua, args.seconds, args.connections, round_ + 1)
                )
        rss = _worker_rss(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    bare = statistics.median(r for r, _ in results["bare /livez"])
    print(
        f"\n{args.applications:,} applications in SQLite; 2 workers; wrk -t2 "
        f"-c{args.connections}, {args.rounds} rounds of {args.seconds} s; "
        f"{os.cpu_count()} cores shared by client and server"
    )
    print(f"{'endpoint':<28} {'req/s (median)':>15} {'ratio':>7} {'p99 ms (max)':>13}")
    for name, runs in results.items():
        rps = statistics.median(r for r, _ in runs)
        p99 = max(p for _, p in runs)
        print(
            f"{name:<28} {rps:>15,.0f} {rps / bare:>7.0%} {p99:>13.1f}"
            f"   rounds: {', '.join(f'{r:,.0f}' for r, _ in runs)}"
        )
    print("worker resident memory (MB): " + ", ".join(f"{m:.0f}" for m in rss))
    json_ratio = statistics.median(r for r, _ in results["JSON /api/v1/track/{code}"]) / bare
    html_ratio = statistics.median(r for r, _ in results["HTML /track/{code}"]) / bare
    p99s = [max(p for _, p in results[n]) for n in list(results)[1:]]
    verdict = {
        "JSON >= 40% of bare": json_ratio >= 0.40,
        "HTML >= 25% of bare": html_ratio >= 0.25,
        "p99 <= 50 ms": max(p99s) <= 50,
        "<= 150 MB per worker": bool(rss) and max(rss) <= 150,
    }
    for target, ok in verdict.items():
        print(f"  {'met' if ok else 'MISSED':>6}  {target}")


if __name__ == "__main__":
    main()
