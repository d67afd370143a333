"""The console's HTTP API (FastAPI's TestClient), on SQLite and PostgreSQL."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fabula._errors import ConfigurationError
from fabula.cli import main
from fabula.cli._main import build_parser
from fabula.read import ProjectionSet
from fabula.store import EventStore, open_store
from fabula.web.console import ConsoleApp, create_console, load_console_app
from fabula.web.console._last_page import last_page
from fabula.web.console._tail import tail
from tests.unit.read import domain

from .console_app import projections

with warnings.catch_warnings():  # Starlette asks for httpx2, which is not needed here
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "the console's test token"
ACT = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}", f"sqlite:///{tmp_path / 'read.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url, url


@pytest.fixture
def store(urls: tuple[str, str]) -> Iterator[EventStore]:
    with open_store(urls[0]) as store:
        yield store


@pytest.fixture
def consumers(store: EventStore, urls: tuple[str, str]) -> Iterator[ProjectionSet]:
    projections_ = projections(store, urls[1])
    try:
        yield projections_
    finally:
        projections_.close()


def console(
    store: EventStore, consumers: ProjectionSet | None = None, token: str | None = TOKEN
) -> TestClient:
    app = ConsoleApp(
        projections=consumers, models={"todo": domain.Todo}, registry=domain.registry()
    )
    return TestClient(create_console(store, app=app, token=token))


def seed(store: EventStore) -> dict[str, int]:
    flow = domain.make_flow(store)
    positions = {}
    for todo_id, title in [("a", "one"), ("b", "poison"), ("c", "three")]:
        positions[todo_id] = flow.dispatch(domain.Create(todo_id, title)).position or 0
    flow.dispatch(domain.Rename("a", "uno"))
    flow.dispatch(domain.Complete("a"))
    flow.dispatch(domain.Note("x1", "a note"))
    return positions


def test_streams_are_paged_by_id_and_searched_by_prefix_and_category(store: EventStore) -> None:
    seed(store)
    client = console(store)
    page = client.get("/api/streams", params={"limit": 2}).json()
    assert page == {
        "streams": [{"stream_id": "todo-a", "version": 3}, {"stream_id": "todo-b", "version": 1}],
        "next": "todo-b",
    }
    rest = client.get("/api/streams", params={"limit": 2, "after": "todo-b"}).json()
    assert [s["stream_id"] for s in rest["streams"]] == ["todo-c", "todo-x1"]
    assert rest["next"] is None
    found = client.get("/api/streams", params={"prefix": "todo-x"}).json()["streams"]
    assert [s["stream_id"] for s in found] == ["todo-x1"]
    assert client.get("/api/streams", params={"category": "todo"}).json()["next"] is None
    assert client.get("/api/streams", params={"category": "tod"}).json()["streams"] == []
    assert client.get("/api/streams/count", params={"category": "todo"}).json() == {"count": 4}
    assert client.get("/api/streams/count", params={"prefix": "todo-a"}).json() == {"count": 1}


def test_a_stream_shows_payloads_metadata_and_state_at_any_version(store: EventStore) -> None:
    seed(store)
    client = console(store)
    first = client.get("/api/stream", params={"id": "todo-a", "limit": 2}).json()
    assert (first["version"], first["next"], first["model"]) == (3, 2, True)
    assert [e["type"] for e in first["events"]] == ["todo_created", "todo_renamed"]
    assert first["events"][0]["data"] == {"title": "one"}
    assert isinstance(first["events"][0]["metadata"], dict)
    assert first["events"][0]["correlation_id"] is not None
    rest = client.get("/api/stream", params={"id": "todo-a", "after": 2}).json()
    assert [e["version"] for e in rest["events"]] == [3]
    assert rest["next"] is None

    at = {
        v: client.get("/api/state", params={"id": "todo-a", "version": v}).json() for v in (1, 2, 3)
    }
    assert at[1]["state"] == {"title": "one", "done": False}
    assert at[2]["state"] == {"title": "uno", "done": False}
    assert at[3] == {"stream_id": "todo-a", "version": 3, "state": {"title": "uno", "done": True}}
    unknown = client.get("/api/state", params={"id": "other-1", "version": 1})
    assert unknown.status_code == 404
    bad = client.get("/api/streams", params={"limit": 0})
    assert bad.status_code in (400, 422)
    assert client.get("/api/stream", params={"id": "todo-a", "after": -1}).status_code in (400, 422)


def test_the_log_pages_from_the_end_or_after_a_position(store: EventStore) -> None:
    seed(store)
    client = console(store)
    everything = store.read_all()
    last = client.get("/api/log", params={"limit": 50}).json()
    assert last["head"] == store.head()
    assert [e["position"] for e in last["events"]] == [r.position for r in everything]
    page = client.get("/api/log", params={"after": 0, "limit": 2}).json()
    assert [e["position"] for e in page["events"]] == [r.position for r in everything[:2]]
    assert page["next"] == everything[1].position


def test_the_last_page_of_a_sparse_or_dense_log_holds_the_last_events(store: EventStore) -> None:
    flow = domain.make_flow(store)
    for n in range(70):
        flow.dispatch(domain.Note(str(n % 7), f"note {n}"))
    everything = [r.position for r in store.read_all()]
    for limit in (1, 5, 50, 69, 70, 200):
        head, page = last_page(store, limit)
        assert head == everything[-1]
        assert [r.position for r in page] == everything[-limit:]


def test_the_tail_sends_the_log_after_a_position_then_new_events(store: EventStore) -> None:
    seed(store)
    head = store.head()
    messages = tail(store, after=head, keepalive=0.1)
    try:
        assert next(messages) == b"retry: 2000\n\n"
        assert next(messages) == b": keepalive\n\n"  # nothing new yet
        position = domain.make_flow(store).dispatch(domain.Create("live", "new")).position
        assert position is not None
        message = next(messages)
        while message == b": keepalive\n\n":
            message = next(messages)
        assert message.startswith(b"id: %d\ndata: {" % position)
        assert b'"stream_id":"todo-live"' in message
        assert b'"data":{"title":"new"}' in message
    finally:
        messages.close()


def test_consumers_show_status_lag_and_parked_events(
    store: EventStore, consumers: ProjectionSet
) -> None:
    positions = seed(store)
    consumers.run_until_caught_up()
    client = console(store, consumers)
    [status] = client.get("/api/consumers").json()["consumers"]
    assert (status["name"], status["parked"], status["lag_events"]) == ("todo_list", 1, 0)
    [letter] = client.get("/api/consumers/todo_list/parked").json()["parked"]
    assert (letter["position"], letter["stream_id"]) == (positions["b"], "todo-b")
    assert client.get("/api/consumers/nope/parked").status_code == 404
    assert console(store).get("/api/consumers").status_code == 404  # no --app


@pytest.mark.parametrize("action", ["retry", "discard"])
def test_actions_without_the_token_are_refused_and_change_nothing(
    store: EventStore, consumers: ProjectionSet, action: str
) -> None:
    positions = seed(store)
    consumers.run_until_caught_up()
    path = f"/api/consumers/todo_list/parked/{positions['b']}/{action}"
    refused = [
        console(store, consumers).post(path),
        console(store, consumers).post(path, headers={"Authorization": "Bearer wrong"}),
        console(store, consumers).post(path, headers={"Authorization": TOKEN}),
        console(store, consumers, token=None).post(path, headers=ACT),  # a read-only console
    ]
    assert [answer.status_code for answer in refused] == [403] * 4
    assert refused[0].json()["code"] == "forbidden"
    assert "--token" in refused[3].json()["message"]
    assert [p.position for p in consumers.parked()] == [positions["b"]]
    read_only = console(store, consumers, token=None)
    assert read_only.post("/api/consumers/todo_list/rebuild", headers=ACT).status_code == 403


def test_retry_with_the_token_applies_a_fixed_event(
    store: EventStore, consumers: ProjectionSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    positions = seed(store)
    consumers.run_until_caught_up()
    client = console(store, consumers)
    path = f"/api/consumers/todo_list/parked/{positions['b']}/retry"
    still = client.post(path, headers=ACT)
    assert still.status_code == 409
    assert "Poison" in still.json()["message"]
    monkeypatch.setattr(domain, "POISON_TITLES", set())  # the bug is fixed
    assert client.post(path, headers=ACT).json() == {"retried": positions["b"]}
    assert consumers.parked() == []
    assert client.post(path, headers=ACT).status_code == 404  # no longer parked


def test_discard_and_rebuild_with_the_token(store: EventStore, consumers: ProjectionSet) -> None:
    positions = seed(store)
    consumers.run_until_caught_up()
    client = console(store, consumers)
    path = f"/api/consumers/todo_list/parked/{positions['b']}/discard"
    assert client.post(path, headers=ACT).json() == {"discarded": positions["b"]}
    assert consumers.parked() == []
    assert client.post("/api/consumers/nope/rebuild", headers=ACT).status_code == 404
    started = client.post("/api/consumers/todo_list/rebuild", headers=ACT)
    assert started.status_code == 202
    rebuilds: dict[str, Any] = {}
    for _ in range(200):
        rebuilds = client.get("/api/consumers").json()["rebuilds"]
        if rebuilds["todo_list"]["state"] != "running":
            break
        time.sleep(0.05)
    assert rebuilds["todo_list"]["state"] == "done", rebuilds
    assert len(consumers.parked()) == 1  # the replay parked the poison again ("continue")


def test_the_page_and_its_assets_are_served_from_the_package(store: EventStore) -> None:
    client = console(store)
    page = client.get("/")
    assert page.status_code == 200
    assert 'src="assets/console.js"' in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # nothing from elsewhere
    for asset in ("console.js", "console.css"):
        assert client.get(f"/assets/{asset}").status_code == 200
    info = client.get("/api/info").json()
    assert info == {"head": 0, "actions": True, "consumers": False, "models": ["todo"]}


def test_load_console_app_takes_a_console_app_a_projection_set_or_a_factory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FABULA_CONSOLE_TEST_STORE", f"sqlite:///{tmp_path / 'e.db'}")
    monkeypatch.setenv("FABULA_CONSOLE_TEST_TARGET", f"sqlite:///{tmp_path / 'r.db'}")
    app = load_console_app("tests.unit.web.console_app:make")
    assert app.projections is not None
    assert sorted(app.models) == ["todo"]
    app.projections.close()
    for spec in ("nocolon", "tests.unit.web.console_app:missing", "no_such_module_x:y"):
        with pytest.raises(ConfigurationError):
            load_console_app(spec)
    with pytest.raises(ConfigurationError, match="not a ConsoleApp"):
        load_console_app("tests.unit.web.console_app:TOKEN_NOT_AN_APP")


def test_the_command_needs_a_url_and_says_what_a_wrong_app_is(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("FABULA_URL", raising=False)
    assert main(["console"]) == 2
    assert "give a store URL" in capsys.readouterr().err
    url = f"sqlite:///{tmp_path / 'e.db'}"
    assert main(["console", url, "--app", "tests.unit.web.console_app:TOKEN_NOT_AN_APP"]) == 1
    assert "not a ConsoleApp or ProjectionSet" in capsys.readouterr().err
    help_text = build_parser().format_help()
    assert "console" in help_text


def test_the_tail_refuses_a_last_event_id_it_did_not_send(store: EventStore) -> None:
    answer = console(store).get("/api/tail", headers={"Last-Event-ID": "not-a-position"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_last_event_id"


def test_a_short_token_is_refused(store: EventStore) -> None:
    for token in ("", "short"):
        with pytest.raises(ConfigurationError, match="16 characters"):
            create_console(store, token=token)
