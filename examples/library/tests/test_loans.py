"""Library loans: decisions over two streams, on every backend, sync and asyncio."""

from __future__ import annotations

import asyncio
import random
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from examples.library import (
    MAX_LOANS,
    AddBook,
    Book,
    BookBorrowed,
    BookLent,
    BookNotAvailable,
    Borrow,
    JoinLibrary,
    Member,
    NotBorrowed,
    Return,
    TooManyLoans,
    make_async_flow,
    make_flow,
)
from fabula import (
    AsyncFlow,
    ConfigurationError,
    Decision,
    Flow,
    Recorded,
    UnknownCommand,
    open_async_store,
    open_store,
)
from fabula.app import EnrichMetadata, Idempotency, RetryOnConflict

BOOKS = [f"b{i}" for i in range(6)]
MEMBERS = [f"m{i}" for i in range(16)]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'library.db'}"
    return str(request.getfixturevalue("fabula_postgres_schema_url"))


@pytest.fixture
def flow(url: str) -> Iterator[Flow]:
    store = open_store(url)
    try:
        yield make_flow(store)
    finally:
        store.close()


def stock(flow: Flow, members: list[str], books: list[str]) -> None:
    for member in members:
        flow.dispatch(JoinLibrary(member))
    for book in books:
        flow.dispatch(AddBook(book, f"title {book}"))


def test_a_loan_appends_to_both_streams_in_one_transaction(flow: Flow) -> None:
    stock(flow, ["ann"], ["dune"])
    result = flow.dispatch(Borrow("ann", "dune"), metadata={"desk": "front"})
    assert [(r.stream_id, r.version, type(r.event)) for r in result.events] == [
        ("member-ann", 2, BookBorrowed),
        ("book-dune", 2, BookLent),
    ]
    assert result.position == result.events[-1].position
    assert (result.stream_id, result.version) == ("book-dune", 2)
    assert {r.causation_id for r in result.events} == {result.command_id}
    assert {r.correlation_id for r in result.events} == {result.command_id}
    assert all(r.metadata == {"desk": "front"} for r in result.events)
    assert flow.load(Member, "ann").state.books == ("dune",)
    assert flow.load(Book, "dune").state.lent_to == "ann"
    flow.dispatch(Return("ann", "dune"))
    assert flow.load(Member, "ann").state.books == ()
    assert flow.load(Book, "dune").state.lent_to == ""


def test_refusals_write_nothing(flow: Flow) -> None:
    stock(flow, ["ann", "bob"], ["a", "b", "c", "d"])
    flow.dispatch(Borrow("ann", "a"))
    before = len(flow.store.read_all())
    with pytest.raises(BookNotAvailable):
        flow.dispatch(Borrow("bob", "a"))
    with pytest.raises(BookNotAvailable):
        flow.dispatch(Borrow("bob", "missing"))
    with pytest.raises(NotBorrowed):
        flow.dispatch(Borrow("nobody", "b"))
    with pytest.raises(NotBorrowed):
        flow.dispatch(Return("bob", "a"))
    for book in ("b", "c"):
        flow.dispatch(Borrow("ann", book))
    with pytest.raises(TooManyLoans):
        flow.dispatch(Borrow("ann", "d"))
    assert len(flow.store.read_all()) == before + 4


def test_an_idempotent_command_id_lends_once(flow: Flow) -> None:
    stock(flow, ["ann"], ["dune"])
    command_id = uuid.uuid4()
    first = flow.dispatch(Borrow("ann", "dune"), command_id=command_id)
    again = flow.dispatch(Borrow("ann", "dune"), command_id=command_id)
    assert again.deduplicated
    assert again.positions == first.positions
    assert flow.load(Member, "ann").version == 2


def test_causation_correlation_listeners_and_middleware() -> None:
    store = open_store("memory://")
    flow = Flow(
        store,
        middleware=[
            EnrichMetadata(lambda context: {"attempt": context.attempt}),
            RetryOnConflict(),
        ],
    )
    flow.register(Member, key=lambda c: c.member_id)
    flow.register(Book, key=lambda c: c.book_id)
    flow.register_decision(Borrow, _borrow, streams=_streams)
    heard: list[Recorded[Any]] = []
    flow.listen(BookLent, heard.append)
    stock(flow, ["ann"], ["dune"])
    cause, correlation = uuid.uuid4(), uuid.uuid4()
    result = flow.dispatch(Borrow("ann", "dune"), causation_id=cause, correlation_id=correlation)
    assert [r.event for r in heard] == [BookLent("ann")]
    assert {r.correlation_id for r in result.events} == {correlation}
    assert result.events[0].metadata == {"attempt": 1, "caused_by": str(cause)}


