"""Benchmark the staff API's writes against a bare endpoint, in one run, on SQLite and PostgreSQL.

For each backend: a fresh database with a clerk and an officer of every department and N files
bulk-loaded at their first step (``load.py``), served by `tidtam serve --workers 2`; then wrk,
interleaved over several rounds, against the bare `GET /livez`, intake
(`POST /api/v1/applications`), a transition (`POST /api/v1/applications/{id}/transitions`,
withdraw) and a checklist update (`PATCH /api/v1/applications/{id}/checklist/{item}`). Each
write touches its own file with that file's current version (the Lua scripts walk a list of
files read from the database before the run), so no two requests race for one file and every
409 is a spurious conflict. Prints req/s, p50/p99, 409, 5xx and other non-2xx counts, the
ratio to the bare endpoint and the total of writes with their conflicts.

Target (issue 13, item 5): intake and transition >= 500 req/s each on both backends, and no
spurious conflict over >= 50,000 writes.

    uv run python tests/bench/bench_writes.py --backends sqlite postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ROOT, fresh_database, load  # noqa: E402

from checklists.loader import default_catalogue  # noqa: E402
from tracking import auth  # noqa: E402
from tracking.config import Settings  # noqa: E402
from tracking.db import make_engine, unit_of_work  # noqa: E402

PASSWORD = "bench-writes-password-2568"

# Counts the answers by status in each thread and prints them when the run is done; walks the
# lines of TIDTAM_BENCH_POOL (one file each), thread i taking lines i, i+T, i+2T, ...
LUA_COMMON = """
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function response(status, headers, body)
  if status == 409 then c409 = c409 + 1
  elseif status >= 500 then c5xx = c5xx + 1
  elseif status < 200 or status >= 300 then cother = cother + 1
  else cok = cok + 1 end
  if status >= 300 and sample == nil then sample = status .. " " .. body end
end
function done(summary, latency, requests)
  local a, b, c, d = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("c409"); b = b + t:get("c5xx"); c = c + t:get("cother"); d = d + t:get("cok")
    local s = t:get("sample")
    if s ~= nil then io.write("SAMPLE " .. string.sub(s, 1, 300) .. "\\n") end
  end
  io.write(string.format("STATUS ok=%d c409=%d c5xx=%d other=%d\\n", d, a, b, c))
