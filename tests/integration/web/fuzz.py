"""Contract-level fuzzing of an app's OpenAPI document with schemathesis: no answer is a 5xx.

Every operation gets valid requests (positive mode) and requests that break the schema
(negative mode); the checks assert that no answer is a server error and that each answer
matches what the document says (status, content type, body schema).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CheckFunction
from schemathesis.core.result import Err
from schemathesis.python.asgi import shutdown_lifespans

CHECKS: list[CheckFunction] = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


def fuzz(
    app: FastAPI,
    *,
    examples: int,
    skip: Iterable[str] = (),
    headers: Mapping[str, str] | None = None,
) -> int:
    """Send up to ``examples`` requests per operation and mode; return how many were sent.

    ``headers`` go with every request (a bearer token, say).

    The app's lifespan runs (in schemathesis's event loop) for the whole run and is shut
    down at the end. Operations whose path is in ``skip`` are left out (an endless
    event stream, say).
    """
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    skipped = set(skip)
    sent = 0

    def send(case: Any) -> None:
        nonlocal sent
        case.call_and_validate(checks=CHECKS, headers=dict(headers or {}))
        sent += 1

    try:
        for result in schema.get_all_operations():
            if isinstance(result, Err):
                raise result.err()
            operation = result.ok()
            if operation.path in skipped:
                continue
            for mode in MODES:
                run = given(case=operation.as_strategy(generation_mode=mode))(send)
                settings(
                    max_examples=examples,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )(run)()
    finally:
        shutdown_lifespans()
    return sent
