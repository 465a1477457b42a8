"""Bulk-load synthetic applications straight into a migrated database, for benchmarks.

Rows are written in large batches (no ORM, no workflow): on PostgreSQL with COPY, by two
processes over disjoint id ranges, each file's checklist rows copied server-side from its permit
type's; on SQLite with executemany. Each application
gets a plausible state of its permit type, dates, an intake event and one event per step it
has passed (moves its machine has), its checklist rows, and a trail chained under the audit key
(``TIDTAM_AUDIT_KEY``) whose last event records the row's facts, so ``tidtam audit verify``
passes on it. Tracking codes are a fixed permutation of the ids (with their check character), so
no two loads, nor two processes, ever draw the same one. The compliance tallies are then rebuilt
from the trail, as after any bulk import. Personal fields hold synthetic values only.
"""

from __future__ import annotations

import functools
import multiprocessing
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, create_engine, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from checklists.loader import default_catalogue  # noqa: E402
from checklists.offices import default_offices  # noqa: E402
from tracking import codes, migrate  # noqa: E402
from tracking import offices as tracking_offices  # noqa: E402
from tracking.clock import bangkok_date  # noqa: E402
from tracking.db import make_engine, unit_of_work  # noqa: E402
from tracking.trail import audit, rebuild  # noqa: E402

BATCH = 20_000
MAX_MOVES = 8  # the longest walk (_paths)
MAX_EVENTS = 1 + MAX_MOVES
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def database_url(backend: str, name: str) -> str:
    """The URL of database ``name`` on ``backend`` (sqlite: a file in the temporary folder;
    postgresql: the machine's server)."""
    if backend == "sqlite":
        return f"sqlite:///{Path(tempfile.gettempdir()) / f'{name}.db'}"
    return f"{PG_SERVER}/{name}"