end
function read_pool()
  local pool, i = {}, 0
  local nthreads = tonumber(os.getenv("TIDTAM_BENCH_THREADS"))
  for line in io.lines(os.getenv("TIDTAM_BENCH_POOL")) do
    if i % nthreads == tid then pool[#pool + 1] = line end
    i = i + 1
  end
  return pool
end
function fields(line)
  local out = {}
  for part in string.gmatch(line, "[^\\t]+") do out[#out + 1] = part end
  return out
end
"""

LUA = {
    "livez": LUA_COMMON
    + """
function init(args) c409, c5xx, cother, cok = 0, 0, 0, 0 end
request = function() return wrk.format("GET", "/livez") end
""",
    "intake": LUA_COMMON
    + """
function init(args)
  c409, c5xx, cother, cok, n = 0, 0, 0, 0, 0
  token = os.getenv("TIDTAM_BENCH_TOKEN")
end
request = function()
  n = n + 1
  local body = string.format('{"permit_type": "food-premises", "applicant": {"name":'
    .. ' "ผู้ยื่นทดสอบ %d-%d", "id_number": "1101700123456", "phone": "0812345678"},'
    .. ' "subject": {"address": "99 ถนนพญาไท เขตปทุมวัน", "area_sqm": 350}}', tid, n)
  return wrk.format("POST", "/api/v1/applications",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
""",
    "transition": LUA_COMMON
    + """
function init(args)
  c409, c5xx, cother, cok, n = 0, 0, 0, 0, 0
  pool = read_pool()
end
request = function()
  n = n + 1
  local f = fields(pool[(n - 1) % #pool + 1])
  local body = string.format('{"event": "withdraw", "reason": "ผู้ยื่นขอถอนคำขอ",'
    .. ' "version": %s}', f[2])
  return wrk.format("POST", "/api/v1/applications/" .. f[1] .. "/transitions",
    {["Authorization"] = "Bearer " .. f[3], ["Content-Type"] = "application/json"}, body)
end
""",
    "checklist": LUA_COMMON
    + """
function init(args)
  c409, c5xx, cother, cok, n = 0, 0, 0, 0, 0
  pool = read_pool()
end
request = function()
  n = n + 1
  local f = fields(pool[(n - 1) % #pool + 1])
  local body = string.format('{"status": "received", "version": %s}', f[2])
  return wrk.format("PATCH", "/api/v1/applications/" .. f[1] .. "/checklist/" .. f[4],
    {["Authorization"] = "Bearer " .. f[3], ["Content-Type"] = "application/json"}, body)
end
""",
}
WRITES = ("intake", "transition", "checklist")


@dataclass
class Run:
    rps: float
    p50: float
    p99: float
    requests: int
    ok: int
    conflicts: int
    server_errors: int
    other: int
    samples: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ms(out: str, label: str) -> float:
    found = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out)
    assert found is not None, out
    return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]


def _wrk(base: str, lua: Path, env: dict[str, str], seconds: int, connections: int) -> Run:
    out = subprocess.run(
        ["timeout", str(seconds + 60), "wrk", "-t2", f"-c{connections}", f"-d{seconds}s"]
        + ["--latency", "-s", str(lua), base],
        env=dict(os.environ, TIDTAM_BENCH_THREADS="2", **env),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts = re.search(r"STATUS ok=(\d+) c409=(\d+) c5xx=(\d+) other=(\d+)", out)
    requests = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert counts, out
    assert requests, out
    assert rps, out
    return Run(
        rps=float(rps.group(1)),
        p50=_ms(out, "50%"),
        p99=_ms(out, "99%"),
        requests=int(requests.group(1)),
        ok=int(counts.group(1)),
        conflicts=int(counts.group(2)),
        server_errors=int(counts.group(3)),
        other=int(counts.group(4)),
        samples=re.findall(r"SAMPLE (.*)", out),
    )


def _staff(engine: Engine, departments: list[str]) -> None:
    office = Settings().office
    with unit_of_work(engine) as session:
        for department in departments:
            for role in ("clerk", "officer"):
                auth.create_staff(
                    session,
                    username=f"{role}.{department}",
                    role=role,
                    department=department,
                    password=PASSWORD,
                    office_slug=office,
                )


def _token(base: str, username: str) -> str:
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD}).encode()
    with urllib.request.urlopen(f"{base}/api/v1/auth/token", data=form, timeout=10) as answer:
        return str(json.load(answer)["access_token"])


def _pool(engine: Engine, kind: str, tokens: dict[str, str], path: Path) -> int:
    """Write the files the next run of ``kind`` walks: still at their first step, with their
    current version (and for a checklist update, one item still pending)."""
    firsts = {p.initial_step.id for p in default_catalogue().values()}
    states = ", ".join(f"'{s}'" for s in sorted(firsts))
    if kind == "transition":
        sql = f"SELECT id, version, department, '' FROM application WHERE state IN ({states})"
    else:
        sql = (
            "SELECT a.id, a.version, a.department, MIN(c.item_id) FROM application a"
            " JOIN checklist_entry c ON c.application_id = a.id AND c.step = a.state"
            f" AND c.status = 'pending' WHERE a.state IN ({states})"
            " GROUP BY a.id, a.version, a.department"
        )
    with engine.connect() as connection:
        # Transitions walk from the newest file down, checklist updates from the oldest up.
        order = " ORDER BY 1 DESC" if kind == "transition" else " ORDER BY 1"
        rows = connection.execute(text(sql + order)).all()
    path.write_text("".join(f"{i}\t{v}\t{tokens[d]}\t{item or '-'}\n" for i, v, d, item in rows))
    return len(rows)


def bench(backend: str, args: argparse.Namespace, work: Path) -> dict[str, list[Run]]:
    url = fresh_database(backend, "writes_bench")
    os.environ["TIDTAM_AUDIT_KEY"] = AUDIT_KEY
    engine = make_engine(url)
    print(f"{backend}: loading {args.applications:,} files at their first step")
    load(engine, args.applications, at_intake=True)
    departments = sorted({p.department for p in default_catalogue().values()})
    _staff(engine, departments)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        TIDTAM_DATABASE_URL=url,
        TIDTAM_SECRET_KEY=secrets.token_urlsafe(48),
        TIDTAM_AUDIT_KEY=AUDIT_KEY,
        TIDTAM_BASE_URL=base,
        TIDTAM_TRACK_RATE_LIMIT=str(10**9),
    )
    command = [str(Path(sys.executable).with_name("tidtam")), "serve", "--workers", "2"]
    server = subprocess.Popen(
        command + ["--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(work / f"server-{backend}.log").open("w"),
        start_new_session=True,
    )
    results: dict[str, list[Run]] = {name: [] for name in LUA}
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
        tokens = {d: _token(base, f"clerk.{d}") for d in departments}
        pool = work / "pool.txt"
        scripts = {}
        for name, source in LUA.items():
            scripts[name] = work / f"{name}.lua"
            scripts[name].write_text(source)
        extra = {
            "TIDTAM_BENCH_POOL": str(pool),
            "TIDTAM_BENCH_TOKEN": tokens["environment-sanitation"],
        }
        for round_ in range(args.rounds + 1):  # round 0 warms both workers
            seconds = 3 if round_ == 0 else args.seconds
            for name in LUA:
                if name in ("transition", "checklist"):
                    time.sleep(2)  # requests wrk left in flight are answered and committed
                    have = _pool(engine, name, tokens, pool)
                    assert have > 0, f"no files left for {name}"
                run = _wrk(base, scripts[name], extra, seconds, args.connections)
                if name in ("transition", "checklist") and run.requests > have:
                    print(f"  {name}: {run.requests:,} requests over {have:,} files (too few)")
                if round_:
                    results[name].append(run)
                print(
                    f"  round {round_} {name:<10} {run.rps:>9,.0f} req/s"
                    f"  409: {run.conflicts}  5xx: {run.server_errors}  other: {run.other}",
                    flush=True,
                )
                for sample in run.samples:
                    print(f"    e.g. {sample}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        engine.dispose()
    return results


AUDIT_KEY = secrets.token_urlsafe(48)


def report(backend: str, results: dict[str, list[Run]], args: argparse.Namespace) -> None:
    bare = statistics.median(r.rps for r in results["livez"])
    print(
        f"\n{backend}: {args.applications:,} files loaded; 2 workers; wrk -t2 "
        f"-c{args.connections}, {args.rounds} rounds of {args.seconds} s; "
        f"{os.cpu_count()} cores shared by client and server"
    )
    print(
        f"{'endpoint':<12} {'req/s (median)':>15} {'ratio':>7} {'p50 ms':>7} {'p99 ms':>8}"
        f" {'requests':>9} {'409':>5} {'5xx':>5} {'other':>6}"
    )
    for name, runs in results.items():
        rps = statistics.median(r.rps for r in runs)
        print(
            f"{name:<12} {rps:>15,.0f} {rps / bare:>7.1%}"
            f" {statistics.median(r.p50 for r in runs):>7.1f} {max(r.p99 for r in runs):>8.1f}"
            f" {sum(r.requests for r in runs):>9,} {sum(r.conflicts for r in runs):>5}"
            f" {sum(r.server_errors for r in runs):>5} {sum(r.other for r in runs):>6}"
            f"   rounds: {', '.join(f'{r.rps:,.0f}' for r in runs)}"
        )
    writes = sum(r.ok for name in WRITES for r in results[name])
    conflicts = sum(r.conflicts for name in WRITES for r in results[name])
    print(f"writes answered 2xx: {writes:,}; spurious 409s: {conflicts}")
    for name in ("intake", "transition"):
        rps = statistics.median(r.rps for r in results[name])
        print(f"  {'met' if rps >= 500 else 'MISSED':>6}  {name} >= 500 req/s ({rps:,.0f})")
    print(f"  {'met' if conflicts == 0 else 'MISSED':>6}  no spurious 409")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--applications", type=int, default=60_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="tidtam-bench-writes-"))
    try:
        for backend in args.backends:
            report(backend, bench(backend, args, work), args)
    finally:
        print(f"server logs in {work}")


if __name__ == "__main__":
    main()
