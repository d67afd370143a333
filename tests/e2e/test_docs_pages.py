"""The docs pages in a real headless browser (Debian's chromium), with no internet at all.

``fabula serve orders`` and ``fabula serve todo`` run as real servers; chromium resolves
every host name but 127.0.0.1 to nothing, so a page that still loaded an asset from a
CDN would stay blank. Swagger UI must render the orders API grouped by tags, take a
bearer token in its "Authorize" dialog and run a request; GraphiQL must open with its
example query and run it, then run a subscription with the token from its headers pane
and show a change pushed by the server.

Needs ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them): skipped without
them locally, failing under ``CI=true``.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from ._server import TOKENS, running_server

T = TypeVar("T")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # No internet: any host but the local server resolves to nothing.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def find(name: str) -> str | None:
    return shutil.which(name) or next(
        (path for path in (f"/usr/bin/{name}", f"/usr/lib/chromium/{name}") if Path(path).exists()),
        None,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    chromium, driver = find("chromium"), find("chromedriver")
    if chromium is None or driver is None:
        message = "needs chromium and chromium-driver (apt-get install chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture
def orders(tmp_path: Path) -> Iterator[str]:
    with running_server("orders", f"sqlite:///{tmp_path / 'app.db'}", tmp_path) as (base, _):
        yield base


@pytest.fixture
def todo(tmp_path: Path) -> Iterator[str]:
    with running_server("todo", f"sqlite:///{tmp_path / 'app.db'}", tmp_path) as (base, _):
        yield base


def wait(browser: WebDriver, until: Callable[[WebDriver], T], what: str) -> T:
    try:
        return WebDriverWait(browser, 30).until(until)
    except TimeoutException:
        pytest.fail(f"the page never showed {what}:\n{browser.page_source[:3000]}")


def only_local_assets(browser: WebDriver, base: str) -> None:
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(entry => entry.name)"
    )
    assert loaded, "the page loaded no asset at all"
    assert all(url.startswith(base) for url in loaded), loaded


def test_swagger_ui_renders_and_runs_a_request(browser: WebDriver, orders: str) -> None:
    base = orders
    browser.get(f"{base}/docs")
    tags = wait(
        browser,
        lambda b: [tag.text for tag in b.find_elements(By.CSS_SELECTOR, ".opblock-tag")],
        "the tags",
    )
    assert [tag.split("\n")[0] for tag in tags] == ["orders", "queries", "live"]
    summaries = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary")]
    assert any("Place an order" in summary for summary in summaries), summaries
    only_local_assets(browser, base)

    # Authorize with a bearer token, as a user would.
    browser.find_element(By.CSS_SELECTOR, "button.authorize").click()
    field = wait(
        browser,
        lambda b: b.find_element(By.CSS_SELECTOR, ".auth-container input"),
        "the Authorize dialog",
    )
    field.send_keys(TOKENS.mint("c1"))
    browser.find_element(By.CSS_SELECTOR, ".auth-btn-wrapper button.authorize").click()
    browser.find_element(By.CSS_SELECTOR, ".auth-btn-wrapper button.btn-done").click()

    # Run GET /customers/{customer_id}/orders for c1.
    operation = browser.find_element(
        By.ID, "operations-queries-read_orders_customers__customer_id__orders_get"
    )
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    customer = wait(
        browser,
        lambda b: operation.find_element(By.CSS_SELECTOR, "input[placeholder='customer_id']"),
        "the customer_id field",
    )
    customer.send_keys("c1")
    operation.find_element(By.CSS_SELECTOR, "button.execute").click()
    status = wait(
        browser,
        lambda b: (
            operation.find_element(
                By.CSS_SELECTOR, ".live-responses-table tr.response .response-col_status"
            ).text
        ),
        "the response",
    )
    assert status.strip() == "200", operation.text
    body = operation.find_element(
        By.CSS_SELECTOR, ".live-responses-table tr.response .microlight"
    ).text
    assert json.loads(body) == {"data": [], "has_more": False, "next_cursor": None}


EDITOR = "return document.querySelector('{} .CodeMirror').CodeMirror.getValue()"
SET = "document.querySelector('{} .CodeMirror').CodeMirror.setValue(arguments[0])"


def test_graphiql_opens_with_an_example_and_runs_it(browser: WebDriver, todo: str) -> None:
    base = todo
    browser.get(f"{base}/graphql")
    query = wait(
        browser,
        lambda b: b.execute_script(
            "const e = document.querySelector('.graphiql-query-editor .CodeMirror');"
            "return e && e.CodeMirror.getValue()"
        ),
        "the query editor",
    )
    assert "apiVersion" in query
    assert "allTodos" in query
    only_local_assets(browser, base)

    browser.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    answer = wait(
        browser,
        lambda b: b.execute_script(EDITOR.format(".graphiql-response")),
        "the answer",
    )
    data = json.loads(answer)["data"]
    assert data["apiVersion"]
    assert data["allTodos"]["totalCount"] == 0

    # A subscription from GraphiQL: its headers pane carries the token to connection_init.
    token = TOKENS.mint("ann")
    headers = json.dumps({"Authorization": f"Bearer {token}"})
    browser.execute_script(
        SET.format(".graphiql-editor-tool .graphiql-editor:not(.hidden)"), headers
    )
    subscription = "subscription { todoChanges { id event { type metadata { initiatedBy } } } }"
    browser.execute_script(SET.format(".graphiql-query-editor"), subscription)
    time.sleep(1)  # GraphiQL parses an edited query after a debounce, then sees a subscription
    browser.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()

    def pushed(b: WebDriver) -> str | None:
        create = 'mutation { createTodo(description: "from GraphiQL") { id } }'
        httpx.post(
            f"{base}/graphql",
            json={"query": create},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )  # one todo per try, until GraphiQL has subscribed
        text: str = b.execute_script(EDITOR.format(".graphiql-response"))
        return text if "todo_created" in text else None

    shown = wait(browser, pushed, "the pushed change")
    assert shown is not None
    change = json.loads(shown)["data"]["todoChanges"]
    assert change["event"] == {"type": "todo_created", "metadata": {"initiatedBy": "ann"}}
