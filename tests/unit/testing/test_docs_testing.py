"""docs/testing.md runs as written: its Python blocks execute in order, in one namespace."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

from fabula.store.memory import AsyncMemoryStore, MemoryStore

ROOT = Path(__file__).resolve().parents[3]
GUIDE = ROOT / "docs" / "testing.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.DOTALL)


def test_the_guide_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = python_blocks()
    assert len(blocks) >= 6
    module = types.ModuleType("docs_testing")  # dataclasses look their module up
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    for block in blocks:
        exec(compile(block, str(GUIDE), "exec"), namespace)
    # The fixture examples only define tests: run them on a store each.
    namespace["test_create"](MemoryStore())
    namespace["test_head"](AsyncMemoryStore())


def test_the_failure_shown_is_the_real_one() -> None:
    from examples.customer import AddCustomerName, Customer, NameAdded
    from fabula.testing import DeciderSpec

    shown = re.search(r"```text\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    assert shown is not None
    with pytest.raises(AssertionError) as failure:
        DeciderSpec(Customer).when(AddCustomerName("John Doe")).then(NameAdded("Jane Doe"))
    assert str(failure.value) == shown.group(1).rstrip("\n")
