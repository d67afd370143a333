"""The key-table checks: every backend passes them, and each check catches a mutant.

Each mutant is the reference memory key table with one bug a real backend could have;
``test_every_key_check_has_a_mutant_that_it_catches`` keeps one mutant per check at least.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Collection, Mapping
from typing import Any

import pytest

import fabula
from fabula.store.memory._keys import MemoryKeyTable
from fabula.store.memory._keys_base import MemoryKeys
from fabula.testing.conformance import ASYNC_KEY_CHECKS, KEY_CHECKS


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    found: str = request.getfixturevalue("postgres_schema_url")
    return found


@pytest.mark.parametrize("check", KEY_CHECKS, ids=lambda check: check.__name__)
def test_sync(check: Any, url: str) -> None:
    with fabula.open_store(url) as store:
        check(store.personal_keys())  # type: ignore[attr-defined]


@pytest.mark.parametrize("check", ASYNC_KEY_CHECKS, ids=lambda check: check.__name__)
def test_async(check: Any, url: str) -> None:
    async def main() -> None:
        async with fabula.open_async_store(url) as store:
            await check(store.personal_keys())  # type: ignore[attr-defined]

    asyncio.run(main())


def test_sync_and_async_key_checks_match() -> None:
    assert [c.__name__ for c in KEY_CHECKS] == [c.__name__ for c in ASYNC_KEY_CHECKS]


class RecreatesKeys(MemoryKeys):
    def create(self, subjects: Collection[str]) -> dict[str, bytes | None]:
        for subject in subjects:
            if self.rows.get(subject) is not None:
                self.rows[subject] = os.urandom(32)
        return super().create(subjects)


class ForgetKeepsTheKey(MemoryKeys):
    def forget(self, subject: str) -> bool:
        return self.rows.get(subject) is not None


class RevivesForgotten(MemoryKeys):
    def create(self, subjects: Collection[str]) -> dict[str, bytes | None]:
        for subject in subjects:
            if subject in self.rows and self.rows[subject] is None:
                del self.rows[subject]
        return super().create(subjects)


class AnswersForUnknownSubjects(MemoryKeys):
    def fetch(self, subjects: Collection[str]) -> dict[str, bytes | None]:
        found = super().fetch(subjects)
        return {subject: found.get(subject) for subject in subjects}


class ShortKeys(MemoryKeys):
    def create(self, subjects: Collection[str]) -> dict[str, bytes | None]:
        for subject in subjects:
            self.rows.setdefault(subject, os.urandom(16))
        return super().create(subjects)


class RestoreRevivesForgotten(MemoryKeys):
    def restore(self, rows: Mapping[str, bytes | None]) -> None:
        for subject, key in rows.items():
            self.rows.setdefault(subject, key)


class RestoreOverwritesKeys(MemoryKeys):
    def restore(self, rows: Mapping[str, bytes | None]) -> None:
        self.rows.update(rows)


class NeverComplete(MemoryKeys):
    def note(self, pairs: Collection[tuple[str, str]], *, complete: bool) -> None:
        super().note(pairs, complete=False)


class StreamsRepeated(MemoryKeys):
    def streams(self, subject: str) -> list[str] | None:
        found = super().streams(subject)
        return None if found is None else [*found, *found]


MUTANTS = [
    (RecreatesKeys, "check_keys_create_once_per_subject"),
    (ShortKeys, "check_keys_create_once_per_subject"),
    (ForgetKeepsTheKey, "check_keys_forget_is_final"),
    (RevivesForgotten, "check_keys_forget_is_final"),
    (AnswersForUnknownSubjects, "check_keys_fetch_leaves_out_unknown_subjects"),
    (RestoreRevivesForgotten, "check_keys_restore_copies_rows_and_forgetting_wins"),
    (RestoreOverwritesKeys, "check_keys_restore_copies_rows_and_forgetting_wins"),
    (NeverComplete, "check_keys_streams_are_noted_once_and_sorted"),
    (StreamsRepeated, "check_keys_streams_are_noted_once_and_sorted"),
]


def test_every_key_check_has_a_mutant_that_it_catches() -> None:
    assert {name for _, name in MUTANTS} == {c.__name__ for c in KEY_CHECKS}


@pytest.mark.parametrize(("mutant", "name"), MUTANTS, ids=lambda m: getattr(m, "__name__", m))
def test_the_check_catches_the_mutant(mutant: type[MemoryKeys], name: str) -> None:
    [check] = [c for c in KEY_CHECKS if c.__name__ == name]
    table = MemoryKeyTable(mutant())
    with pytest.raises(AssertionError):
        check(table)