def _borrow(command: Borrow, decision: Decision) -> None:
    decision.append(Member, command.member_id, BookBorrowed(command.book_id))
    decision.append(Book, command.book_id, BookLent(command.member_id))


def _streams(command: Borrow) -> list[tuple[Any, str]]:
    return [(Member, command.member_id), (Book, command.book_id)]


def test_wiring_mistakes_are_configuration_errors() -> None:
    flow = Flow(open_store("memory://"), middleware=[Idempotency(*_parts())])
    flow.register(Member, key=lambda c: c.member_id)
    flow.register_decision(Borrow, _borrow, streams=lambda c: [(Member, c.member_id)])
    with pytest.raises(ConfigurationError):
        flow.register_decision(Borrow, _borrow, streams=_streams)
    with pytest.raises(ConfigurationError):
        flow.register_decision(JoinLibrary, lambda command, decision: None, streams=lambda c: [])
    flow.dispatch(JoinLibrary("ann"))
    with pytest.raises(ConfigurationError, match="did not name"):
        flow.dispatch(Borrow("ann", "dune"))  # Book's stream was not named
    other = Flow(open_store("memory://"))
    other.register_decision(Borrow, _borrow, streams=_streams)
    with pytest.raises(ConfigurationError, match="not registered"):
        other.dispatch(Borrow("ann", "dune"))
    with pytest.raises(UnknownCommand):
        other.dispatch(Return("ann", "dune"))


def _parts() -> tuple[Any, Any]:
    store = open_store("memory://")
    return store, Flow(store).registry


def check_invariants(flow: Flow, lent: int) -> None:
    holders: dict[str, str] = {}
    for member in MEMBERS:
        books = flow.load(Member, member).state.books
        assert len(books) <= MAX_LOANS
        for book in books:
            assert book not in holders, f"{book} lent twice"
            holders[book] = member
    for book in BOOKS:
        assert flow.load(Book, book).state.lent_to == holders.get(book, "")
    assert len(holders) == lent


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sixteen_borrowers_race_for_the_same_books(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'race.db'}"
        if backend == "sqlite"
        else str(request.getfixturevalue("fabula_postgres_schema_url"))
    )
    store = open_store(url)
    try:
        flow = make_flow(store)
        stock(flow, MEMBERS, BOOKS)
        start = threading.Barrier(len(MEMBERS))
        lent: list[str] = []
        failures: list[BaseException] = []

        def borrower(member: str) -> None:
            wanted = random.Random(member).sample(BOOKS, 5)
            start.wait()
            for book in wanted:
                try:
                    flow.dispatch(Borrow(member, book))
                    lent.append(book)
                except (BookNotAvailable, TooManyLoans):
                    pass
                except BaseException as exc:
                    failures.append(exc)

        threads = [threading.Thread(target=borrower, args=(m,)) for m in MEMBERS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert len(lent) == len(set(lent)) == len(BOOKS)  # every book goes out, once
        check_invariants(flow, len(lent))
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sixteen_borrowers_race_asyncio(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'race.db'}"
        if backend == "sqlite"
        else str(request.getfixturevalue("fabula_postgres_schema_url"))
    )

    async def main() -> list[str]:
        store = open_async_store(url)
        try:
            flow: AsyncFlow = make_async_flow(store)
            for member in MEMBERS:
                await flow.dispatch(JoinLibrary(member))
            for book in BOOKS:
                await flow.dispatch(AddBook(book, book))

            async def borrower(member: str) -> list[str]:
                got = []
                for book in random.Random(member).sample(BOOKS, 5):
                    try:
                        await flow.dispatch(Borrow(member, book))
                        got.append(book)
                    except (BookNotAvailable, TooManyLoans):
                        pass
                return got

            loans = await asyncio.gather(*(borrower(m) for m in MEMBERS))
            return [book for got in loans for book in got]
        finally:
            await store.close()

    lent = asyncio.run(main())
    assert len(lent) == len(set(lent)) == len(BOOKS)
    with open_store(url) as store:
        check_invariants(make_flow(store), len(lent))
