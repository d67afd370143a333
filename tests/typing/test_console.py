"""The console's public API is typed: mypy --strict and pyright strict check this file."""

from __future__ import annotations

from typing import assert_type

import pytest
from fastapi import FastAPI

from fabula.read import ProjectionSet
from fabula.store import open_store
from fabula.web.console import ConsoleApp, create_console


def test_create_console_takes_a_store_an_app_and_a_token() -> None:
    with open_store("memory://") as store:
        app = ConsoleApp(models={}, registry=None)
        assert_type(app.projections, ProjectionSet | None)
        web = create_console(store, app=app, token="a token of 16+ characters")
        assert_type(web, FastAPI)
        with pytest.raises(TypeError):
            create_console(store, token=1)  # type: ignore[arg-type]
