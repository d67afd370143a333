"""How fast the web console's pages answer on a log of millions of events.

    python -m benchmarks.console_pages sqlite:////tmp/console-1m.db --events 1000000
    python -m benchmarks.console_pages 'postgresql://postgres@127.0.0.1:5432/test?schema=console_1m'

Seeds the store (once: it skips seeding when the log already holds ``--events``) with
streams of ten events in categories ``order``, ``user`` and ``cart``, then times each
request the console's pages make (in process, FastAPI's TestClient: no network), as the
median and worst of ``--runs`` calls. A page load is the requests its view makes.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from uuid import uuid4

from fabula.store import EventStore, NewEvent, StreamAppend, open_store
from fabula.web.console import create_console

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CATEGORIES = ("order", "user", "cart")
PER_STREAM = 10


def seed(url: str, events: int, batch_streams: int = 500) -> float:
    """Fill the store up to ``events`` events; return the seconds it took."""
    started = time.perf_counter()
    with open_store(url) as store:
        have = len(store.read_all(limit=1)) and store.count_streams("") * PER_STREAM
        streams = events // PER_STREAM
        for first in range(have // PER_STREAM, streams, batch_streams):
            appends = [
                StreamAppend(
                    f"{CATEGORIES[n % 3]}-{n:08d}",
                    [
                        NewEvent(
                            event_id=uuid4(),
                            type=f"{CATEGORIES[n % 3]}_changed",
                            data=f'{{"n": {n}, "step": {step}, "note": "some payload text"}}',
                        )
                        for step in range(PER_STREAM)
                    ],
                )
                for n in range(first, min(first + batch_streams, streams))
            ]
            store.append_many(appends)
    return time.perf_counter() - started


def timed(client: TestClient, path: str, runs: int) -> tuple[float, float]:
    """Median and worst milliseconds of ``runs`` GETs of ``path``."""
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(path)
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 200, (path, answer.text)
    return statistics.median(seconds) * 1000, max(seconds) * 1000


def browser_loads(store: EventStore, runs: int) -> None:
    """Time whole page loads in headless chromium against a real server (uvicorn)."""
    import shutil
    import socket
    import threading

    import uvicorn
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_console(store), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu"):
        options.add_argument(flag)
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    browser = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    base = f"http://127.0.0.1:{port}/"
    views = {
        "streams (first 50)": "#/streams",
        "a stream (its 10 events)": "#/stream?id=order-00099999",
        "live log (last 50, then live)": "#/log",
    }
    try:
        print("\n| view in chromium | median ms | worst ms |\n|---|---|---|")
        for name, hash_ in views.items():
            shown = []
            for _ in range(runs):
                browser.get("about:blank")
                browser.get(base + hash_)
                WebDriverWait(browser, 30, poll_frequency=0.01).until(
                    lambda b: b.execute_script("return document.body.dataset.shownAt")
                )
                # ms from the start of the navigation to the view's data on screen
                shown.append(int(browser.execute_script("return document.body.dataset.shownAt")))
                assert not browser.find_element(By.ID, "message").text
            print(f"| {name} | {statistics.median(shown):.0f} | {max(shown):.0f} |")
    finally:
        browser.quit()
        server.should_exit = True
        thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--browser", action="store_true", help="also time page loads in chromium")
    args = parser.parse_args()
    print(f"seeding {args.url} to {args.events} events: {seed(args.url, args.events):.0f}s")
    with open_store(args.url, read_only=True) as store:
        print(f"head {store.head()}, streams {store.count_streams('')}")
        middle = store.read_all(after=store.head() // 2, limit=1)[0].position
        client = TestClient(create_console(store))
        pages = {
            "/api/info": "every view",
            "/api/streams?limit=50": "streams (first page)",
            "/api/streams?limit=50&after=order-00050000": "streams (a later page)",
            "/api/streams?category=cart&limit=50": "streams in a category",
            "/api/streams?prefix=user-0009&limit=50": "streams by prefix",
            "/api/streams/count?category=cart": "count of a category",
            "/api/streams/count?prefix=user-0009": "count of a prefix",
            "/api/streams/count": "count of all streams",
            "/api/stream?id=order-00099999&limit=50": "one stream's events",
            "/api/log?limit=50": "live log (last page)",
            f"/api/log?after={middle}&limit=50": "log page mid-way",
        }
        print("| request | page | median ms | worst ms |\n|---|---|---|---|")
        for path, page in pages.items():
            median, worst = timed(client, path, args.runs)
            print(f"| `{path}` | {page} | {median:.1f} | {worst:.1f} |")
        if args.browser:
            browser_loads(store, max(3, args.runs // 4))


if __name__ == "__main__":
    main()
