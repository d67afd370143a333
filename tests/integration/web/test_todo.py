"""The todo app (seed 000, section A) over GraphQL on HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from examples.todo_app.app import create_app
from fabula.web import AuthSettings, BearerAuth

from .conftest import AUTH, as_user, new_id, serve

pytestmark = pytest.mark.anyio

TODO = "id description reminder completed version"


class GraphQL:
    """Posts GraphQL operations as a user."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(self, query: str, user: str | None = "ann", **variables: Any) -> Any:
        headers = as_user(user) if user else {}
        answer = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def data(self, query: str, **variables: Any) -> Any:
        body = await self(query, **variables)
        assert "errors" not in body, body
        return body["data"]

    async def error(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self(query, **variables)
        assert body["data"] is None, body
        [error] = body["errors"]
        return {"message": error["message"], **error.get("extensions", {})}


@pytest.fixture(scope="module")
async def client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(url, auth=AUTH)) as client:
        yield client


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQL:
    return GraphQL(client)


@pytest.fixture
def tid() -> str:
    """A todo id no other test uses."""
    return new_id("t")


CREATE = """mutation($id: ID, $d: String!, $r: DateTime) {
  createTodo(id: $id, description: $d, reminder: $r) { id version position } }"""


def on(mutation: str) -> str:
    """A mutation of the todo ``$id``, answering its version and position."""
    return f"mutation($id: ID!) {{ r: {mutation} {{ version position todo {{ version }} }} }}"


async def test_create_then_read_it_with_its_history(gql: GraphQL, tid: str) -> None:
    created = await gql.data(CREATE, id=tid, d="Buy milk", r="2100-01-01T00:00:00Z")
    assert created["createTodo"]["id"] == tid
    assert created["createTodo"]["version"] == 2
    await gql.data(on("markCompleted(id: $id, expectedVersion: 2)"), id=tid)

    events = "events { sequence type data metadata { initiatedBy } }"
    found = await gql.data(f"query($id: ID!) {{ todo(id: $id) {{ {TODO} {events} }} }}", id=tid)
    todo = found["todo"]
    assert {k: todo[k] for k in ("id", "description", "reminder", "completed", "version")} == {
        "id": tid,
        "description": "Buy milk",
        "reminder": "2100-01-01T00:00:00+00:00",
        "completed": True,
        "version": 3,
    }
    assert todo["events"] == [
        {"sequence": 3, "type": "todo_completed", "data": {}, "metadata": {"initiatedBy": "ann"}},
        {
            "sequence": 2,
            "type": "todo_reminder_updated",
            "data": {"new_reminder": {"time": "2100-01-01T00:00:00Z"}},
            "metadata": {"initiatedBy": "ann"},
        },
        {
            "sequence": 1,
            "type": "todo_created",
            "data": {"initial_description": {"text": "Buy milk"}},
            "metadata": {"initiatedBy": "ann"},
        },
    ]


async def test_history_pages_newest_first(gql: GraphQL, tid: str) -> None:
    await gql.data(CREATE, id=tid, d="a")
    for _ in range(4):
        await gql.data(on("toggleCompletion(id: $id)"), id=tid)
    query = """query($id: ID!, $b: Int, $n: Int!) {
      todo(id: $id) { events(before: $b, maxCount: $n) { sequence } } }"""
    for before, count, sequences in ((None, 2, [5, 4]), (4, 2, [3, 2]), (2, 5, [1]), (1, 5, [])):
        page = await gql.data(query, id=tid, b=before, n=count)
        assert [e["sequence"] for e in page["todo"]["events"]] == sequences


