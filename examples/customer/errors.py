"""The customer's invariants, as errors with stable codes (seed 001).

The seed reports both as a ``UserError`` with only a message; here each is its own
``DomainError`` with a code, and the seed's message word for word.
"""

from __future__ import annotations

from fabula import DomainError

__all__ = ["AddressAlreadyAdded", "NameAlreadyAdded"]


class NameAlreadyAdded(DomainError):
    """The customer has a name already: it can be added only once."""

    code = "name_already_added"
    message = "a name has already been added for this customer"


class AddressAlreadyAdded(DomainError):
    """The customer has this address already."""

    code = "address_already_added"
    message = "this address has already been added for this customer"
