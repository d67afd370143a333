"""``CreateTables``: the setup hook behind ``Projection(tables={"name": "columns"})``.

A SQL read model's tables, declared where the projection is: each entry becomes
``CREATE TABLE IF NOT EXISTS name (columns)``, run by the target's ``prepare`` before
any event, in the same transaction as the checkpoint's creation. The hook works on every
SQL connection a target hands it: a sync one (``sqlite3``, psycopg's ``Connection``)
runs the statements at once; an asyncio one (psycopg's ``AsyncConnection``) gets an
awaitable that runs them in order, which the asyncio target awaits.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

__all__ = ["CreateTables"]


class CreateTables:
    """Create the declared tables if missing: ``CREATE TABLE IF NOT EXISTS name (columns)``."""

    __slots__ = ("statements",)

    def __init__(self, tables: Mapping[str, str], /) -> None:
        self.statements: tuple[str, ...] = tuple(
            f"CREATE TABLE IF NOT EXISTS {name} ({columns})" for name, columns in tables.items()
        )

    def __call__(self, tx: Any, /) -> object:
        """Run the statements through ``tx`` (awaitable when ``tx`` is asyncio's)."""
        if inspect.iscoroutinefunction(getattr(tx, "execute", None)):
            return self._run_async(tx)
        for statement in self.statements:
            tx.execute(statement)
        return None

    async def _run_async(self, tx: Any) -> None:
        for statement in self.statements:
            await tx.execute(statement)

    def __repr__(self) -> str:
        return f"CreateTables({self.statements!r})"
