"""Settings of a SQLite store: one typed object, built from a URL plus keyword arguments.

``sqlite:///path.db?mode=ro&busy_timeout=2`` names the file and its options:

- ``mode``: ``rwc`` (default) read-write, creating a missing file; ``rw`` read-write,
  the file must exist; ``ro`` read-only: nothing is ever written (no schema, no journal
  mode change) and a write raises ``ReadOnlyError``.
- ``migrate``: ``auto`` (default) creates or migrates the schema; ``check`` refuses a
  file without the current schema (``SchemaError``).
- ``busy_timeout``: seconds to wait for another process's write lock (default 5).
- ``poll_interval``: seconds between looks for other processes' appends while waiting
  (default 0.05).

Any other option is refused (``ConfigurationError``), as is one given both in the URL and,
with another value, as a keyword argument.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeAlias

from fabula._errors import ConfigurationError
from fabula.store._url import split_sqlite_url
from fabula.store.sqlite._migrate import MigrateMode

__all__ = ["OpenMode", "SqliteSettings", "settings_of"]

OpenMode: TypeAlias = Literal["rwc", "rw", "ro"]

_PRIVATE = (":memory:", "")
_MODES = ("rwc", "rw", "ro")
_MIGRATE = ("auto", "check")
_OPTIONS = ("mode", "migrate", "busy_timeout", "poll_interval")


@dataclass(frozen=True, slots=True, kw_only=True)
class SqliteSettings:
    """How a SQLite store opens its file (see the module's table).

    Attributes:
        path: the database file, or ``":memory:"`` for a private in-process database.
        mode: ``"rwc"`` (create if missing), ``"rw"`` (must exist) or ``"ro"`` (read-only).
        migrate: ``"auto"`` migrates an older schema on open; ``"check"`` refuses it.
        busy_timeout: seconds to wait for another process's write lock before failing.
        poll_interval: seconds between checks for other processes' appends while waiting.
    """

    path: str
    mode: OpenMode = "rwc"
    migrate: MigrateMode = "auto"
    busy_timeout: float = 5.0
    poll_interval: float = 0.05

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            msg = f"SQLite mode must be one of {', '.join(_MODES)}, not {self.mode!r}"
            raise ConfigurationError(msg)
        if self.migrate not in _MIGRATE:
            msg = f"migrate must be 'auto' or 'check', not {self.migrate!r}"
            raise ConfigurationError(msg)
        if self.mode != "rwc" and self.path in _PRIVATE:
            msg = f"a private in-memory SQLite database cannot be opened with mode={self.mode!r}"
            raise ConfigurationError(msg)
        for name in ("busy_timeout", "poll_interval"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                msg = f"{name} must be a number of seconds >= 0, not {value!r}"
                raise ConfigurationError(msg)

    @property
    def read_only(self) -> bool:
        """Whether nothing may be written (``mode="ro"``)."""
        return self.mode == "ro"

    @classmethod
    def from_url(cls, url: str, /, **keywords: Any) -> SqliteSettings:
        """Read ``sqlite:///path.db?option=value...``; ``keywords`` add to (not contradict) it.

        Raises:
            ConfigurationError: not a SQLite URL, an unknown or repeated option, a bad
                value, or a keyword that contradicts the URL.
        """
        path, options = split_sqlite_url(url)
        given: dict[str, Any] = {}
        for key, text in options:
            if key not in _OPTIONS:
                msg = f"SQLite URL {url!r}: unknown option {key!r} (known: {', '.join(_OPTIONS)})"
                raise ConfigurationError(msg)
            if key in given:
                msg = f"SQLite URL {url!r} gives option {key!r} twice"
                raise ConfigurationError(msg)
            given[key] = _parse(url, key, text)
        for key, value in keywords.items():
            if key in given and given[key] != value:
                msg = f"SQLite URL {url!r} says {key}={given[key]!r}, the settings {value!r}"
                raise ConfigurationError(msg)
            given[key] = value
        try:
            return cls(path=path, **given)
        except TypeError as exc:
            msg = f"SQLite store settings: {exc}"
            raise ConfigurationError(msg) from exc


def settings_of(source: str | os.PathLike[str] | SqliteSettings, /, **given: Any) -> SqliteSettings:
    """The settings of a store or target: a ``sqlite:`` URL, a file path, or settings.

    A keyword given as ``None`` keeps the default (or the given settings' value).

    Raises:
        ConfigurationError: a bad URL or value, or a keyword that contradicts the URL.
    """
    chosen = {key: value for key, value in given.items() if value is not None}
    if isinstance(source, SqliteSettings):
        return replace(source, **chosen)
    text = os.fspath(source)
    if text.startswith("sqlite:"):
        return SqliteSettings.from_url(text, **chosen)
    return SqliteSettings(path=text, **chosen)


def _parse(url: str, key: str, text: str) -> Any:
    if key in ("mode", "migrate"):
        return text
    try:
        return float(text)
    except ValueError:
        msg = f"SQLite URL {url!r}: {key} must be a number of seconds, not {text!r}"
        raise ConfigurationError(msg) from None
