"""Signature comparison shared by both twins of the surface checks."""

from __future__ import annotations

import inspect

from fabula.testing.conformance._expect import expect

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _expect_parameters(name: str, wanted: inspect.Signature, got: inspect.Signature) -> None:
    contract = list(wanted.parameters.values())[1:]  # without self
    offered = list(got.parameters.values())
    var_positional = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in offered)
    var_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in offered)
    positional = [p for p in offered if p.kind in _POSITIONAL]
    matched: set[str] = set()
    index = 0
    for param in contract:
        found: inspect.Parameter | None = None
        if param.kind in _POSITIONAL:
            if index < len(positional):
                found = positional[index]
            index += 1
            expect(
                found is not None or var_positional,
                f"{name}() must take {param.name!r} as positional parameter {index}",
            )
        else:
            found = got.parameters.get(param.name)
            ok = found is not None and found.kind in (
                inspect.Parameter.KEYWORD_ONLY,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
            )
            expect(ok or var_keyword, f"{name}() must take the keyword argument {param.name!r}")
            if not ok:
                found = None
        if found is None:
            continue
        matched.add(found.name)
        if param.default is not inspect.Parameter.empty:
            expect(
                found.default is not inspect.Parameter.empty,
                f"{name}(): parameter {found.name!r} needs a default, as in the contract",
            )
    for param in offered:
        required = param.default is inspect.Parameter.empty and param.kind not in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        )
        expect(
            param.name in matched or not required,
            f"{name}() requires the parameter {param.name!r}, which the contract does not have",
        )