def fresh_database(backend: str, name: str) -> str:
    """The URL of an empty database ``name`` on ``backend`` (see ``database_url``), dropped
    first if it exists."""
    if backend == "sqlite":
        path = Path(tempfile.gettempdir()) / f"{name}.db"
        for suffix in ("", "-wal", "-shm", "-writer"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return database_url(backend, name)
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_url(backend, name)


def _paths(seed: int) -> dict[str, list[list[tuple[str, str, str]]]]:
    """For each permit type, sample walks from the initial step: lists of (event, source,
    target), so states and events are ones the workflow really has."""
    rng = random.Random(seed)
    walks: dict[str, list[list[tuple[str, str, str]]]] = {}
    for slug, permit in default_catalogue().items():
        outgoing: dict[str, list[tuple[str, str, str]]] = {}
        for t in permit.transitions:
            outgoing.setdefault(t.source, []).append((t.event, t.source, t.target))
        samples = []
        for _ in range(200):
            here, walk = permit.initial_step.id, []
            for _ in range(rng.randrange(0, MAX_MOVES + 1)):
                if here not in outgoing:
                    break
                move = rng.choice(outgoing[here])
                walk.append(move)
                here = move[2]
            samples.append(walk)
        walks[slug] = samples
    return walks


def load(
    engine: Engine,
    applications: int,
    *,
    seed: int = 1,
    today: date | None = None,
    progress: bool = True,
    offices: int = 1,
    at_intake: bool = False,
    workers: int | None = None,
) -> list[str]:
    """Insert ``applications`` rows, dealt in turn to the first ``offices`` district offices
    (by BMA code, each added from its file if not there yet); return their tracking codes
    (canonical form). With ``at_intake`` every file is left at its type's first step, as just
    taken in. ``workers`` processes write (PostgreSQL only; default two from 100,000 files)."""
    migrate.upgrade(engine)
    office_ids = district_offices(engine, offices)
    with engine.begin() as connection:
        start_id = connection.execute(
            text("SELECT COALESCE(MAX(id), 0) FROM application")
        ).scalar_one()
        event_id = connection.execute(
            text("SELECT COALESCE(MAX(id), 0) FROM application_event")
        ).scalar_one()
    postgres = engine.dialect.name == "postgresql"
    if not postgres:
        workers = 1
    elif workers is None:
        workers = 2 if applications >= 100_000 else 1
    plan = Plan(
        url=engine.url.render_as_string(hide_password=False),
        office_ids=office_ids,
        today=today or date.today(),
        seed=seed,
        at_intake=at_intake,
    )
    share = -(-applications // workers)
    parts = [
        Part(
            start_id + k * share,
            event_id + k * share * MAX_EVENTS,
            min(share, applications - k * share),
            k,
        )
        for k in range(workers)
        if applications > k * share
    ]
    started = time.monotonic()
    if len(parts) == 1:
        _write(plan, parts[0], None if not progress else _Progress(applications, started))
    else:
        _write_in_processes(plan, parts, progress, started)
    if progress:
        print()
    if postgres:
        # The rows were given their ids: move the sequences past them for the writes to come.
        with engine.begin() as connection:
            for table in ("application", "application_event"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                    )
                )
    _analyze(engine)  # the rebuild's joins need the planner's figures
    started = time.monotonic()
    with engine.begin() as connection:
        if postgres:  # room for its grouping of millions of events in memory
            connection.execute(text("SET LOCAL work_mem = '256MB'"))
        # What the trail's writer counts event by event, counted here in one pass.
        rebuild.rebuild(connection)
    if progress:
        print(f"  rebuilt the compliance tallies in {time.monotonic() - started:,.1f} s")
    _analyze(engine)
    return [code_of(start_id + n) for n in range(1, applications + 1)]


@dataclass(frozen=True)
class Plan:
    """What every writing process shares."""

    url: str
    office_ids: list[int]
    today: date
    seed: int
    at_intake: bool


@dataclass(frozen=True)
class Part:
    """One process's share: the files after id ``after`` and their events after
    ``events_after`` (at most ``MAX_EVENTS`` each, so the shares never overlap)."""

    after: int
    events_after: int
    count: int
    number: int


class _Progress:
    def __init__(self, total: int, started: float) -> None:
        self.total, self.started = total, started

    def __call__(self, done: int) -> None:
        rate = done / max(0.001, time.monotonic() - self.started)
        print(f"\r  loaded {done:>10,} applications ({rate:,.0f}/s)", end="", flush=True)


def _write_in_processes(plan: Plan, parts: list[Part], progress: bool, started: float) -> None:
    """Run ``_write`` for each part in its own process (forked: no engine crosses over)."""
    context = multiprocessing.get_context("fork")
    counters = [context.Value("q", 0) for _ in parts]
    processes = [
        context.Process(target=_write_part, args=(plan, part, counter))
        for part, counter in zip(parts, counters, strict=True)
    ]
    sys.stdout.flush()  # else each child writes out the parent's buffered lines again
    for process in processes:
        process.start()
    report = _Progress(sum(p.count for p in parts), started)
    while any(process.is_alive() for process in processes):
        time.sleep(2)
        if progress and (done := sum(counter.value for counter in counters)):
            report(done)
    for process in processes:
        process.join()
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"a loading process failed (exit codes {failed})")


def _write_part(plan: Plan, part: Part, counter: Any) -> None:
    def done(n: int) -> None:
        counter.value = n

    _write(plan, part, done)


def _write(plan: Plan, part: Part, report: Any) -> None:
    """Generate and write ``part``'s files in batches of ``BATCH``, a transaction each."""
    engine = make_engine(plan.url)
    rng = random.Random(f"{plan.seed}/{part.number}")
    catalogue = default_catalogue()
    slugs = sorted(catalogue)
    walks = _paths(plan.seed)
    lapses = {
        slug: {(s.id, s.deadline.lapse) for s in permit.steps if s.deadline is not None}
        for slug, permit in catalogue.items()
    }
    key = audit.audit_key()
    postgres = engine.dialect.name == "postgresql"
    next_id, event_id = part.after, part.events_after
    for offset in range(0, part.count, BATCH):
        apps, events = [], []
        for _ in range(min(BATCH, part.count - offset)):
            next_id += 1
            slug = slugs[rng.randrange(len(slugs))]
            walk = [] if plan.at_intake else walks[slug][rng.randrange(len(walks[slug]))]
            app, trail = _file(
                rng, catalogue[slug], slug, walk, lapses[slug], next_id, event_id, plan
            )
            app["trail_head"] = _chain(app, trail, catalogue[slug], key)
            event_id += len(trail)
            apps.append(app)
            events += trail
        if postgres:
            _copy(engine, apps, events, part.after + offset + 1, next_id)
        else:
            _insert(engine, apps, events, catalogue)
        if report is not None:
            report(offset + len(apps))
    engine.dispose()


