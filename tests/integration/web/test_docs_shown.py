"""What the apps show as documentation stands on its own and renders as Markdown."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI

from examples.balance.app import create_app as balance_app
from examples.bank.app import create_app as bank_app
from examples.orders.app import create_app as orders_app
from examples.todo_app.schema import schema

from .conftest import serve

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).parents[3]
NOT_IN_THE_REPOSITORY = "EXAMPLES.md"


@pytest.mark.parametrize("create_app", [bank_app, orders_app, balance_app])
async def test_openapi_descriptions_are_markdown_and_self_contained(
    url: str, create_app: Callable[[str], FastAPI]
) -> None:
    async with serve(create_app(url)) as client:
        answer = await client.get("/openapi.json")
    assert answer.status_code == 200
    assert "``" not in answer.text  # reST literals show their backticks in Swagger UI
    assert NOT_IN_THE_REPOSITORY not in answer.text


def test_the_graphql_schema_descriptions_too() -> None:
    sdl = schema.as_str()
    assert "``" not in sdl
    assert NOT_IN_THE_REPOSITORY not in sdl


def test_the_example_guide_names_no_file_outside_the_repository() -> None:
    guide = (ROOT / "docs" / "examples.md").read_text()
    assert NOT_IN_THE_REPOSITORY not in guide
    for linked in re.findall(r"\]\(([^)#:]+)\)", guide):
        assert (ROOT / "docs" / linked).exists(), linked


def test_the_guide_describes_the_poison_event_policy() -> None:
    guide = (ROOT / "docs" / "examples.md").read_text()
    assert 'on_park="continue"' in guide
    assert "fabula projections parked" in guide


async def test_every_rest_route_answers_json_errors(url: str) -> None:
    async with serve(bank_app(url)) as client:
        missing = await client.get("/nowhere")
        wrong = await client.delete("/account/a1")
    for answer in (missing, wrong):
        assert answer.headers["content-type"] == "application/json"
        assert set(answer.json()) == {"code", "message", "params"}
