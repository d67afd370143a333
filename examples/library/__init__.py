"""Library loans: a decision over two streams (a member's and a book's).

Rules (``loans.py``): a member holds at most 3 books; a book is lent to one member at a
time. ``Borrow`` reads the member's stream and the book's stream and appends to both in
one transaction, so two borrowers racing for one book, or one member borrowing a fourth
book from two places at once, cannot both win.
"""

from examples.library.aggregates import Book, Member
from examples.library.events import BookAdded, BookBorrowed, BookLent, BookReturned, MemberJoined
from examples.library.loans import (
    MAX_LOANS,
    AddBook,
    BookNotAvailable,
    Borrow,
    JoinLibrary,
    NotBorrowed,
    Return,
    TooManyLoans,
    make_async_flow,
    make_flow,
)

__all__ = [
    "MAX_LOANS",
    "AddBook",
    "Book",
    "BookAdded",
    "BookBorrowed",
    "BookLent",
    "BookNotAvailable",
    "BookReturned",
    "Borrow",
    "JoinLibrary",
    "Member",
    "MemberJoined",
    "NotBorrowed",
    "Return",
    "TooManyLoans",
    "make_async_flow",
    "make_flow",
]