def _file(
    rng: random.Random,
    permit: Any,
    slug: str,
    walk: list[tuple[str, str, str]],
    lapses: set[tuple[str, str]],
    app_id: int,
    event_id: int,
    plan: Plan,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Application ``app_id`` of ``permit``, moved along ``walk``, and its trail (events
    after ``event_id``), not yet chained."""
    submitted = datetime.combine(
        plan.today - timedelta(days=rng.randrange(0, 400)), datetime.min.time(), UTC
    ) + timedelta(hours=2 + rng.random() * 7)
    moment = submitted
    dept = permit.department
    trail: list[dict[str, Any]] = []
    trail.append(
        {
            "id": (event_id := event_id + 1),
            "application_id": app_id,
            "seq": 1,
            "kind": "intake",
            "occurred_at": moment,
            "event": "submit",
            "source": None,
            "target": permit.initial_step.id,
            "transition_kind": None,
            "actor": f"clerk-{dept}-{rng.randrange(4)}",
            "role": "clerk",
            "reason": "",
            "ground": None,
            "out_of_turn": False,
            "step_days": None,
        }
    )
    decided = None
    used = None
    for seq, (event, source, target) in enumerate(walk, start=2):
        gap = rng.randrange(0, 6)
        if (source, event) in lapses:  # after the deadline the step set (_chain)
            gap += DEADLINE_DAYS + 1
        moment += timedelta(days=gap, hours=rng.randrange(0, 5))
        rule = next(t for t in permit.transitions if t.event == event and t.source == source)
        kind = rule.kind.value
        role = rule.roles[0]
        out_of_turn = kind in {"approve", "refuse"} and rng.random() < 0.02
        if kind in {"approve", "refuse"}:
            decided = bangkok_date(moment)
            used = (decided - bangkok_date(submitted)).days * 5 // 7
        trail.append(
            {
                "id": (event_id := event_id + 1),
                "application_id": app_id,
                "seq": seq,
                "kind": "transition",
                "occurred_at": moment,
                "event": event,
                "source": source,
                "target": target,
                "transition_kind": kind,
                "actor": f"{role}-{dept}-{rng.randrange(5)}",
                "role": role,
                "reason": "ลำดับก่อนรอผลตรวจ" if out_of_turn else "",
                "ground": permit.refusal_grounds[0].code if kind == "refuse" else None,
                "out_of_turn": out_of_turn,
                "step_days": gap,
            }
        )
    state = walk[-1][2] if walk else permit.initial_step.id
    step = permit.step(state)
    app = {
        "id": app_id,
        "office_id": plan.office_ids[app_id % len(plan.office_ids)],
        "permit_type": slug,
        "department": permit.department,
        "state": state,
        "turn": step.turn.value,
        "code": code_of(app_id),
        "submitted_at": submitted,
        "submitted_on": bangkok_date(submitted),
        "due_date": bangkok_date(submitted) + timedelta(days=permit.service_time.days * 7 // 5),
        "applicant_deadline": _deadline(moment, step),
        "state_entered_at": moment,
        "decided_on": decided,
        "outcome": step.outcome.value if step.outcome else None,
        "updated_at": moment,
        "event_count": len(walk) + 1,
        "days_to_decision": used,
    }
    return app, trail


# A fixed permutation of the 31**9 data values (the multiplier is prime to 31): distinct ids,
# distinct codes, scattered as random ones are.
_CODE_SPACE = codes.BASE**codes.DATA_LENGTH
_CODE_STEP, _CODE_SHIFT = 7_919_000_000_077, 1_234_567_890_123


def code_of(app_id: int) -> str:
    """The tracking code (canonical form) the loader gives application ``app_id``."""
    value = (app_id * _CODE_STEP + _CODE_SHIFT) % _CODE_SPACE
    data = []
    for _ in range(codes.DATA_LENGTH):
        value, digit = divmod(value, codes.BASE)
        data.append(codes.ALPHABET[digit])
    return "".join(data) + codes._check_character("".join(data))


APP_COLUMNS = (
    "id, office_id, permit_type, permit_type_version, catalogue_version, department, state,"
    " turn, tracking_code, applicant_name, applicant_id_number, applicant_phone,"
    " applicant_email, subject_address, subject_description, subject_details, submitted_at,"
    " submitted_on, due_date, clock_paused_on, applicant_deadline, state_entered_at,"
    " decided_on, outcome, days_to_decision, updated_at, trail_head, event_count, version"
)
EVENT_COLUMNS = (
    "id, application_id, seq, kind, occurred_at, actor, role, event, source, target,"
    " transition_kind, reason, ground, out_of_turn, four_eyes, step_days, data, after,"
    " prev_hash, hash"
)
_EVENT_KEYS = tuple(name.strip() for name in EVENT_COLUMNS.split(","))


def _app_values(app: dict[str, Any]) -> tuple[Any, ...]:
    """``app`` in ``APP_COLUMNS`` order, with the particulars every loaded file has."""
    return (
        app["id"], app["office_id"], app["permit_type"], 1, "bench", app["department"],
        app["state"], app["turn"], app["code"], PARTICULARS["applicant_name"],
        PARTICULARS["applicant_id_number"], PARTICULARS["applicant_phone"],
        PARTICULARS["applicant_email"], PARTICULARS["subject_address"],
        PARTICULARS["subject_description"], "{}", app["submitted_at"], app["submitted_on"],
        app["due_date"], None, app["applicant_deadline"], app["state_entered_at"],
        app["decided_on"], app["outcome"], app["days_to_decision"], app["updated_at"],
        app["trail_head"], app["event_count"], 1,
    )  # fmt: skip


@functools.cache
def _checklists() -> str:
    """SQL rows (permit type, item, step, required, order) of every type's checklist."""
    rows = [
        (slug, item.id, step.id, item.required)
        for slug, permit in sorted(default_catalogue().items())
        for step in permit.steps
        for item in step.checklist
    ]
    return ", ".join(
        f"('{slug}', '{item}', '{step}', {'TRUE' if required else 'FALSE'}, {n})"
        for n, (slug, item, step, required) in enumerate(rows)
    )


def _copy(
    engine: Engine, apps: list[dict[str, Any]], events: list[dict[str, Any]], first: int, last: int
) -> None:
    """Write a batch on PostgreSQL: the files and their trails by COPY (times with their
    zone, UTC), then the checklist rows of files ``first`` to ``last`` from their types'."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Off for this transaction only: waiting for each commit's flush, and the foreign-key
        # triggers (every row refers to a file written just before it, in this transaction).
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL session_replication_role = replica")
        with cursor.copy(f"COPY application ({APP_COLUMNS}) FROM STDIN") as copy:
            for app in apps:
                copy.write_row(_app_values(app))
        with cursor.copy(f"COPY application_event ({EVENT_COLUMNS}) FROM STDIN") as copy:
            for event in events:
                copy.write_row([event[name] for name in _EVENT_KEYS])
        cursor.execute(
            "INSERT INTO checklist_entry (application_id, item_id, step, required, status, note)"
            " SELECT a.id, t.item_id, t.step, t.required, 'pending', ''"
            f" FROM application a JOIN (VALUES {_checklists()}) AS"
            " t (permit_type, item_id, step, required, n) ON t.permit_type = a.permit_type"
            " WHERE a.id BETWEEN %s AND %s ORDER BY a.id, t.n",
            (first, last),
        )
        raw.commit()
    finally:
        raw.close()


_INSERT_APP = text(
    "INSERT INTO application (id, office_id, permit_type, permit_type_version,"
    " catalogue_version, department, state, turn, tracking_code, applicant_name,"
    " applicant_id_number, applicant_phone, applicant_email, subject_address,"
    " subject_description, subject_details, submitted_at, submitted_on, due_date,"
    " clock_paused_on, applicant_deadline, state_entered_at, decided_on, outcome,"
    " days_to_decision, updated_at, trail_head, event_count, version) VALUES (:id, :office_id,"
    " :permit_type, 1, 'bench', :department, :state, :turn, :code, 'ผู้ยื่นทดสอบ',"
    " '1101700123456', '0800000000', '', 'ที่อยู่ทดสอบ', '', '{}', :submitted_at,"
    " :submitted_on, :due_date, NULL, :applicant_deadline, :state_entered_at,"
    " :decided_on, :outcome, :days_to_decision, :updated_at, :trail_head, :event_count, 1)"
)
_INSERT_EVENT = text(
    f"INSERT INTO application_event ({EVENT_COLUMNS}) VALUES"
    f" ({', '.join(':' + name for name in _EVENT_KEYS)})"
)
_INSERT_CHECK = text(
    "INSERT INTO checklist_entry (application_id, item_id, step, required, status, note)"
    " VALUES (:application_id, :item_id, :step, :required, :status, '')"
)


def _insert(
    engine: Engine, apps: list[dict[str, Any]], events: list[dict[str, Any]], catalogue: Any
) -> None:
    """Write a batch with executemany (SQLite): times in UTC without a zone, as stored."""
    checks = [
        {
            "application_id": app["id"],
            "item_id": item.id,
            "step": item_step.id,
            "required": item.required,
            "status": "pending",
        }
        for app in apps
        for item_step in catalogue[app["permit_type"]].steps
        for item in item_step.checklist
    ]
    with engine.begin() as connection:
        connection.execute(_INSERT_APP, [_stored(app) for app in apps])
        connection.execute(_INSERT_EVENT, [_stored(event) for event in events])
        if checks:
            connection.execute(_INSERT_CHECK, checks)


def district_offices(engine: Engine, count: int) -> list[int]:
    """The ids of ``count`` district offices: Pathumwan (which the migrations add) and then
    the others by BMA code, added from their files as needed."""
    wanted = ["pathumwan", *(s for s in default_offices() if s != "pathumwan")][:count]
    with unit_of_work(engine) as session:
        here = {line.slug for line in tracking_offices.lines(session)}
        for slug in wanted:
            if slug not in here:
                tracking_offices.add(session, default_offices()[slug])
        found = [tracking_offices.office_by_slug(session, slug).id for slug in wanted]
    return [office_id for office_id in found if office_id is not None]


def _analyze(engine: Engine) -> None:
    """The planner's figures for every table loaded; on PostgreSQL the derived ones (small)
    vacuumed too, as autovacuum would soon after a bulk import, so their index-only reads
    need not visit the rows."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("ANALYZE"))
            return
        for table in ("application", "application_event", "checklist_entry"):
            connection.execute(text(f"ANALYZE {table}"))
        for table in ("compliance_tally", "compliance_case", "open_file_tally"):
            connection.execute(text(f"VACUUM (ANALYZE) {table}"))


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    """A row's times as the application stores them: UTC, without a zone."""
    return {
        k: v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) else v
        for k, v in row.items()
    }


