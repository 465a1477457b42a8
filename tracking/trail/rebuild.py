"""Recompute every tally, case and open-file count from the trail and the applications alone
(their checklist rows say which items each file was taken in with as required): for
migrations, bulk imports, after the catalogue's review items change, and after a release adds
a measure. The tests hold it to what ``tracking.trail.tallies`` counted event by event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, case, false, func, insert, select, text, true
from sqlmodel import col

from tracking import clock
from tracking.models import SATISFIED, Application
from tracking.trail.tallies import (
    CASE_FLAGS,
    DECISION_KINDS,
    DIMENSIONS,
    KEY_LENGTH,
    OPEN,
    OPEN_DIMENSIONS,
)


def _local_day(dialect: str, column: str) -> str:
    """SQL for the Bangkok date of a UTC timestamp column (Thailand keeps UTC+7 all year)."""
    if dialect == "postgresql":
        return f"CAST({column} AT TIME ZONE 'Asia/Bangkok' AS DATE)"
    return f"date({column}, '+7 hours')"


def _month(dialect: str, column: str) -> str:
    """SQL for the first day of the month of a date column."""
    if dialect == "postgresql":
        return f"CAST(DATE_TRUNC('month', {column}) AS DATE)"
    return f"date({column}, 'start of month')"


def _days(dialect: str, later: str, earlier: str) -> str:
    if dialect == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _json_text(dialect: str, name: str) -> str:
    """SQL for the text of key ``name`` of an event's data."""
    if dialect == "postgresql":
        return f"(CAST(e.data AS JSON) ->> '{name}')"
    return f"json_extract(e.data, '$.{name}')"


def _json_day(dialect: str, name: str) -> str:
    """SQL for the date of key ``name`` of an event's data (ISO text, or null)."""
    if dialect == "postgresql":
        return f"CAST({_json_text(dialect, name)} AS DATE)"
    return _json_text(dialect, name)


