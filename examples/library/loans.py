"""Borrowing and returning: each decision reads a member and a book and appends to both.

Rules:
1. Only a member borrows, and only a book the library has (``NotBorrowed`` otherwise).
2. A member holds at most ``MAX_LOANS`` books (``TooManyLoans``).
3. A book is lent to one member at a time (``BookNotAvailable``).
4. Both streams are appended in one transaction, each guarded by the version the decision
   read: a concurrent loan of the same book or to the same member makes one of the two
   retry on fresh state, where rule 2 or 3 refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from examples.library.aggregates import AddBook, Book, JoinLibrary, Member
from examples.library.events import BookBorrowed, BookLent, BookReturned
from fabula import AsyncFlow, Decision, DomainError, Flow
from fabula.store import AsyncEventStore, EventStore

__all__ = [
    "MAX_LOANS",
    "AddBook",
    "BookNotAvailable",
    "Borrow",
    "JoinLibrary",
    "NotBorrowed",
    "Return",
    "TooManyLoans",
    "borrow",
    "give_back",
    "make_async_flow",
    "make_flow",
]

MAX_LOANS = 3
"""The most books one member holds at once."""


@dataclass(frozen=True, slots=True)
class Borrow:
    """``member_id`` takes ``book_id`` home."""

    member_id: str
    book_id: str


@dataclass(frozen=True, slots=True)
class Return:
    """``member_id`` brings ``book_id`` back."""

    member_id: str
    book_id: str


class TooManyLoans(DomainError):
    """The member already holds ``MAX_LOANS`` books."""

    code = "too_many_loans"
    message = "a member holds at most 3 books"


class BookNotAvailable(DomainError):
    """The book is out, or the library does not have it."""

    code = "book_not_available"
    message = "the book is not on the shelf"


class NotBorrowed(DomainError):
    """The member is not a member, or does not hold that book."""

    code = "not_borrowed"
    message = "no such member or loan"


def borrow(command: Borrow, decision: Decision) -> None:
    """Lend the book to the member, if both rules allow it."""
    member = decision.state(Member, command.member_id)
    book = decision.state(Book, command.book_id)
    if not member.member_id:
        raise NotBorrowed(params={"member_id": command.member_id})
    if not book.title or book.lent_to:
        raise BookNotAvailable(params={"book_id": command.book_id})
    if len(member.books) >= MAX_LOANS:
        raise TooManyLoans(params={"member_id": command.member_id})
    decision.append(Member, command.member_id, BookBorrowed(command.book_id))
    decision.append(Book, command.book_id, BookLent(command.member_id))


def give_back(command: Return, decision: Decision) -> None:
    """Take the book back from the member."""
    member = decision.state(Member, command.member_id)
    if command.book_id not in member.books:
        raise NotBorrowed(params={"member_id": command.member_id, "book_id": command.book_id})
    returned = BookReturned(command.book_id, command.member_id)
    decision.append(Member, command.member_id, returned)
    decision.append(Book, command.book_id, returned)


def _streams(command: Borrow | Return) -> list[tuple[type[Member] | type[Book], str]]:
    return [(Member, command.member_id), (Book, command.book_id)]


def make_flow(store: EventStore) -> Flow:
    """A flow with members, books, and the two loan decisions."""
    flow = Flow(store)
    flow.register(Member, key=lambda c: c.member_id)
    flow.register(Book, key=lambda c: c.book_id)
    flow.register_decision(Borrow, borrow, streams=_streams)
    flow.register_decision(Return, give_back, streams=_streams)
    return flow


def make_async_flow(store: AsyncEventStore) -> AsyncFlow:
    """The asyncio twin of ``make_flow``."""
    flow = AsyncFlow(store)
    flow.register(Member, key=lambda c: c.member_id)
    flow.register(Book, key=lambda c: c.book_id)
    flow.register_decision(Borrow, borrow, streams=_streams)
    flow.register_decision(Return, give_back, streams=_streams)
    return flow
