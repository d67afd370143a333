"""tools/unasync.py refuses a definition that its sync twin would repeat unchanged."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]

SOURCE = '''"""A fake pair."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Record:
    value: int


def helper(x: int) -> int:
    return x + 1


class AsyncThing:
    async def get(self) -> Record:
        return Record(helper(1))


async def fetch(thing: AsyncThing) -> Record:
    return await thing.get()
'''


def _unasync() -> ModuleType:
    spec = importlib.util.spec_from_file_location("unasync", ROOT / "tools" / "unasync.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("unasync", module)
    spec.loader.exec_module(module)
    return module


def test_a_definition_the_rules_leave_unchanged_is_shared() -> None:
    unasync = _unasync()
    assert unasync.shared_definitions(SOURCE) == [(6, "Record"), (11, "helper")]


def test_async_specific_definitions_are_not_shared() -> None:
    unasync = _unasync()
    text = "class AsyncThing:\n    pass\n\n\nasync def f() -> None:\n    pass\n"
    assert unasync.shared_definitions(text) == []


def test_the_check_refuses_a_fake_pair_that_defines_a_type_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unasync = _unasync()
    source = tmp_path / "_fake_async.py"
    source.write_text(SOURCE)
    assert (
        unasync.main([], sources=tmp_path, tests=(), every_rule=False) == 1
    )  # writes the twin, yet fails
    assert (tmp_path / "_fake.py").exists()
    assert (
        unasync.main(["--check"], sources=tmp_path, tests=(), every_rule=False) == 1
    )  # the twin is up to date
    err = capsys.readouterr().err
    assert "_fake_async.py:6: Record would be defined again" in err
    assert "_fake_async.py:11: helper would be defined again" in err
    assert "out of date" not in err


def test_the_check_passes_once_the_shared_definitions_move_out(tmp_path: Path) -> None:
    unasync = _unasync()
    (tmp_path / "_fake_base.py").write_text(SOURCE.split("class AsyncThing")[0])
    body = SOURCE.split("class AsyncThing")[1]
    header = '"""A fake pair."""\n\nfrom _fake_base import Record, helper\n\n\nclass AsyncThing'
    (tmp_path / "_fake_async.py").write_text(header + body)
    assert unasync.main([], sources=tmp_path, tests=(), every_rule=False) == 0
    assert unasync.main(["--check"], sources=tmp_path, tests=(), every_rule=False) == 0
