"""The member and the book: each guards its own stream; ``loans.py`` decides across both."""

from __future__ import annotations

from dataclasses import dataclass

from examples.library.events import BookAdded, BookBorrowed, BookLent, BookReturned, MemberJoined
from fabula import Aggregate, decides, evolves

__all__ = ["AddBook", "Book", "JoinLibrary", "Member"]


@dataclass(frozen=True, slots=True)
class JoinLibrary:
    """Make ``member_id`` a member."""

    member_id: str


@dataclass(frozen=True, slots=True)
class AddBook:
    """Put a book on the shelves."""

    book_id: str
    title: str


class Member(Aggregate, name="member"):
    """A member and the books they hold."""

    member_id: str = ""
    books: tuple[str, ...] = ()

    @decides
    def join(self, command: JoinLibrary) -> list[MemberJoined]:
        """Join (joining twice is a no-op)."""
        return [] if self.member_id else [MemberJoined(command.member_id)]

    @evolves
    def joined(self, event: MemberJoined) -> None:
        """Take the member id."""
        self.member_id = event.member_id

    @evolves
    def borrowed(self, event: BookBorrowed) -> None:
        """Hold one more book."""
        self.books = (*self.books, event.book_id)

    @evolves
    def returned(self, event: BookReturned) -> None:
        """Hold one book less."""
        self.books = tuple(book for book in self.books if book != event.book_id)


class Book(Aggregate, name="book"):
    """A book, and who has it (empty: on the shelf)."""

    title: str = ""
    lent_to: str = ""

    @decides
    def add(self, command: AddBook) -> list[BookAdded]:
        """Add the book (adding twice is a no-op)."""
        return [] if self.title else [BookAdded(command.book_id, command.title)]

    @evolves
    def added(self, event: BookAdded) -> None:
        """Take the title."""
        self.title = event.title

    @evolves
    def lent(self, event: BookLent) -> None:
        """Go out to the member."""
        self.lent_to = event.member_id

    @evolves
    def returned(self, event: BookReturned) -> None:
        """Come back to the shelf."""
        self.lent_to = ""
