"""``fabula personal export|forget`` and personal fields in ``fabula events``."""

from __future__ import annotations

import json

import pytest

import fabula
from fabula.cli import main

from .domain import Customer, Upgraded, registered
from .tamper import lose_keys


@pytest.fixture
def url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    with fabula.open_store(url) as store:
        repo = fabula.Repository(store, Customer)
        repo.append("customer-c1", [registered("c1"), Upgraded("c1", "pro")])
        repo.append("customer-c2", [registered("c2")])
    return url


def test_events_hide_personal_fields_unless_asked(url: str, capsys: pytest.CaptureFixture[str]):
    assert main(["events", url]) == 0
    out = capsys.readouterr().out
    assert "c1@example.com" not in out
    assert "fabula:sealed" not in out
    assert '"email":"[personal]"' in out
    assert main(["events", url, "--stream", "customer-c1", "--show-personal"]) == 0
    assert '"email":"c1@example.com"' in capsys.readouterr().out


def test_export_then_forget(url: str, capsys: pytest.CaptureFixture[str]):
    assert main(["personal", "export", url, "c1"]) == 0
    export = json.loads(capsys.readouterr().out)
    assert export["key"] == "active"
    assert [e["data"]["email"] for e in export["events"]] == ["c1@example.com"]

    assert main(["personal", "forget", url, "c1"]) == 0
    assert "key is destroyed" in capsys.readouterr().out
    assert main(["events", url, "--show-personal"]) == 0
    out = capsys.readouterr().out
    assert "c1@example.com" not in out
    assert '"email":"[redacted]"' in out
    assert '"email":"c2@example.com"' in out
    assert "fabula.subject_forgotten" in out


def test_a_lost_key_table_is_a_clear_error(url: str, capsys: pytest.CaptureFixture[str]):
    with fabula.open_store(url) as store:
        lose_keys(store)
    assert main(["events", url]) == 1
    err = capsys.readouterr().err
    assert "no key for subject 'c1'" in err
    assert "stream 'customer-c1', version 1" in err
