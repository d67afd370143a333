"""``fabula check`` over personal data and deleted streams, on every backend."""

from __future__ import annotations

import asyncio

import pytest

import fabula
from fabula.evolution import CurrentCode, check_async_store, check_store

from .domain import Customer, Registered, Upgraded, registered
from .tamper import lose_keys


def _code() -> CurrentCode:
    return CurrentCode(fabula.EventRegistry([Registered, Upgraded]), ())


@pytest.fixture
def store(store_url: str):
    with fabula.open_store(store_url) as opened:
        yield opened


def test_check_opens_personal_fields_and_reads_forgotten_and_deleted_streams(store) -> None:
    repo = fabula.Repository(store, Customer)
    repo.append("customer-c1", [registered("c1")])
    repo.append("customer-c2", [registered("c2")])
    fabula.PersonalData(store).forget("c1")
    store.delete_stream("customer-c2")

    report = check_store(store, _code())

    assert report.problems == {}
    assert report.events == report.decoded == len(store.read_all())


def test_check_reports_a_lost_key_per_event_and_goes_on(store) -> None:
    repo = fabula.Repository(store, Customer)
    repo.append("customer-c1", [registered("c1")])
    lose_keys(store)
    repo.append("customer-c2", [Upgraded("c2", "pro")])

    report = check_store(store, _code())

    [problem] = report.problems.values()
    assert (problem.kind, problem.type, problem.count) == (
        "decode_failure",
        "personal_test.registered",
        1,
    )
    assert report.decoded == 1  # the other event still decodes


def test_check_asyncio_opens_personal_fields(store_url: str) -> None:
    async def scenario() -> tuple[int, int, int]:
        async with fabula.open_async_store(store_url) as store:
            repo = fabula.AsyncRepository(store, Customer)
            await repo.append("customer-c1", [registered("c1")])
            await fabula.AsyncPersonalData(store).forget("c1")
            report = await check_async_store(store, _code())
            return len(report.problems), report.events, report.decoded

    problems, events, decoded = asyncio.run(scenario())
    assert problems == 0
    assert events == decoded == 2
