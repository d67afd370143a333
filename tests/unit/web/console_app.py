"""The app ``fabula console --app`` loads in the console tests: store and target from the env.

Todos (``tests/unit/read/domain``): the ``todo_list`` projection parks a todo titled
"poison" unless ``FABULA_CONSOLE_TEST_FIXED`` is set (the bug is fixed in that process).
"""

from __future__ import annotations

import os

from fabula.read import ErrorPolicy, ProjectionSet
from fabula.web.console import ConsoleApp
from tests.unit.read import domain


def projections(store: object, target: str) -> ProjectionSet:
    mark = "%s" if target.startswith("postgres") else "?"
    return ProjectionSet(
        store,  # type: ignore[arg-type]
        target,
        consumers=[domain.todo_sql(mark=mark)],
        registry=domain.registry(),
        policy=ErrorPolicy(retries=0, backoff=0.0, on_park="continue"),
    )


def make() -> ConsoleApp:
    if os.environ.get("FABULA_CONSOLE_TEST_FIXED"):
        domain.POISON_TITLES.clear()
    return ConsoleApp(
        projections=projections(
            os.environ["FABULA_CONSOLE_TEST_STORE"], os.environ["FABULA_CONSOLE_TEST_TARGET"]
        ),
        models={"todo": domain.Todo},
        registry=domain.registry(),
    )


TOKEN_NOT_AN_APP = "a string"
