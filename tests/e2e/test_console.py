"""``fabula console`` as a real server, driven by a real headless browser, on SQLite and PostgreSQL.

The browser (Debian's chromium, as in ``test_docs_pages``) browses and searches streams,
opens one and reads an event's payload and the aggregate's state at an earlier version,
watches a new event appear in the live log, and retries a parked event: refused without
the console's token, applied with it. The page loads nothing but the server's own assets.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from fabula.store import open_store
from tests.unit.read import domain
from tests.unit.web.console_app import projections

from ._server import free_port, server_log, wait_until_up
from .test_docs_pages import browser, only_local_assets, wait

__all__ = ["browser"]  # the fixture, shared with the docs pages' tests

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "the console e2e token"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}", f"sqlite:///{tmp_path / 'read.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url, url


@contextmanager
def console_server(urls: tuple[str, str], tmp_path: Path) -> Iterator[str]:
    """Run ``fabula console`` with the test app and a token; yield its base URL."""
    port = free_port()
    log = (tmp_path / "console-server.log").open("w+")
    command = [sys.executable, "-m", "fabula", "console", urls[0], "--port", str(port)]
    command += ["--app", "tests.unit.web.console_app:make", "--token", TOKEN]
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
        "FABULA_CONSOLE_TEST_STORE": urls[0],
        "FABULA_CONSOLE_TEST_TARGET": urls[1],
        "FABULA_CONSOLE_TEST_FIXED": "1",  # the bug that parked the event is fixed there
    }
    process = subprocess.Popen(command, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base, log)
        yield base
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) in (0, -signal.SIGTERM), server_log(log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def texts(browser: WebDriver, selector: str) -> list[str]:
    """The shown text of each element ``selector`` finds, read at one instant (never stale)."""
    found: list[str] = browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText)", selector
    )
    return found


def test_browse_tail_and_retry_in_the_console(
    browser: WebDriver, urls: tuple[str, str], tmp_path: Path
) -> None:
    with open_store(urls[0]) as store:
        flow = domain.make_flow(store)
        flow.dispatch(domain.Create("a", "one"))
        flow.dispatch(domain.Rename("a", "uno"))
        poison = flow.dispatch(domain.Create("b", "poison")).position
        flow.dispatch(domain.Note("n1", "a note"))
        parking = projections(store, urls[1])
        parking.run_until_caught_up()  # parks todo-b (on_park="continue")
        parking.close()

        with console_server(urls, tmp_path) as base:
            # Browse and search the streams.
            browser.get(f"{base}/")
            wait(browser, lambda b: len(texts(b, "tr.stream")) == 3, "three streams")
            assert texts(browser, "a.stream-link") == ["todo-a", "todo-b", "todo-n1"]
            wait(browser, lambda b: texts(b, "#stream-count") == ["3 streams"], "the count")
            search = browser.find_element(By.ID, "search")
            search.send_keys("todo-n")
            browser.find_element(By.ID, "search-go").click()
            wait(browser, lambda b: texts(b, "a.stream-link") == ["todo-n1"], "the search")
            wait(browser, lambda b: texts(b, "#stream-count") == ["1 streams"], "its count")
            only_local_assets(browser, base)

            # Open a stream: its events' payloads, and the state at version 1.
            browser.get(f"{base}/#/streams")
            wait(browser, lambda b: "todo-a" in texts(b, "a.stream-link"), "todo-a")
            browser.find_element(By.LINK_TEXT, "todo-a").click()
            wait(browser, lambda b: len(texts(b, ".event")) == 2, "todo-a's two events")
            payloads = texts(browser, ".event pre.payload")
            assert '"title": "one"' in payloads[0]
            assert '"title": "uno"' in payloads[1]
            assert texts(browser, ".event-type") == ["todo_created", "todo_renamed"]
            version = browser.find_element(By.ID, "state-version")
            version.clear()
            version.send_keys("1")
            browser.find_element(By.ID, "state-load").click()
            wait(browser, lambda b: '"title": "one"' in "".join(texts(b, "#state")), "state")

            # The live log: a new event appears without a reload.
            browser.find_element(By.ID, "nav-log").click()
            wait(browser, lambda b: texts(b, "#tail-status") == ["live"], "the live tail")
            flow.dispatch(domain.Create("live", "fresh"))
            wait(
                browser,
                lambda b: any("todo-live" in t for t in texts(b, "tr.log-event")),
                "the new event",
            )
            assert "fresh" in texts(browser, "tr.log-event")[0]
            browser.find_element(By.ID, "log-after").send_keys("0\n")  # the log from its start
            wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#log tbody tr"), "a page")
            wait(browser, lambda b: "todo-a" in texts(b, "tr.log-event")[0], "the first event")
            assert texts(browser, "#tail-status") == []  # a page, not the tail

            # Retry the parked event: refused without the token, applied with it.
            browser.find_element(By.ID, "nav-consumers").click()
            row = f'tr.parked[data-position="{poison}"]'
            wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, row), "the parked event")
            assert texts(browser, "tr.consumer td.parked-count") == ["1"]
            confirm_retry(browser, row)
            wait(browser, lambda b: "403" in "".join(texts(b, "#message")), "a refusal")
            assert browser.find_elements(By.CSS_SELECTOR, row)
            browser.find_element(By.ID, "token").send_keys(TOKEN)
            confirm_retry(browser, row)
            wait(browser, lambda b: "done" in "".join(texts(b, "#message")), "success")
            wait(browser, lambda b: not b.find_elements(By.CSS_SELECTOR, row), "no parked row")
            assert texts(browser, "tr.consumer td.parked-count") == ["0"]
            browser.get("about:blank")  # close the live log before the server stops


def confirm_retry(browser: WebDriver, row: str) -> None:
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, f"{row} button.retry"), "Retry")
    browser.find_element(By.CSS_SELECTOR, f"{row} button.retry").click()
    wait(browser, lambda b: b.find_element(By.ID, "confirm-yes").is_displayed(), "the dialog")
    assert "Retry todo_list" in browser.find_element(By.ID, "confirm-text").text
    browser.find_element(By.ID, "confirm-yes").click()
