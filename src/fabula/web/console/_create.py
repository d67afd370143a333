"""``create_console``: the web console's FastAPI app over one event store.

Rules: every listing is a keyset page (``after`` a stream id, a version or a position,
``limit`` at most 500) read through the store's own indexed calls (``list_streams``,
``read_stream``, ``read_all``); nothing counts or scans the log. Looking needs no token;
acting on consumers does (``_actions``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from fastapi.responses import FileResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from fabula._errors import ConfigurationError
from fabula.app import Repository
from fabula.read import HandlerError, ParkedEventNotFound, ProjectionSet
from fabula.store import EventStore, category_of
from fabula.web import install_error_handlers, resume_after
from fabula.web.console._actions import Rebuilds, TokenCheck
from fabula.web.console._app import ConsoleApp
from fabula.web.console._last_page import last_page
from fabula.web.console._shapes import event_shape, json_response
from fabula.web.console._tail import tail

__all__ = ["create_console"]

_STATIC = Path(__file__).resolve().parent.parent / "_static" / "console"
_SHORTEST_TOKEN = 16
Limit = Annotated[int, Query(ge=1, le=500)]


def create_console(
    store: EventStore, /, *, app: ConsoleApp | None = None, token: str | None = None
) -> FastAPI:
    """Return the console's web app over ``store``; actions need ``token`` (none: read-only).

    The caller owns ``store`` and the app's ``ProjectionSet`` and closes them.

    Raises:
        ConfigurationError: ``token`` is shorter than 16 characters (guessable).
    """
    if token is not None and len(token) < _SHORTEST_TOKEN:
        msg = f"the console's token must have {_SHORTEST_TOKEN} characters or more"
        raise ConfigurationError(msg)
    console = app or ConsoleApp()
    web = FastAPI(title="fabula console", docs_url=None, redoc_url=None)
    install_error_handlers(web)
    web.mount("/assets", StaticFiles(directory=_STATIC), name="console-assets")
    act = [Depends(TokenCheck(token))]
    repositories: dict[str, Repository[Any]] = {}
    rebuilds = Rebuilds(console.projections) if console.projections is not None else None
    one_at_a_time = threading.Lock()  # the set opens its store and target on first use

    @web.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(_STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    @web.get("/api/info")
    def info() -> Response:
        """What this console shows, and whether it may act."""
        return json_response(
            {
                "head": store.head(),
                "actions": token is not None,
                "consumers": console.projections is not None,
                "models": sorted(console.models),
            }
        )

    @web.get("/api/streams")
    def streams(
        prefix: str = "", category: str = "", after: str | None = None, limit: Limit = 50
    ) -> Response:
        """A page of streams by id, with a prefix or in a category (``category-...``)."""
        start = f"{category}-" if category else prefix
        page = store.list_streams(start, after=after, limit=limit + 1)
        more = len(page) > limit
        page = page[:limit]
        return json_response(
            {
                "streams": [{"stream_id": s.stream_id, "version": s.version} for s in page],
                "next": page[-1].stream_id if more else None,
            }
        )

    @web.get("/api/streams/count")
    def count(prefix: str = "", category: str = "") -> Response:
        """How many streams have the prefix (or are in the category)."""
        return json_response({"count": store.count_streams(f"{category}-" if category else prefix)})

    @web.get("/api/stream")
    def stream(
        stream_id: Annotated[str, Query(alias="id")],
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Limit = 50,
    ) -> Response:
        """A page of a stream's events after version ``after``, payloads as stored."""
        page = store.read_stream(stream_id, from_version=after + 1, limit=limit + 1)
        more = len(page) > limit
        page = page[:limit]
        return json_response(
            {
                "stream_id": stream_id,
                "version": store.stream_version(stream_id),
                "events": [event_shape(record) for record in page],
                "next": page[-1].version if more else None,
                "model": category_of(stream_id) in console.models,
            }
        )

    @web.get("/api/state")
    def state(
        stream_id: Annotated[str, Query(alias="id")], version: Annotated[int, Query(ge=0)]
    ) -> Response:
        """The aggregate's state at ``version``, loaded through its repository."""
        repository = repositories.get(category_of(stream_id))
        if repository is None:
            model = console.models.get(category_of(stream_id))
            if model is None:
                raise HTTPException(
                    404, f"no model is given for category {category_of(stream_id)!r}"
                )
            repository = Repository(store, model, registry=console.registry)
            repositories[category_of(stream_id)] = repository
        loaded = repository.load(stream_id, as_of_version=version)
        return json_response(
            {"stream_id": stream_id, "version": loaded.version, "state": loaded.state}
        )

    @web.get("/api/log")
    def log(after: Annotated[int | None, Query(ge=0)] = None, limit: Limit = 50) -> Response:
        """A page of the global log after ``after`` (default: the last page)."""
        if after is None:
            head, page = last_page(store, limit)
        else:
            head, page = store.head(), store.read_all(after=after, limit=limit)
        return json_response(
            {
                "head": head,
                "events": [event_shape(record) for record in page],
                "next": page[-1].position if len(page) == limit else None,
            }
        )

    @web.get("/api/tail")
    def live(
        after: Annotated[int | None, Query(ge=0)] = None,
        last_event_id: Annotated[str | None, Header()] = None,
    ) -> StreamingResponse:
        """The log after ``after`` (default: from now on), live, as server-sent events."""
        start = resume_after(last_event_id, default=store.head() if after is None else after)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(
            tail(store, after=start), media_type="text/event-stream", headers=headers
        )

    def consumers() -> ProjectionSet:
        if console.projections is None:
            raise HTTPException(404, "the console was started without --app: no consumers")
        return console.projections

    @web.get("/api/consumers")
    def statuses() -> Response:
        """Each projection's and reaction's status, lag and parked count."""
        projections = consumers()
        with one_at_a_time:
            found = projections.status()
        return json_response(
            {
                "consumers": found,
                "rebuilds": rebuilds.snapshot() if rebuilds is not None else {},
            }
        )

    @web.get("/api/consumers/{name}/parked")
    def parked(name: str) -> Response:
        """The events parked by one consumer (at most 500, oldest first)."""
        projections = consumers()
        _known(projections, name)
        with one_at_a_time:
            letters = projections.parked(name)
        return json_response({"parked": letters[:500]})

    @web.post("/api/consumers/{name}/parked/{position}/retry", dependencies=act)
    def retry(name: str, position: int) -> Response:
        """Apply a parked event again; it stays parked if its handler fails again (409)."""
        projections = consumers()
        _known(projections, name)
        try:
            with one_at_a_time:
                projections.retry_parked(name, position)
        except ParkedEventNotFound as exc:
            raise HTTPException(404, str(exc)) from exc
        except HandlerError as exc:
            cause = exc.__cause__
            raise HTTPException(409, f"still failing: {type(cause).__name__}: {cause}") from exc
        return json_response({"retried": position})

    @web.post("/api/consumers/{name}/parked/{position}/discard", dependencies=act)
    def discard(name: str, position: int) -> Response:
        """Give up on a parked event without applying it."""
        projections = consumers()
        _known(projections, name)
        try:
            with one_at_a_time:
                projections.discard_parked(name, position)
        except ParkedEventNotFound as exc:
            raise HTTPException(404, str(exc)) from exc
        return json_response({"discarded": position})

    @web.post("/api/consumers/{name}/rebuild", dependencies=act)
    def rebuild(name: str) -> Response:
        """Start replaying a projection from the start of the log (202; see ``rebuilds``)."""
        _known(consumers(), name)
        assert rebuilds is not None
        if not rebuilds.start(name):
            raise HTTPException(409, f"a rebuild of {name} is running already")
        return json_response({"rebuilding": name}, status=202)

    return web


def _known(projections: ProjectionSet, name: str) -> None:
    try:
        projections.get(name)
    except ConfigurationError as exc:
        raise HTTPException(404, str(exc)) from exc
