"""Text a read model can hold: refuse the rest at the command boundary.

PostgreSQL's ``TEXT`` cannot hold the NUL character (U+0000), and no UTF-8 column
can hold an unpaired surrogate. An event carrying either stores fine (its JSON escapes
it) but then fails every projection that copies the text into a table: the event is
parked, and the read model loses it. So a command refuses such text before it decides:

- REST: annotate a body field ``StorableText`` (a pydantic type); the request answers
  422 ``invalid_request``, naming the field, with the ``unstorable_text`` error type.
- Anywhere else (GraphQL arguments, say): ``storable_text(value, field=...)`` raises
  ``UnstorableText``, a ``DomainError`` (HTTP 422 where mapped; GraphQL code
  ``unstorable_text``).
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from fabula._errors import DomainError

__all__ = ["StorableText", "UnstorableText", "storable_text"]

_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")
_MESSAGE: Final = "text must not contain NUL characters or unpaired surrogates"


class UnstorableText(DomainError):
    """Text with a character no read model can hold (NUL, an unpaired surrogate)."""

    code = "unstorable_text"
    message = _MESSAGE


def storable_text(value: str, /, *, field: str) -> str:
    """Return ``value`` if every read model can store it.

    Raises:
        UnstorableText: it holds a NUL character or an unpaired surrogate.
    """
    found = _UNSTORABLE.search(value)
    if found is not None:
        raise UnstorableText(params={"field": field, "index": found.start()})
    return value


def _check(value: str) -> str:
    found = _UNSTORABLE.search(value)
    if found is not None:
        kind = "unstorable_text"
        raise PydanticCustomError(kind, _MESSAGE, {"index": found.start()})
    return value


StorableText = Annotated[str, AfterValidator(_check)]
"""A ``str`` body field that refuses NUL characters and unpaired surrogates (HTTP 422)."""
