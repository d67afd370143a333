"""Conformance of key tables: the rules of ``fabula.store.AsyncKeyTable``, one check each.

``ASYNC_KEY_CHECKS`` take a key table (``store.personal_keys()``); each writes only
subjects of its own, so they need not start from an empty table.
"""

from __future__ import annotations

from fabula.store import AsyncKeyTable
from fabula.testing.conformance._events import unique_subjects
from fabula.testing.conformance._expect import expect_equal

__all__ = [
    "CHECKS",
    "check_keys_create_once_per_subject",
    "check_keys_fetch_leaves_out_unknown_subjects",
    "check_keys_forget_is_final",
    "check_keys_restore_copies_rows_and_forgetting_wins",
    "check_keys_streams_are_noted_once_and_sorted",
]


async def check_keys_create_once_per_subject(table: AsyncKeyTable) -> None:
    """Rule 1: ``create`` gives each new subject one 32-byte key, and keeps it after that."""
    first, second = unique_subjects(2)
    created = await table.create([first])
    key = created.get(first)
    expect_equal(isinstance(key, bytes) and len(key), 32, "a new subject's key length")
    again = await table.create([first, second])
    expect_equal(again.get(first), key, "create on a subject that has a key")
    expect_equal(len(again.get(second) or b""), 32, "a second subject's key length")
    expect_equal([again.get(first) != again.get(second)], [True], "two subjects' keys differ")
    expect_equal(await table.fetch([first, second]), again, "fetch after create")


async def check_keys_forget_is_final(table: AsyncKeyTable) -> None:
    """Rule 2: ``forget`` destroys the key; no later ``create`` gives the subject one."""
    known, unknown = unique_subjects(2)
    await table.create([known])
    expect_equal([await table.forget(known)], [True], "forget of a subject with a key")
    expect_equal(await table.fetch([known]), {known: None}, "fetch after forget")
    expect_equal(await table.create([known]), {known: None}, "create after forget")
    expect_equal([await table.forget(known)], [False], "a second forget")
    expect_equal([await table.forget(unknown)], [False], "forget of a subject never seen")
    expect_equal(await table.create([unknown]), {unknown: None}, "create after that forget")


async def check_keys_fetch_leaves_out_unknown_subjects(table: AsyncKeyTable) -> None:
    """Rule 3: ``fetch`` answers only for subjects that have a row."""
    known, unknown = unique_subjects(2)
    await table.create([known])
    found = await table.fetch([known, unknown])
    expect_equal(sorted(found), [known], "the subjects fetch answers for")
    expect_equal(await table.fetch([]), {}, "fetch of no subjects")


async def check_keys_restore_copies_rows_and_forgetting_wins(table: AsyncKeyTable) -> None:
    """Rule 5: ``restore`` writes new rows as given, keeps keys, and forgetting wins."""
    new, gone, kept, dropped = unique_subjects(4)
    await table.create([kept, dropped])
    rows = await table.fetch([kept, dropped])
    key = bytes(range(32))
    await table.restore({new: key, gone: None, kept: bytes(32), dropped: None})
    expect_equal(
        await table.fetch([new, gone, kept, dropped]),
        {new: key, gone: None, kept: rows[kept], dropped: None},
        "the rows after restore",
    )
    expect_equal(await table.create([gone, dropped]), {gone: None, dropped: None}, "create")
    await table.restore({})


async def check_keys_streams_are_noted_once_and_sorted(table: AsyncKeyTable) -> None:
    """Rule 6: noted streams come back once each, sorted, once the index is complete."""
    subject, other, unknown = unique_subjects(3)
    await table.note([(subject, "s-2"), (subject, "s-1"), (other, "s-3")])
    await table.note([(subject, "s-2")], complete=True)
    expect_equal(await table.streams(subject), ["s-1", "s-2"], "a subject's noted streams")
    expect_equal(await table.streams(unknown), [], "the streams of a subject never noted")
    await table.note([])


CHECKS = (
    check_keys_create_once_per_subject,
    check_keys_forget_is_final,
    check_keys_fetch_leaves_out_unknown_subjects,
    check_keys_restore_copies_rows_and_forgetting_wins,
    check_keys_streams_are_noted_once_and_sorted,
)
"""Every key-table check, in the order they run."""
