"""Bulk-load synthetic applications straight into a migrated database, for benchmarks.

Rows are written with executemany in large batches (no ORM, no workflow): each application
gets a plausible state of its permit type, dates, an intake event and one event per step it
has passed (moves its machine has), its checklist rows, and a trail chained under the audit key
(``TIDTAM_AUDIT_KEY``) whose last event records the row's facts, so ``tidtam audit verify``
passes on it. The compliance tallies are then rebuilt from the trail, as after any bulk import.
Personal fields hold synthetic values only.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
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
        for suffix in ("", "-wal", "-shm"):
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
            for _ in range(rng.randrange(0, 9)):
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
) -> list[str]:
    """Insert ``applications`` rows, dealt in turn to the first ``offices`` district offices
    (by BMA code, each added from its file if not there yet); return their tracking codes
    (canonical form). With ``at_intake`` every file is left at its type's first step, as just
    taken in."""
    migrate.upgrade(engine)
    office_ids = district_offices(engine, offices)
    rng = random.Random(seed)
    today = today or date.today()
    catalogue = default_catalogue()
    slugs = sorted(catalogue)
    walks = _paths(seed)
    lapses = {
        slug: {(s.id, s.deadline.lapse) for s in permit.steps if s.deadline is not None}
        for slug, permit in catalogue.items()
    }
    with engine.begin() as connection:
        start_id = connection.execute(
            text("SELECT COALESCE(MAX(id), 0) FROM application")
        ).scalar_one()
        event_id = connection.execute(
            text("SELECT COALESCE(MAX(id), 0) FROM application_event")
        ).scalar_one()
    all_codes: list[str] = []
    seen: set[str] = set()
    started = time.monotonic()
    app_sql = text(
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
    event_sql = text(
        "INSERT INTO application_event (id, application_id, seq, kind, occurred_at, actor,"
        " role, event, source, target, transition_kind, reason, ground, out_of_turn,"
        " four_eyes, step_days, data, after, prev_hash, hash) VALUES (:id, :application_id,"
        " :seq, :kind, :occurred_at, :actor, :role, :event, :source, :target,"
        " :transition_kind, :reason, :ground, :out_of_turn, :four_eyes, :step_days, :data,"
        " :after, :prev_hash, :hash)"
    )
    check_sql = text(
        "INSERT INTO checklist_entry (application_id, item_id, step, required, status, note)"
        " VALUES (:application_id, :item_id, :step, :required, :status, '')"
    )
    key = audit.audit_key()
    next_id = start_id
    for offset in range(0, applications, BATCH):
        apps, events, checks = [], [], []
        for _ in range(min(BATCH, applications - offset)):
            next_id += 1
            slug = slugs[rng.randrange(len(slugs))]
            permit = catalogue[slug]
            walk = [] if at_intake else walks[slug][rng.randrange(len(walks[slug]))]
            code = codes.new_code()
            while code in seen:
                code = codes.new_code()
            seen.add(code)
            all_codes.append(code)
            submitted = datetime.combine(
                today - timedelta(days=rng.randrange(0, 400)), datetime.min.time(), UTC
            ) + timedelta(hours=2 + rng.random() * 7)
            moment = submitted
            dept = permit.department
            trail: list[dict[str, Any]] = []
            trail.append(
                {
                    "id": (event_id := event_id + 1),
                    "application_id": next_id,
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
                if (source, event) in lapses[slug]:  # after the deadline the step set (_chain)
                    gap += DEADLINE_DAYS + 1
                moment += timedelta(days=gap, hours=rng.randrange(0, 5))
                rule = next(
                    t for t in permit.transitions if t.event == event and t.source == source
                )
                kind = rule.kind.value
                role = rule.roles[0]
                out_of_turn = kind in {"approve", "refuse"} and rng.random() < 0.02
                if kind in {"approve", "refuse"}:
                    decided = bangkok_date(moment)
                    used = (decided - bangkok_date(submitted)).days * 5 // 7
                trail.append(
                    {
                        "id": (event_id := event_id + 1),
                        "application_id": next_id,
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
            for item_step in permit.steps:
                for item in item_step.checklist:
                    checks.append(
                        {
                            "application_id": next_id,
                            "item_id": item.id,
                            "step": item_step.id,
                            "required": item.required,
                            "status": "pending",
                        }
                    )
            app = {
                "id": next_id,
                "office_id": office_ids[next_id % len(office_ids)],
                "permit_type": slug,
                "department": permit.department,
                "state": state,
                "turn": step.turn.value,
                "code": code,
                "submitted_at": submitted,
                "submitted_on": bangkok_date(submitted),
                "due_date": bangkok_date(submitted)
                + timedelta(days=permit.service_time.days * 7 // 5),
                "applicant_deadline": _deadline(moment, step),
                "state_entered_at": moment,
                "decided_on": decided,
                "outcome": step.outcome.value if step.outcome else None,
                "updated_at": moment,
                "event_count": len(walk) + 1,
                "days_to_decision": used,
            }
            app["trail_head"] = _chain(app, trail, permit, key)
            apps.append(app)
            events += trail
        with engine.begin() as connection:
            connection.execute(app_sql, [_stored(app) for app in apps])
            connection.execute(event_sql, [_stored(event) for event in events])
            if checks:
                connection.execute(check_sql, checks)
        if progress:
            done = offset + len(apps)
            rate = done / max(0.001, time.monotonic() - started)
            print(f"\r  loaded {done:>9,} applications ({rate:,.0f}/s)", end="", flush=True)
    if progress:
        print()
    if engine.dialect.name == "postgresql":
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
        # What the trail's writer counts event by event, counted here in one pass.
        rebuild.rebuild(connection)
    if progress:
        print(f"  rebuilt the compliance tallies in {time.monotonic() - started:,.1f} s")
    _analyze(engine)
    return all_codes


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
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("ANALYZE"))
        else:
            for table in (
                "application",
                "application_event",
                "checklist_entry",
                "compliance_tally",
                "compliance_case",
            ):
                connection.execute(text(f"ANALYZE {table}"))


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
        event.update(data="{}", four_eyes=False, after=audit.canonical_json(made))
        event["prev_hash"] = previous
        event["hash"] = previous = audit.event_hash(SimpleNamespace(**event), key)
    return previous


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--applications", type=int, default=10_000)
    args = parser.parse_args()
    load(make_engine(args.url), args.applications)
