"""The web console: streams, events, aggregate state, the live log and consumers.

``fabula console URL [--app package.module:name] [--token T]`` serves it; in code::

    from fabula.store import open_store
    from fabula.web.console import ConsoleApp, create_console

    app = create_console(open_store("sqlite:///app.db", read_only=True), token=None)

Read-only unless given a token: retry, discard and rebuild need ``Authorization: Bearer
<token>`` (403 otherwise). See docs/operations.md and ADR 0019.
"""

from fabula.web.console._app import ConsoleApp, load_console_app
from fabula.web.console._create import create_console

__all__ = ["ConsoleApp", "create_console", "load_console_app"]
