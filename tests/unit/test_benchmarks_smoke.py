"""The benchmark harness works end to end at a tiny scale (SQLite file, a few seconds)."""

import importlib.util
from pathlib import Path

import pytest

from benchmarks import report
from benchmarks.__main__ import load_system, main
from benchmarks.checks import ContendedOutcome, check_contended, check_log
from benchmarks.harness import Ctx, run_suite
from benchmarks.storage import Storage
from benchmarks.summary import summarize
from benchmarks.workloads import WORKLOADS, by_name

SCALE = 0.001
WORKLOADS_UNDER_TEST = "w1_create,w2_update_h100_snap,w3,w4_projection,w5_contended_update"
HAS_PEER = importlib.util.find_spec("eventsourcing") is not None


def _ctx(**sizes: int) -> Ctx:
    workload = by_name("w5_contended_update")[0]
    return Ctx(workload, "sqlite", Storage("sqlite", "sqlite:///x"), {**workload.params, **sizes})


def test_scaling_shrinks_counts_only():
    sizes = by_name("w2_update_h1000")[0].sized(0.01)
    assert sizes == {"k": 2, "history": 1000, "snapshots": 0, "interval": 100}
    assert by_name("w1_create_batched")[0].sized(0.0001)["n"] == 100


def test_prefixes_select_workloads():
    assert [w.name for w in by_name("w2_update_h10")] == ["w2_update_h10"]
    assert len(by_name("w2")) == 6
    assert len(by_name("all")) == len(WORKLOADS)
    with pytest.raises(SystemExit, match="unknown workload"):
        by_name("w9")


def test_checks_catch_lost_phantom_and_duplicate_writes():
    ctx = _ctx(threads=1, per_thread=2)
    outcome = ContendedOutcome(succeeded=["0-0", "0-2"], failed=["0-1"])
    check_contended(ctx, outcome, versions=[1, 2, 3], tokens=["0-0", "0-1"], positions=[1, 2, 3])
    assert ctx.info["lost"] == 1
    assert ctx.info["phantom"] == 1
    assert len(ctx.problems) == 2

    ctx = _ctx()
    check_log(ctx, [1, 2, 2, 5], rows=4)
    assert ctx.info["holes"] == 2
    assert ctx.problems == ["duplicate_positions=1, expected 0"]


def test_runs_every_system_on_sqlite_without_problems(tmp_path):
    names = ["raw", "fabula", "fabula_async"] + (["eventsourcing"] if HAS_PEER else [])
    results = run_suite(
        backends=["sqlite"],
        workloads=by_name(WORKLOADS_UNDER_TEST),
        systems=[load_system(name) for name in names],
        repeat=1,
        scale=SCALE,
    )
    assert results
    for result in results:
        assert not result.error, (result.workload, result.system, result.error)
        assert not result.problems, (result.workload, result.system, result.problems)
        assert result.rate > 0
    summaries = summarize(results)
    text = report.render(summaries, machine={}, settings={"repeat": 1, "scale": SCALE})
    assert "| `w3_catchup` | events |" in text
    assert "SQLite W1: fabula >= 0.8 x raw sqlite3" in text


def test_rerun_keeps_the_hand_written_parts_of_the_page(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# Intro\n\n{report.START}\nold numbers\n{report.END}\n\n## Findings\n")
    report.write_doc(page, "new numbers\n")
    text = page.read_text()
    assert "old numbers" not in text
    assert text.startswith("# Intro")
    assert "new numbers" in text
    assert text.endswith("## Findings\n")


def test_command_line_writes_markdown_and_json_lines(tmp_path):
    out, jsonl = tmp_path / "page.md", tmp_path / "runs.jsonl"
    status = main(
        [
            "--backend=sqlite",
            "--workload=w1_create",
            "--system=raw",
            "--repeat=1",
            f"--scale={SCALE}",
            "--rss-events=0",
            f"--out={out}",
            f"--jsonl={jsonl}",
        ]
    )
    assert status == 0
    assert "| `w1_create` | commands |" in out.read_text()
    kinds = [line.split('"kind": "')[1].split('"')[0] for line in jsonl.read_text().splitlines()]
    assert kinds[:2] == ["machine", "run"]
    assert "summary" in kinds


def test_flat_costs_preload_by_import_and_write_their_table(tmp_path, capsys):
    from benchmarks import flat

    page = tmp_path / "page.md"
    page.write_text("# Intro\n<!-- flat:start -->\nold\n<!-- flat:end -->\n## After\n")
    status = flat.main(["--backend=sqlite", "--sizes=300,1000", "--repeat=1", f"--out={page}"])
    assert status == 0
    text = page.read_text()
    assert "old" not in text
    assert "| sqlite | 1,000 |" in text
    assert text.startswith("# Intro")
    assert text.endswith("## After\n")
    assert "w3_catchup_tail" in capsys.readouterr().out
