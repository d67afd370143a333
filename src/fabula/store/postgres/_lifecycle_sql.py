"""Statements of the stream lifecycle on PostgreSQL, and the trigger's refusal as an error.

Appends are guarded by the trigger of migration 0003 (the append statement is unchanged);
archive, unarchive and truncate lock the stream's row first, so no append of that stream
runs between their check and their change (``_lifecycle_async.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from psycopg import errors, sql

from fabula.store._lifecycle import check_appendable

__all__ = ["LifecycleStatements", "raise_refusal"]

_TEXT = {
    "lock_stream": "SELECT version FROM {schema}.streams WHERE stream_id = %(stream_id)s"
    " FOR UPDATE",
    "lifecycle": "SELECT status, truncated_before FROM {schema}.stream_lifecycle"
    " WHERE stream_id = %(stream_id)s",
    "set_state": "INSERT INTO {schema}.stream_lifecycle (stream_id, status, truncated_before)"
    " VALUES (%(stream_id)s, %(status)s, %(truncated_before)s) ON CONFLICT (stream_id)"
    " DO UPDATE SET status = excluded.status, truncated_before = excluded.truncated_before",
    "drop_old_snapshots": "DELETE FROM {schema}.snapshots WHERE stream_id = %(stream_id)s"
    " AND version < (SELECT max(version) FROM {schema}.snapshots"
    " WHERE stream_id = %(stream_id)s)",
}


@dataclass(frozen=True, slots=True)
class LifecycleStatements:
    """The lifecycle statements, composed for one schema (as bytes, ready to run)."""

    lock_stream: bytes
    lifecycle: bytes
    set_state: bytes
    drop_old_snapshots: bytes

    @classmethod
    def for_schema(cls, schema: str) -> LifecycleStatements:
        """Compose every statement for the tables in ``schema``."""
        name = sql.Identifier(schema)
        return cls(
            **{
                f.name: sql.SQL(_TEXT[f.name]).format(schema=name).as_bytes(None)
                for f in fields(cls)
            }
        )


def raise_refusal(exc: errors.ObjectNotInPrerequisiteState) -> None:
    """Raise ``StreamArchived`` or ``StreamDeleted`` for the trigger's refusal; else return."""
    diag = exc.diag
    if diag.constraint_name == "stream_lifecycle" and diag.message_detail and diag.message_hint:
        if diag.message_hint == "archived":
            check_appendable(diag.message_detail, "archived")
        if diag.message_hint == "deleted":
            check_appendable(diag.message_detail, "deleted")
