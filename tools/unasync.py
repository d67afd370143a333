"""Generate fabula's sync modules from their asyncio sources.

Every ``src/fabula/**/_<name>_async.py`` is the source; ``_<name>.py`` beside it is written
from it by the rewrite rules below, then formatted with ruff. The test modules listed in
``TESTS`` (``test_<name>_async.py``) are generated the same way into ``test_<name>.py``.
``--check`` fails when a generated file is out of date, and every run fails when a rule
matched nothing (a stale rule hides mistakes).

Every run also refuses a shared definition: a top-level class or function of a source
whose text (decorators included) the rules leave unchanged. Its generated twin would be a
second, identical definition under the same name (after ``AsyncX`` -> ``X``), so
``isinstance`` and type checkers would see two types where there is one. Such a
definition belongs in a module that is not generated (``_<name>_base.py``, or a records
module), imported by both twins. Definitions the rules change (``async def``, ``AsyncX``,
anything that awaits or names an async type) are the twins' real differences and stay.

Usage: python tools/unasync.py [--check]
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "src" / "fabula"
TESTS = (
    ROOT / "tests" / "unit" / "read" / "test_faults_async.py",
    ROOT / "tests" / "integration" / "read" / "test_postgres_async.py",
    ROOT / "tests" / "integration" / "read" / "test_postgres_faults_async.py",
)
HEADER = "# Generated from {source} by tools/unasync.py: do not edit, edit the source.\n"

# (pattern, replacement); applied in order to every line of code.
RULES: list[tuple[str, str]] = [
    (r"\basync_wait\b", "wait"),
    (r"\basync def\b", "def"),
    (r"\basync with\b", "with"),
    (r"\basync for\b", "for"),
    (r"\bawait ", ""),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\b__aiter__\b", "__iter__"),
    (r"\b__anext__\b", "__next__"),
    (r"\bStopAsyncIteration\b", "StopIteration"),
    (r"\bAwaitable\[(\w+)\]", r"\1"),
    (r"\bAsync([A-Z]\w*)", r"\1"),
    (r"\b(_\w+)_async\b", r"\1"),
    (r"\b(test_\w+)_async\b", r"\1"),
    (r"\basyncio\.sleep\b", "time.sleep"),
    (r"(?m)^import asyncio\n", ""),
    (r"\basync_call\b", "call"),
    (r"\basyncio\.run\((\w+)\(\)\)", r"\1()"),
    (r"\bopen_async_(store|target)\b", r"open_\1"),
    (r"\b(check|copy)_async_store\b", r"\1_store"),
    (r"\basynccontextmanager\b", "contextmanager"),
]


def rewrite(text: str, used: set[int]) -> str:
    """Apply every rule to ``text``, recording which rules matched."""
    for index, (pattern, replacement) in enumerate(RULES):
        text, count = re.subn(pattern, replacement, text)
        if count:
            used.add(index)
    return text


def shared_definitions(text: str) -> list[tuple[int, str]]:
    """The top-level classes and functions of a source that the rules leave unchanged."""
    lines = text.splitlines(keepends=True)
    shared: list[tuple[int, str]] = []
    for node in ast.parse(text).body:
        if not isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        definition = "".join(lines[first - 1 : node.end_lineno])
        if rewrite(definition, set()) == definition:
            shared.append((first, node.name))
    return shared


def ruff_format(text: str, path: Path) -> str:
    """Sort imports, drop the ones renaming made unused, and format like the rest of the tree."""
    ruff = str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        ruff = shutil.which("ruff") or "ruff"
    fix = [ruff, "check", "--fix-only", "--select", "I,F401,RUF022", "--stdin-filename", str(path)]
    for command in (fix, [ruff, "format", "--stdin-filename", str(path)]):
        text = subprocess.run(
            [*command, "-"], input=text, capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout
    return text


def shown(path: Path) -> Path:
    """``path`` relative to the repository when it is inside it."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main(
    argv: list[str],
    sources: Path = SOURCES,
    tests: Sequence[Path] = TESTS,
    *,
    every_rule: bool = True,
) -> int:
    """Generate (or with --check, verify) every sync module; return the exit status.

    ``every_rule=False`` skips the unused-rule check (for a small tree, as in the tests).
    """
    check = "--check" in argv
    used: set[int] = set()
    stale: list[Path] = []
    shared: list[str] = []
    for source in [*sorted(sources.rglob("_*_async.py")), *tests]:
        target = source.with_name(source.name.removesuffix("_async.py") + ".py")
        text = source.read_text()
        shared += [f"{shown(source)}:{line}: {name}" for line, name in shared_definitions(text)]
        body = HEADER.format(source=source.name) + rewrite(text, used)
        body = ruff_format(body, target)
        if target.exists() and target.read_text() == body:
            continue
        stale.append(target)
        if not check:
            target.write_text(body)
    unused = [RULES[i][0] for i in range(len(RULES)) if i not in used and every_rule]
    for pattern in unused:
        print(f"unasync: rule {pattern!r} matched nothing; remove it", file=sys.stderr)
    for where in shared:
        print(
            f"unasync: {where} would be defined again, unchanged, in the sync twin;"
            " move it to a module that is not generated",
            file=sys.stderr,
        )
    for target in stale:
        verb = "is out of date" if check else "written"
        print(f"unasync: {shown(target)} {verb}", file=sys.stderr)
    return 1 if unused or shared or (check and stale) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
