"""`tidtam audit verify` against a database edited behind the application's back: every edit an
attacker with database access (but not the audit key) could make is found, and named."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, text
from typer.testing import CliRunner

from checklists.loader import default_catalogue
from checklists.schema import Outcome
from tracking import config
from tracking.cli import app as cli
from tracking.db import unit_of_work
from tracking.demo import path_to
from tracking.models import ChecklistStatus
from tracking.trail import anchors, audit, rebuild
from tracking.verification import reading, trails, verify
from tracking.verification.keyed import Keyed
from tracking.workflow import office_days, transitions

from ..factories import actor, committed_application, walk
from ..scenarios import _at

PATHUMWAN = 1  # the office the migrations add
PERMIT = default_catalogue()["food-premises"]
FIRST_ITEM = PERMIT.initial_step.checklist[0].id
WRONG_KEY = b"a guess at the audit key, which is not in the database"


def _office(engine: Engine) -> dict[str, int]:
    """An approved file, a refused one and an open one with a verified item; anchored."""
    approved = committed_application(engine, now=_at(0))
    walk(engine, approved, path_to(PERMIT, {Outcome.approved}), now=_at(3))
    refused = committed_application(engine, now=_at(1))
    walk(engine, refused, path_to(PERMIT, {Outcome.refused}), now=_at(4))
    opened = committed_application(engine, now=_at(2))
    with unit_of_work(engine) as session:
        transitions.record_checklist_item(
            session,
            application_id=opened,
            item_id=FIRST_ITEM,
            status=ChecklistStatus.verified,
            actor=actor("clerk"),
            version=1,
            now=_at(2),
        )
    return {"approved": approved, "refused": refused, "open": opened}


def _anchor(engine: Engine) -> str:
    with engine.begin() as connection:
        return anchors.anchor(connection, date(2026, 3, 10), PATHUMWAN).digest


def _sql(connection: Connection, statement: str, **params: Any) -> None:
    connection.execute(text(statement), params)


def _last(connection: Connection, app_id: int) -> Any:
    return connection.execute(
        text("SELECT * FROM application_event WHERE application_id = :a ORDER BY seq DESC"),
        {"a": app_id},
    ).first()


def _rehash(connection: Connection, app_id: int, key: bytes | None) -> None:
    """Chain the trail again as an attacker would: with a guessed key, or plain SHA-256."""
    rows = connection.execute(
        text("SELECT * FROM application_event WHERE application_id = :a ORDER BY seq"),
        {"a": app_id},
    ).all()
    previous = audit.GENESIS
    for row in rows:
        values = dict(row._mapping, prev_hash=previous)
        if key is None:
            content = {k: str(v) for k, v in values.items() if k not in {"id", "hash"}}
            digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
        else:
            digest = audit.event_hash(type("E", (), values), key)
        _sql(
            connection,
            "UPDATE application_event SET prev_hash = :p, hash = :h WHERE id = :i",
            p=previous,
            h=digest,
            i=row.id,
        )
        previous = digest
    _sql(connection, "UPDATE application SET trail_head = :h WHERE id = :a", h=previous, a=app_id)


def _delete_application(connection: Connection, app_id: int) -> None:
    for table in ("outbox_message", "delay_notice", "application_event", "checklist_entry"):
        _sql(connection, f"DELETE FROM {table} WHERE application_id = :a", a=app_id)
    _sql(connection, "DELETE FROM compliance_case WHERE application_id = :a", a=app_id)
    _sql(connection, "DELETE FROM application WHERE id = :a", a=app_id)
    rebuild.rebuild(connection)  # and cover the tracks in the tallies


def _delete_last_event(connection: Connection, app_id: int) -> None:
    last = _last(connection, app_id)
    _sql(connection, "DELETE FROM application_event WHERE id = :i", i=last.id)
    _sql(
        connection,
        "UPDATE application SET event_count = event_count - 1, trail_head = :h WHERE id = :a",
        h=last.prev_hash,
        a=app_id,
    )


def _forge_approval(connection: Connection, app_id: int) -> None:
    last = _last(connection, app_id)
    values = dict(last._mapping)
    values.update(
        id=last.id + 1000,
        seq=last.seq + 1,
        kind="transition",
        event="approve",
        source="pending_decision",
        target="approved",
        transition_kind="approve",
        prev_hash=last.hash,
    )
    values["hash"] = audit.event_hash(type("E", (), values), WRONG_KEY)
    columns = ", ".join(values)
    _sql(
        connection,
        f"INSERT INTO application_event ({columns}) VALUES ({', '.join(':' + c for c in values)})",
        **values,
    )
    _sql(
        connection,
        "UPDATE application SET state = 'approved', event_count = :n, trail_head = :h"
        " WHERE id = :a",
        n=values["seq"],
        h=values["hash"],
        a=app_id,
    )


def _swap(connection: Connection, app_id: int) -> None:
    rows = connection.execute(
        text("SELECT id, seq FROM application_event WHERE application_id = :a ORDER BY seq"),
        {"a": app_id},
    ).all()
    first, second = rows[1], rows[2]
    _sql(connection, "UPDATE application_event SET seq = -1 WHERE id = :i", i=first.id)
    _sql(
        connection, "UPDATE application_event SET seq = :s WHERE id = :i", s=first.seq, i=second.id
    )
    _sql(
        connection, "UPDATE application_event SET seq = :s WHERE id = :i", s=second.seq, i=first.id
    )


Tamper = Callable[[Connection, dict[str, int]], int | None]
# name -> (the edit, returning the application it should be named for; None: an office table)
TAMPERS: dict[str, Tamper] = {
    "state": lambda c, ids: _set(c, ids["open"], "state = 'site_inspection'"),
    "outcome approved to refused": lambda c, ids: _set(c, ids["approved"], "outcome = 'refused'"),
    "due date": lambda c, ids: _set(c, ids["open"], "due_date = '2027-01-01'"),
    "decided on": lambda c, ids: _set(c, ids["refused"], "decided_on = '2026-03-01'"),
    "open file moved to approved": lambda c, ids: _set(
        c, ids["open"], "state = 'issued', outcome = 'approved', turn = 'none'"
    ),
    "checklist status": lambda c, ids: _item(c, ids["open"], "pending"),
    "applicant data": lambda c, ids: _set(c, ids["approved"], "applicant_name = 'someone else'"),
    "checklist row deleted": lambda c, ids: _returning(
        ids["approved"],
        _sql(
            c,
            "DELETE FROM checklist_entry WHERE application_id = :a AND item_id = :i",
            a=ids["approved"],
            i=FIRST_ITEM,
        ),
    ),
    "two checklist rows folded into one (same joined text)": lambda c, ids: _returning(
        ids["open"],
        _sql(
            c,
            "DELETE FROM checklist_entry WHERE application_id = :a"
            " AND item_id = 'hygiene_inspection'",
            a=ids["open"],
        ),
        _sql(
            c,
            "UPDATE checklist_entry SET item_id = 'site_map=pending,hygiene_inspection'"
            " WHERE application_id = :a AND item_id = 'site_map'",
            a=ids["open"],
        ),
    ),
    "delay notices count": lambda c, ids: _set(c, ids["open"], "delay_notices_sent = 2"),
    "tally row": lambda c, ids: _office_table(c, "UPDATE compliance_tally SET count = count + 1"),
    "one day tally row deleted": lambda c, ids: _office_table(
        c,
        "DELETE FROM compliance_tally WHERE grain = 'd' AND measure = 'received'"
        " AND day = (SELECT MIN(day) FROM compliance_tally WHERE grain = 'd')",
    ),
    "open-file count": lambda c, ids: _office_table(
        c, "UPDATE open_file_tally SET files = files + 1"
    ),
    "case row": lambda c, ids: _office_table(
        c,
        "INSERT INTO compliance_case (kind, application_id, seq, office_id, day, occurred_at,"
        " department, permit_type, actor, reason) SELECT 'four_eyes', id, 1, office_id,"
        " submitted_on, submitted_at, department, permit_type, 'x', '' FROM application",
    ),
    "whole application deleted": lambda c, ids: _returning(
        ids["refused"], _delete_application(c, ids["refused"])
    ),
    "trail wiped and count reset": lambda c, ids: _returning(
        ids["open"],
        _sql(c, "DELETE FROM application_event WHERE application_id = :a", a=ids["open"]),
        _set(c, ids["open"], "event_count = 0, trail_head = ''"),
    ),
    "last event deleted, count and head rolled back": lambda c, ids: _returning(
        ids["approved"], _delete_last_event(c, ids["approved"])
    ),
    "reason edited, hashes recomputed (plain SHA-256)": lambda c, ids: _returning(
        ids["refused"],
        _sql(
            c,
            "UPDATE application_event SET reason = 'x' WHERE application_id = :a",
            a=ids["refused"],
        ),
        _rehash(c, ids["refused"], None),
    ),
    "actor edited, hashes recomputed (guessed key)": lambda c, ids: _returning(
        ids["approved"],
        _sql(
            c,
            "UPDATE application_event SET actor = 'x' WHERE application_id = :a",
            a=ids["approved"],
        ),
        _rehash(c, ids["approved"], WRONG_KEY),
    ),
    "forged approval appended": lambda c, ids: _returning(
        ids["refused"], _forge_approval(c, ids["refused"])
    ),
    "reason edited": lambda c, ids: _returning(
        ids["approved"],
        _sql(
            c,
            "UPDATE application_event SET reason = 'x' WHERE application_id = :a AND seq = 2",
            a=ids["approved"],
        ),
    ),
    "actor edited": lambda c, ids: _returning(
        ids["approved"],
        _sql(
            c,
            "UPDATE application_event SET actor = 'x' WHERE application_id = :a AND seq = 2",
            a=ids["approved"],
        ),
    ),
    "middle event deleted": lambda c, ids: _returning(
        ids["approved"],
        _sql(
            c,
            "DELETE FROM application_event WHERE application_id = :a AND seq = 2",
            a=ids["approved"],
        ),
    ),
    "last event deleted, count untouched": lambda c, ids: _returning(
        ids["approved"],
        _sql(c, "DELETE FROM application_event WHERE id = :i", i=_last(c, ids["approved"]).id),
    ),
    "two events swapped": lambda c, ids: _returning(ids["approved"], _swap(c, ids["approved"])),
}


def _returning(app_id: int | None, *_done: Any) -> int | None:
    return app_id


def _set(connection: Connection, app_id: int, assignments: str) -> int:
    _sql(connection, f"UPDATE application SET {assignments} WHERE id = :a", a=app_id)
    return app_id


def _item(connection: Connection, app_id: int, status: str) -> int:
    _sql(
        connection,
        "UPDATE checklist_entry SET status = :s WHERE application_id = :a AND item_id = :i",
        s=status,
        a=app_id,
        i=FIRST_ITEM,
    )
    return app_id


def _office_table(connection: Connection, statement: str) -> None:
    _sql(connection, statement)
    return None


@pytest.mark.usefixtures("env_database")
def test_an_untouched_office_verifies(engine: Engine) -> None:
    _office(engine)
    digest = _anchor(engine)
    result = verify(engine, anchor=digest)
    assert result.broken is None, str(result.broken)
    assert result.applications == 3
    ran = CliRunner().invoke(cli, ["audit", "verify", "--anchor", digest])
    assert ran.exit_code == 0, ran.output


@pytest.mark.usefixtures("env_database")
@pytest.mark.parametrize("name", list(TAMPERS))
def test_each_tamper_is_found_and_named(engine: Engine, name: str) -> None:
    ids = _office(engine)
    digest = _anchor(engine)
    with engine.begin() as connection:
        target = TAMPERS[name](connection, ids)
    found = verify(engine, anchor=digest).broken
    assert found is not None, f"{name}: not found"
    assert found.application_id == target, f"{name}: {found}"
    ran = CliRunner().invoke(cli, ["audit", "verify", "--anchor", digest])
    assert ran.exit_code == 1
    where = f"application {target}" if target is not None else found.field
    assert where in ran.output, ran.output


@pytest.mark.usefixtures("env_database")
@pytest.mark.parametrize(
    ("table", "assignment"),
    [
        ("application", "due_date = 'not a date'"),
        ("application", "subject_details = '{not json'"),
        ("application_event", "occurred_at = 'yesterday'"),
    ],
)
def test_a_value_no_writer_stores_is_named_not_a_crash(
    engine: Engine, table: str, assignment: str
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's column types refuse such values")
    ids = _office(engine)
    column = "id" if table == "application" else "application_id"
    with engine.begin() as connection:
        _sql(connection, f"UPDATE {table} SET {assignment} WHERE {column} = :a", a=ids["open"])
    found = verify(engine).broken
    assert found is not None
    assert (found.application_id, found.field) == (ids["open"], "row"), str(found)


@pytest.mark.usefixtures("env_database")
def test_checklist_rows_stored_in_another_order_verify(engine: Engine) -> None:
    ids = _office(engine)
    with engine.begin() as connection:
        kept = connection.execute(
            text("SELECT * FROM checklist_entry WHERE application_id = :a ORDER BY id DESC"),
            {"a": ids["open"]},
        ).all()
        _sql(connection, "DELETE FROM checklist_entry WHERE application_id = :a", a=ids["open"])
        for row in kept:  # written again last item first, under new ids
            values = {k: v for k, v in row._mapping.items() if k != "id"}
            columns = ", ".join(values)
            marks = ", ".join(f":{k}" for k in values)
            _sql(connection, f"INSERT INTO checklist_entry ({columns}) VALUES ({marks})", **values)
    assert verify(engine).broken is None


def test_an_altered_anchor_or_an_unknown_digest_is_found(engine: Engine) -> None:
    _office(engine)
    digest = _anchor(engine)
    assert verify(engine, anchor="0" * 64).broken is not None
    with engine.begin() as connection:
        _sql(connection, "UPDATE audit_anchor_head SET seq = seq - 1")
    found = verify(engine, anchor=digest).broken
    assert found is not None
    assert found.field == "anchor"


def test_anchoring_twice_a_day_keeps_the_first_and_chains_days(engine: Engine) -> None:
    ids = _office(engine)
    with engine.begin() as connection:
        first = anchors.anchor(connection, date(2026, 3, 10), PATHUMWAN)
        assert anchors.anchor(connection, date(2026, 3, 10), PATHUMWAN) == first
    with unit_of_work(engine) as session:
        transitions.fire(
            session,
            application_id=ids["open"],
            event="withdraw",
            actor=actor("clerk"),
            version=2,
            reason="ผู้ยื่นขอถอน",
        )
    with engine.begin() as connection:
        second = anchors.anchor(connection, date(2026, 3, 10) + timedelta(days=1), PATHUMWAN)
        assert (second.prev_digest, second.heads) == (first.digest, 1)
        assert [a.digest for a in anchors.listed(connection)] == [first.digest, second.digest]
    assert verify(engine, anchor=first.digest).broken is None


def test_several_processes_report_the_first_finding_in_id_order(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracking.verification.BATCH", 1)  # one file a batch: three batches
    ids = _office(engine)
    digest = _anchor(engine)
    whole = verify(engine, anchor=digest, workers=2)
    assert (whole.broken, whole.applications) == (None, 3)
    with engine.begin() as connection:
        _set(connection, ids["open"], "state = 'withdrawn'")
        _set(connection, ids["refused"], "applicant_name = 'x'")
    found = verify(engine, anchor=digest, workers=2).broken
    assert found is not None
    assert (found.application_id, found.field) == (ids["refused"], "particulars")


def test_commands_without_the_audit_key_say_so(
    engine: Engine, env_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _office(engine)
    monkeypatch.delenv("TIDTAM_AUDIT_KEY")
    monkeypatch.setattr("tracking.trail.audit._resolved", [])
    config.get_settings.cache_clear()
    try:
        for command in (["audit", "verify"], ["demo", "--applications", "11"]):
            ran = CliRunner().invoke(cli, command)
            assert ran.exit_code == 2, ran.output
            assert "TIDTAM_AUDIT_KEY is not set" in ran.output
            assert "Traceback" not in ran.output
    finally:
        config.get_settings.cache_clear()


_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(alphabet=st.characters(exclude_categories=("Cs",))),  # no lone surrogates
)


@given(st.lists(_VALUE, max_size=20))
def test_an_event_hashes_as_the_trails_written_since_the_keyed_chain(values: list[Any]) -> None:
    """Trails keyed by migration 0008 hashed ``json.dumps``'s compact form; the writer and
    ``audit verify`` must hash those bytes still."""
    content = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()
    expected = hmac.digest(WRONG_KEY, content, "sha256").hex()
    assert audit.hash_values(values, WRONG_KEY) == expected


_LEAF = st.one_of(
    _VALUE,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
)
_DETAILS = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.text(alphabet=st.characters(exclude_categories=("Cs",))), inner, max_size=4
        ),
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(alphabet=st.characters(exclude_categories=("Cs",))), _DETAILS))
def test_the_particulars_digest_hashes_the_bytes_the_writer_keyed(data: dict[str, Any]) -> None:
    """The digest of the applicant and subject goes through orjson where it can; the bytes are
    those of the writer's ``canonical_json`` whatever the subject's details hold (floats,
    large integers, nesting)."""
    assert audit.canonical_bytes(data) == audit.canonical_json(data).encode()


@pytest.mark.usefixtures("env_database")
def test_a_clock_event_that_changes_the_step_is_found(engine: Engine) -> None:
    """A clock event (the office's calendar moved the due date) changes no step: one whose
    target is another step is named, even when its hash was made with the key."""
    ids = _office(engine)
    with unit_of_work(engine) as session:
        application = transitions.get_application(session, ids["open"])
        office_days.record_clock_change(
            session,
            application,
            application.due_date + timedelta(days=1),
            event="calendar:closure",
            reason="ปิดสำนักงานกรณีพิเศษ",
            now=_at(3),
            data={},
        )
    assert verify(engine).broken is None
    with engine.begin() as connection:
        _sql(
            connection,
            "UPDATE application_event SET target = 'site_inspection'"
            " WHERE application_id = :a AND kind = 'clock'",
            a=ids["open"],
        )
        _rehash(connection, ids["open"], audit.audit_key())
    found = verify(engine).broken
    assert found is not None
    assert (found.application_id, found.field) == (ids["open"], "target"), str(found)


@given(st.binary(max_size=200), st.binary(max_size=3000))
def test_verify_keys_its_hashes_as_hmac_does(key: bytes, content: bytes) -> None:
    """``audit verify`` hashes the padded key once and copies the states (any key length)."""
    assert Keyed(key).hex(content) == hmac.digest(key, content, "sha256").hex()


@given(st.lists(_VALUE, min_size=len(audit.HASHED), max_size=len(audit.HASHED)))
def test_verify_hashes_an_event_as_the_writer_does(values: list[Any]) -> None:
    event = reading.Event._make((1, "", *values, values[audit.MOMENT], date(2026, 1, 1)))
    expected = list(values)
    for flag in (audit.OUT_OF_TURN, audit.FOUR_EYES):
        expected[flag] = bool(expected[flag])
    assert trails._hash(event, Keyed(WRONG_KEY)) == audit.hash_values(expected, WRONG_KEY)


_FIELD = st.one_of(_LEAF, st.datetimes(), _DETAILS, st.just({}), st.just([]))


@given(st.fixed_dictionaries(dict.fromkeys(reading.APP_COLUMNS, _FIELD)))
def test_verify_reads_the_facts_of_a_row_as_the_writer_wrote_them(
    columns: dict[str, Any],
) -> None:
    """The short way to a row's facts and digest gives what ``audit.facts`` gives, whatever
    the columns hold."""
    row = reading.Row(**columns)
    assert reading.stored_facts(row, Keyed(WRONG_KEY)) == audit.facts(row, WRONG_KEY)
