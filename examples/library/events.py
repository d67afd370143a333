"""The library's events: a member's stream and a book's stream each record a loan."""

from __future__ import annotations

from dataclasses import dataclass

from fabula import event

__all__ = ["BookAdded", "BookBorrowed", "BookLent", "BookReturned", "MemberJoined"]


@event("MemberJoined")
@dataclass(frozen=True, slots=True)
class MemberJoined:
    """A member joined the library (member stream)."""

    member_id: str


@event("BookAdded")
@dataclass(frozen=True, slots=True)
class BookAdded:
    """A book came into the library (book stream)."""

    book_id: str
    title: str


@event("BookBorrowed")
@dataclass(frozen=True, slots=True)
class BookBorrowed:
    """The member took a book (member stream)."""

    book_id: str


@event("BookLent")
@dataclass(frozen=True, slots=True)
class BookLent:
    """The book went out to a member (book stream)."""

    member_id: str


@event("BookReturned")
@dataclass(frozen=True, slots=True)
class BookReturned:
    """The book came back (on both streams)."""

    book_id: str
    member_id: str