PARTICULARS = {
    "applicant_name": "ผู้ยื่นทดสอบ",
    "applicant_id_number": "1101700123456",
    "applicant_phone": "0800000000",
    "applicant_email": "",
    "subject_address": "ที่อยู่ทดสอบ",
    "subject_description": "",
    "subject_details": {},
    "clock_paused_on": None,
    "assignee": None,
}


DEADLINE_DAYS = 7


def _deadline(moment: datetime, step: Any) -> date | None:
    """The applicant's deadline an event leading to ``step`` at ``moment`` sets: a week on,
    on the applicant's turn (the walks lapse one only after it, so the trail verifies)."""
    return moment.date() + timedelta(days=DEADLINE_DAYS) if step.turn.value == "applicant" else None


def _chain(app: dict[str, Any], trail: list[dict[str, Any]], permit: Any, key: bytes) -> str:
    """Chain ``trail`` under ``key`` as the trail's writer would: each event records the
    file's facts with the step it led to and the applicant's deadline it set (the last one:
    the row as loaded). Returns the head."""
    file = SimpleNamespace(**app, **PARTICULARS, tracking_code=app["code"])
    final = audit.facts(file, key)
    previous = audit.GENESIS
    for event in trail:
        step = permit.step(event["target"])
        deadline = _deadline(event["occurred_at"], step)
        made = (
            final
            if event is trail[-1]
            else {
                **final,
                "state": step.id,
                "turn": step.turn.value,
                "applicant_deadline": deadline.isoformat() if deadline else None,
            }
        )
        # canonical_bytes writes what canonical_json does (the facts are plain), faster.
        event.update(data="{}", four_eyes=False, after=audit.canonical_bytes(made).decode())
        event["prev_hash"] = previous
        values = [event[name] for name in audit.HASHED]  # what event_hash reads of a row
        values[audit.MOMENT] = audit.moment_text(values[audit.MOMENT])
        event["hash"] = previous = audit.hash_values(values, key)
    return previous


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--applications", type=int, default=10_000)
    args = parser.parse_args()
    load(make_engine(args.url), args.applications)
