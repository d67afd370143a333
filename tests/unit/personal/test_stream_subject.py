"""``Personal(subject=STREAM)``: the stream id is the subject, on every backend (sync)."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
import pytest

import fabula
from fabula.codec import EventRegistry, Keyring, encode_new
from fabula.read import ProjectionRunner, ProjectionSet
from fabula.read.memory import MemoryTarget

from .members import Join, Joined, Member, PlanChosen, SignedUp, joined, members, split_registry


@pytest.fixture
def store(store_url: str):
    with fabula.open_store(store_url) as opened:
        yield opened


def _sealed_subjects(store: fabula.EventStore, stream_id: str) -> list[str]:
    [record] = store.read_stream(stream_id)
    payload = msgspec.json.decode(record.data)
    return [payload["email"]["subject"], payload["nickname"]["subject"]]


def test_the_stream_is_the_subject_sealed_loaded_forgotten_exported(store):
    repo = fabula.Repository(store, Member)
    repo.append("member-m1", [joined("m1")])
    repo.append("member-m2", [joined("m2")])
    [record] = store.read_stream("member-m1")
    assert "m1@example.com" not in record.data
    assert '"plan":"free"' in record.data
    assert _sealed_subjects(store, "member-m1") == ["member-m1", "member-m1"]
    assert repo.load("member-m1").state.email == "m1@example.com"

    personal = fabula.PersonalData(store)
    export = personal.export("member-m1")
    assert export.key == "active"
    assert [e.stream_id for e in export.events] == ["member-m1"]
    assert export.as_json()["events"][0]["data"]["email"] == "m1@example.com"

    assert personal.forget("member-m1") is True
    state = repo.load("member-m1").state
    assert (state.email, state.nickname, state.plan) == (fabula.REDACTED, None, "free")
    assert repo.load("member-m2").state.email == "m2@example.com"
    assert personal.export("member-m1").key == "forgotten"
    with pytest.raises(fabula.ForgottenSubject):
        repo.append("member-m1", [joined("m1")])


def test_projections_and_rebuilds_after_forgetting_a_stream(store):
    repo = fabula.Repository(store, Member)
    repo.append("member-m1", [joined("m1")])
    repo.append("member-m2", [joined("m2")])
    target = MemoryTarget()
    ProjectionRunner(store, members(), target=target).run_until_caught_up()
    assert target.model("members")["member-m1"]["email"] == "m1@example.com"

    fabula.PersonalData(store).forget("member-m1")
    ProjectionRunner(store, members(), target=target).run_until_caught_up()
    model = target.model("members")
    assert model["member-m1"] == {"email": fabula.REDACTED, "plan": "free"}
    ProjectionSet(store, target, consumers=[members()]).rebuild("members")
    assert target.model("members") == model
    assert "m1@example.com" not in repr(target.model("members"))


def test_a_flow_and_append_many_seal_each_stream_with_its_own_key(store):
    flow = fabula.Flow(store)
    member = flow.register(Member, key=lambda command: command.member_id)
    flow.dispatch(Join("f1", "f1@example.com"))
    assert _sealed_subjects(store, "member-f1") == ["member-f1", "member-f1"]
    assert member.load("member-f1").state.email == "f1@example.com"

    repo = fabula.Repository(store, Member)
    repo.append_many({"member-a": [joined("a")], "member-b": [joined("b")]})
    assert _sealed_subjects(store, "member-a") == ["member-a", "member-a"]
    assert _sealed_subjects(store, "member-b") == ["member-b", "member-b"]
    fabula.PersonalData(store).forget("member-a")
    assert repo.load("member-a").state.email == fabula.REDACTED
    assert repo.load("member-b").state.email == "b@example.com"


def test_a_split_event_keeps_its_stream_subject_and_its_parts_redact(store):
    old = EventRegistry([SignedUp])
    fabula.Repository(store, Member, registry=old).append(
        "member-s1", [SignedUp("s1@example.com", "pro")]
    )
    repo = fabula.Repository(store, Member, registry=split_registry())
    history = [r.event for r in repo.history("member-s1")]
    assert history == [Joined("s1@example.com", None, "free"), PlanChosen("pro")]
    assert [e.type for e in fabula.PersonalData(store).export("member-s1").events] == [
        "personal_test.member_signed_up"
    ]

    fabula.PersonalData(store).forget("member-s1")
    history = [r.event for r in repo.history("member-s1")]
    assert history == [Joined(fabula.REDACTED, None, "free"), PlanChosen("pro")]
    assert repo.load("member-s1").state.email == fabula.REDACTED


def test_a_stream_subject_needs_the_stream_id(store):
    registry = EventRegistry([Joined])
    with pytest.raises(fabula.CodecError, match="STREAM"):
        Keyring(store).keys_for(registry, [joined("x")])
    with pytest.raises(fabula.CodecError, match="STREAM"):
        encode_new(
            registry, [joined("x")], metadata=None, causation_id=None, correlation_id=None, keys={}
        )
    assert store.head() == 0


@dataclass(frozen=True)
class JoinBoth:
    first: str
    second: str


def test_a_decision_across_streams_seals_each_with_its_own_stream(store):
    flow = fabula.Flow(store)
    flow.register(Member, key=lambda command: command.member_id)

    def join_both(command: JoinBoth, decision: fabula.Decision) -> None:
        decision.append(Member, command.first, joined(command.first))
        decision.append(Member, command.second, joined(command.second))

    flow.register_decision(
        JoinBoth,
        join_both,
        streams=lambda command: [(Member, command.first), (Member, command.second)],
    )
    flow.dispatch(JoinBoth("d1", "d2"))
    assert _sealed_subjects(store, "member-d1") == ["member-d1", "member-d1"]
    assert _sealed_subjects(store, "member-d2") == ["member-d2", "member-d2"]
    fabula.PersonalData(store).forget("member-d1")
    assert flow.load(Member, "d1").state.email == fabula.REDACTED
    assert flow.load(Member, "d2").state.email == "d2@example.com"