async def test_every_command_has_its_mutation(gql: GraphQL, tid: str) -> None:
    await gql.data(CREATE, id=tid, d="a")
    steps = [
        ('updateDescription(id: $id, description: "b", expectedVersion: 1)', 2),
        ('setReminder(id: $id, time: "2100-01-01T00:00:00Z", expectedVersion: 2)', 3),
        ("cancelReminder(id: $id, expectedVersion: 3)", 4),
        ("toggleCompletion(id: $id, expectedVersion: 4)", 5),
        ("resetCompleted(id: $id, expectedVersion: 5)", 6),
        ("markCompleted(id: $id, expectedVersion: 6)", 7),
        ("markCompleted(id: $id, expectedVersion: 7)", 7),  # a no-op: nothing to write
    ]
    positions = []
    for mutation, version in steps:
        done = await gql.data(on(mutation), id=tid)
        assert (done["r"]["version"], done["r"]["todo"]["version"]) == (version, version)
        positions.append(done["r"]["position"])
    assert positions[-1] is None  # the no-op wrote nothing
    assert all(positions[:-1])
    todo = (await gql.data(f"query($id: ID!) {{ todo(id: $id) {{ {TODO} }} }}", id=tid))["todo"]
    assert (todo["description"], todo["reminder"], todo["completed"]) == ("b", None, True)


async def test_a_stale_expected_version_is_refused_and_writes_nothing(
    gql: GraphQL, tid: str
) -> None:
    await gql.data(CREATE, id=tid, d="a")
    error = await gql.error(on("markCompleted(id: $id, expectedVersion: 0)"), id=tid)
    assert error == {
        "message": f"stream 'todo-{tid}': expected version 0, but it is at version 1",
        "code": "concurrency_conflict",
        "params": {"stream_id": f"todo-{tid}", "expected_version": 0, "actual_version": 1},
    }
    found = await gql.data("query($id: ID!) { todo(id: $id) { version completed } }", id=tid)
    assert found["todo"] == {"version": 1, "completed": False}


@pytest.mark.parametrize(
    ("mutation", "code", "message"),
    [
        (
            'updateDescription(id: $id, description: "")',
            "invalid_description",
            "description cannot be empty",
        ),
        (
            'setReminder(id: $id, time: "2000-01-01T00:00:00Z")',
            "invalid_reminder_time",
            "reminder time cannot be in the past",
        ),
        (
            'createTodo(id: $id, description: "again")',
            "already_created",
            "attempt to create when already created",
        ),
    ],
)
async def test_domain_errors_come_back_with_their_code(
    gql: GraphQL, tid: str, mutation: str, code: str, message: str
) -> None:
    await gql.data(CREATE, id=tid, d="a")
    error = await gql.error(on(mutation), id=tid)
    assert (error["code"], error["message"]) == (code, message)
    found = await gql.data("query($id: ID!) { todo(id: $id) { version } }", id=tid)
    assert found["todo"]["version"] == 1


async def test_commands_on_a_todo_never_created_are_refused(gql: GraphQL, tid: str) -> None:
    error = await gql.error(on("toggleCompletion(id: $id)"), id=tid)
    assert error == {
        "message": "attempt to execute command before creation",
        "code": "not_initialized",
        "params": {},
    }
    error = await gql.error(on("markCompleted(id: $id)"), id="no way")
    assert error["code"] == "invalid_todo_id"


async def test_who_initiated_comes_from_the_token(gql: GraphQL, tid: str) -> None:
    await gql(CREATE, user="ann", id=tid, d="a")
    await gql(on("markCompleted(id: $id)"), user="bob", id=tid)
    query = "query($id: ID!) { todo(id: $id) { events { metadata { initiatedBy } } } }"
    found = await gql.data(query, id=tid)
    assert [e["metadata"]["initiatedBy"] for e in found["todo"]["events"]] == ["bob", "ann"]


async def test_mutations_need_a_token_and_queries_do_not(gql: GraphQL, tid: str) -> None:
    refused = await gql(CREATE, user=None, id=tid, d="a")
    assert refused["data"] is None
    [error] = refused["errors"]
    assert error["extensions"]["code"] == "not_authenticated"
    found = await gql("query($id: ID!) { todo(id: $id) { id } }", user=None, id=tid)
    assert found == {"data": {"todo": None}}


async def test_an_invalid_token_is_a_401(client: httpx.AsyncClient) -> None:
    forged = BearerAuth(AuthSettings(secret="another secret, with 32 bytes or more")).mint("ann")
    for header in (f"Bearer {forged}", "Bearer", "Token abc"):
        answer = await client.post(
            "/graphql", json={"query": "{ apiVersion }"}, headers={"Authorization": header}
        )
        assert (answer.status_code, answer.json()["code"]) == (401, "invalid_token")
        assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    # X-User no longer says who you are
    spoofed = await client.post(
        "/graphql",
        json={"query": 'mutation { createTodo(description: "x") { id } }'},
        headers={"X-User": "ann"},
    )
    assert spoofed.json()["errors"][0]["extensions"]["code"] == "not_authenticated"


