"""Writes of a live run's record in bulk: frames (their JSON encoded once, by the host, and
stored as it is) and event-log lines. The ORM's bulk insert quotes every JSON document on the
client, which cost about five times the rest of a frame's recording on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import connection

from sandbox.runs.models import RunEvent, RunFrame

# (run id, seq, frame as JSON text)
FrameRow = tuple[str, int, str]
# (run id, seq, t, level, node, text)
EventRow = tuple[str, int, float, str, str, str]


def _run_key(run_id: str) -> object:
    """The run id as the database stores it (a uuid on PostgreSQL, hex text on SQLite)."""
    field = RunFrame._meta.get_field("run").target_field
    return field.get_db_prep_value(uuid.UUID(run_id), connection, prepared=False)


def frames_record(rows: Sequence[FrameRow]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(RunFrame._meta.db_table)
    payload = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    sql = f"INSERT INTO {table} (run_id, seq, payload) VALUES (%s, %s, {payload})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(_run_key(run), seq, text) for run, seq, text in rows])


def events_record(rows: Sequence[EventRow]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(RunEvent._meta.db_table)
    sql = f"INSERT INTO {table} (run_id, seq, t, level, node, text) VALUES (%s, %s, %s, %s, %s, %s)"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(_run_key(run), *rest) for run, *rest in rows])