def rebuild(connection: Connection) -> None:
    """Recompute every tally, case and open-file count from the trail and the applications.
    For migrations, bulk imports and after the catalogue's review items change; idempotent."""
    dialect = connection.dialect.name
    day = _local_day(dialect, "e.occurred_at")
    decisions = ", ".join(f"'{k}'" for k in sorted(DECISION_KINDS))
    satisfied = ", ".join(f"'{s.value}'" for s in sorted(SATISFIED))
    tally_columns = ", ".join([*DIMENSIONS, "count"])
    base = "a.office_id, a.department, a.permit_type"
    statements = [
        "DELETE FROM compliance_tally",
        "DELETE FROM compliance_case",
        # Per event.
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT measure, 'd', day, office_id, department, permit_type, actor, key, days, flag,
               COUNT(*)
        FROM (
            SELECT CASE
                     WHEN e.kind = 'intake' THEN 'received'
                     WHEN e.kind = 'extension' THEN 'extension'
                     WHEN e.transition_kind = 'approve' THEN 'approve'
                     WHEN e.transition_kind = 'refuse' THEN 'refuse'
                     WHEN e.transition_kind = 'return' THEN 'return'
                   END AS measure,
                   {day} AS day, {base}, e.actor,
                   CASE
                     WHEN e.transition_kind = 'refuse' THEN COALESCE(e.ground, '')
                     WHEN e.transition_kind = 'return' THEN SUBSTR(e.reason, 1, {KEY_LENGTH})
                     ELSE ''
                   END AS key,
                   0 AS days, FALSE AS flag
            FROM application_event e JOIN application a ON a.id = e.application_id
            WHERE e.kind IN ('intake', 'extension')
               OR e.transition_kind IN ('approve', 'refuse', 'return')
        ) t
        GROUP BY measure, day, office_id, department, permit_type, actor, key, days, flag""",
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'step', 'd', {day}, {base}, e.actor, '', e.step_days, FALSE, COUNT(*)
        FROM application_event e JOIN application a ON a.id = e.application_id
        WHERE e.step_days IS NOT NULL
        GROUP BY {day}, {base}, e.actor, e.step_days""",
        # The second deficiency request of an application is flagged.
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'deficiency_request', 'd', {day}, {base}, e.actor, '', 0,
               CASE WHEN (SELECT COUNT(*) FROM application_event p
                          WHERE p.application_id = e.application_id
                            AND p.transition_kind = 'deficiency_request'
                            AND p.seq < e.seq) = 1 THEN TRUE ELSE FALSE END AS second,
               COUNT(*)
        FROM application_event e JOIN application a ON a.id = e.application_id
        WHERE e.transition_kind = 'deficiency_request'
        GROUP BY {day}, {base}, e.actor, second""",
        # Each sign-off (verified or waived) of an item the file was taken in with as
        # required, by the signer's role; waivers flagged.
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'required_item', 'd', {day}, {base}, e.actor, e.role, 0,
               CASE WHEN e.target = 'waived' THEN TRUE ELSE FALSE END AS waived,
               COUNT(*)
        FROM application_event e JOIN application a ON a.id = e.application_id
        JOIN checklist_entry c
          ON c.application_id = e.application_id AND e.event = 'checklist:' || c.item_id
        WHERE e.kind = 'checklist' AND e.target IN ({satisfied}) AND c.required
        GROUP BY {day}, {base}, e.actor, e.role, waived""",
        # Per application: its workflow decision, then its first result notice.
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'decided', 'd', a.decided_on, {base}, '',
               CASE WHEN a.outcome = 'refused' THEN 'refuse' ELSE 'approve' END AS key,
               a.days_to_decision,
               CASE WHEN a.decided_on <= a.due_date THEN TRUE ELSE FALSE END AS on_time,
               COUNT(*)
        FROM application a
        WHERE a.decided_on IS NOT NULL AND a.days_to_decision IS NOT NULL
        GROUP BY a.decided_on, {base}, key, a.days_to_decision, on_time""",
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'result_notice', 'd', a.decided_on, {base}, '', '', 0,
               CASE WHEN {_days(dialect, "n.day", "a.decided_on")} <= {clock.RESULT_NOTICE_DAYS}
                    THEN TRUE ELSE FALSE END AS in_time,
               COUNT(*)
        FROM application a
        JOIN (SELECT e.application_id, MIN({day}) AS day FROM application_event e
              WHERE e.transition_kind = 'result_notice' GROUP BY e.application_id) n
          ON n.application_id = a.id
        WHERE a.decided_on IS NOT NULL
        GROUP BY a.decided_on, {base}, in_time""",
        # A delivery recorded of a decision dates its result notice instead (``tallies``).
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT 'result_notice', 'd', a.decided_on, {base}, '',
               CASE WHEN n.sent IS NULL THEN 'delivered'
                    WHEN {_days(dialect, "n.sent", "a.decided_on")} <= {clock.RESULT_NOTICE_DAYS}
                    THEN 'delivered:sent-in-time' ELSE 'delivered:sent-late' END AS key,
               0,
               CASE WHEN {_days(dialect, "n.notified", "a.decided_on")}
                         <= {clock.RESULT_NOTICE_DAYS} THEN TRUE ELSE FALSE END AS in_time,
               COUNT(*)
        FROM application a
        JOIN (SELECT e.application_id, {_json_day(dialect, "notified_on")} AS notified,
                     {_json_day(dialect, "result_sent_on")} AS sent
              FROM application_event e
              WHERE e.kind = 'notice' AND {_json_text(dialect, "order")} IN ({decisions})) n
          ON n.application_id = a.id
        WHERE a.decided_on IS NOT NULL
        GROUP BY a.decided_on, {base}, key, in_time""",
        # A case for each decision flagged on its event (the flag is also the case's kind).
        *(
            f"""INSERT INTO compliance_case (kind, application_id, seq, office_id, day,
                                         occurred_at, department, permit_type, actor, reason)
            SELECT '{flag}', e.application_id, e.seq, a.office_id, {day}, e.occurred_at,
                   a.department, a.permit_type, e.actor, e.reason
            FROM application_event e JOIN application a ON a.id = e.application_id
            WHERE e.transition_kind IN ({decisions}) AND e.{flag}"""
            for flag in CASE_FLAGS
        ),
        # Months, from the days.
        f"""INSERT INTO compliance_tally ({tally_columns})
        SELECT measure, 'm', {_month(dialect, "day")} AS month, office_id, department,
               permit_type, actor, key, days, flag, SUM(count)
        FROM compliance_tally WHERE grain = 'd'
        GROUP BY measure, month, office_id, department, permit_type, actor, key, days, flag""",
        # Only the rows that differ are written (a rebuild rewrites no untouched file).
        """UPDATE application SET delay_notices_sent =
            (SELECT COUNT(*) FROM delay_notice d WHERE d.application_id = application.id)
        WHERE delay_notices_sent <>
            (SELECT COUNT(*) FROM delay_notice d WHERE d.application_id = application.id)""",
        "DELETE FROM open_file_tally",
    ]
    for statement in statements:
        connection.execute(text(statement))
    connection.execute(_open_files())


def _open_files() -> Any:
    """Count the open files by due date, as ``tallies`` keeps them."""
    a = Application
    paused = case((col(a.clock_paused_on).is_(None), false()), else_=true()).label("paused")
    by = (col(a.office_id), col(a.department), col(a.permit_type), col(a.due_date), paused)
    rows = (
        select(*by, func.count(), func.sum(col(a.delay_notices_sent)))
        .where(clock.undecided_clause(), clock.can_run_late_clause())
        .group_by(*by)
    )
    return insert(OPEN).from_select([*OPEN_DIMENSIONS, "files", "notices"], rows)


SNAPSHOT_TABLES = ("compliance_tally", "compliance_case", "open_file_tally")
_SNAPSHOTS = (
    "SELECT measure, grain, day, office_id, department, permit_type, actor, key, days, flag,"
    " count FROM compliance_tally",
    "SELECT kind, application_id, seq, office_id, day, occurred_at, department, permit_type,"
    " actor, reason FROM compliance_case",
    # Buckets emptied again count as absent.
    "SELECT office_id, department, permit_type, due_date, paused, files, notices"
    " FROM open_file_tally WHERE files <> 0 OR notices <> 0",
)


def snapshot(connection: Connection) -> tuple[list[tuple[Any, ...]], ...]:
    """Every tally, case and open-file row, sorted: what ``rebuild`` must reproduce."""
    return tuple(sorted(tuple(row) for row in connection.execute(text(sql))) for sql in _SNAPSHOTS)