async def test_a_missing_todo_is_null(gql: GraphQL, tid: str) -> None:
    assert await gql.data("query($id: ID!) { todo(id: $id) { id } }", id=tid) == {"todo": None}


async def test_all_todos_in_pages(fresh_url: str) -> None:
    async with serve(create_app(fresh_url, auth=AUTH)) as client:
        gql = GraphQL(client)
        ids = [f"t{i}" for i in range(5)]
        created = [await gql.data(CREATE, id=todo_id, d=f"todo {todo_id}") for todo_id in ids]
        position = created[-1]["createTodo"]["position"]
        query = """query($first: Int!, $after: String, $p: String) {
          allTodos(first: $first, after: $after, afterPosition: $p) {
            totalCount edges { cursor node { id description version } }
            pageInfo { hasNextPage endCursor } } }"""
        seen: list[str] = []
        after = None
        for more in (True, True, False):
            page = (await gql.data(query, first=2, after=after, p=position))["allTodos"]
            assert page["totalCount"] == 5
            seen += [edge["node"]["id"] for edge in page["edges"]]
            assert page["pageInfo"]["hasNextPage"] is more
            after = page["pageInfo"]["endCursor"]
            assert page["edges"][-1]["cursor"] == after  # on the last page too
        assert seen == ids
        beyond = (await gql.data(query, first=2, after=after, p=position))["allTodos"]
        assert (beyond["edges"], beyond["pageInfo"]) == (
            [],
            {"hasNextPage": False, "endCursor": None},
        )


async def test_all_todos_refuses_a_foreign_cursor_or_token(gql: GraphQL) -> None:
    error = await gql.error('{ allTodos(after: "bogus") { totalCount } }')
    assert error["code"] == "invalid_cursor"
    error = await gql.error('{ allTodos(afterPosition: "1.bogus") { totalCount } }')
    assert error["code"] == "invalid_position_token"


async def test_graphiql_and_the_api_version(client: httpx.AsyncClient, gql: GraphQL) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert (await client.get("/")).status_code == 307
    assert (await gql.data("{ apiVersion }"))["apiVersion"]


@pytest.mark.parametrize("body", [b"{not json", b'{"variables": {}}', b"[1]", b'{"query": 5}'])
async def test_a_body_that_is_not_a_graphql_request_is_a_400_json(
    client: httpx.AsyncClient, body: bytes
) -> None:
    broken = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["code"] == "not_a_graphql_request"


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"query": "{ apiVersion }", "variables": {"x": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}}",
    ],
)
async def test_deeply_nested_json_is_a_400(client: httpx.AsyncClient, body: bytes) -> None:
    deep = await client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert deep.status_code == 400
    assert deep.json()["code"] == "not_a_graphql_request"


async def test_a_deeply_nested_query_is_an_error_not_a_500(client: httpx.AsyncClient) -> None:
    query = "{ todo(id: " + "[" * 20_000 + "1" + "]" * 20_000 + ") { id } }"
    deep = await client.post("/graphql", json={"query": query})
    assert deep.status_code in (200, 400)
    assert deep.json()["errors"] or deep.json()["code"]


async def test_text_a_read_model_cannot_hold_is_refused(gql: GraphQL, tid: str) -> None:
    error = await gql.error(CREATE, id=tid, d="milk\u0000")
    assert (error["code"], error["params"]) == (
        "unstorable_text",
        {"field": "description", "index": 4},
    )
    assert await gql.data("query($id: ID!) { todo(id: $id) { id } }", id=tid) == {"todo": None}


async def test_invalid_arguments_are_graphql_errors(client: httpx.AsyncClient) -> None:
    typed = await client.post("/graphql", json={"query": "{ todo(id: 5, x: 1) { id } }"})
    assert typed.status_code == 200
    assert typed.json()["errors"]
