"""The account's rules and Estoria's quickstart script (seed 004, section G)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from examples.balance import (
    Account,
    AccountAlreadyCreated,
    AccountAlreadyDeleted,
    AccountCommand,
    AccountCreated,
    AccountDeleted,
    AddUser,
    BalanceChanged,
    CreateAccount,
    DeleteAccount,
    ModifyBalance,
    RemoveUser,
    UserAdded,
    UserNotFound,
    UserRemoved,
    stream_id,
    stream_of,
)
from fabula import Flow, fold
from fabula.store.memory import MemoryStore
from fabula.testing import DeciderSpec

ID = UUID("0190f0c4-7d1e-7000-8000-000000000042")
T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
spec = DeciderSpec(Account)
created = spec.given(AccountCreated("Leonardo", T0))


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


# Estoria's examples-repo quickstart, command by command.
SCRIPT: list[AccountCommand] = [
    CreateAccount(account_id=ID, username="Leonardo", created_at=at(0)),
    ModifyBalance(account_id=ID, amount=1000, changed_at=at(1)),
    AddUser(account_id=ID, username="Michalangelo", added_at=at(2)),
    ModifyBalance(account_id=ID, amount=-500, changed_at=at(3)),
    ModifyBalance(account_id=ID, amount=250, changed_at=at(4)),
    AddUser(account_id=ID, username="Raphael", added_at=at(5)),
    RemoveUser(account_id=ID, username="Michalangelo", removed_at=at(6)),
    ModifyBalance(account_id=ID, amount=-708, changed_at=at(7)),
]


def test_the_quickstart_script_ends_at_42_with_two_users() -> None:
    decider = Account.decider
    history: list[object] = []
    for command in SCRIPT:
        history.extend(decider.decide(command, fold(decider, history)))
    assert len(history) == 8
    assert fold(decider, history) == Account(
        users=["Leonardo", "Raphael"], balance=42, created_at=at(0)
    )


def test_the_quickstart_script_through_a_flow() -> None:
    flow = Flow(MemoryStore())
    repository = flow.register(Account, stream_id=stream_of)
    for command in SCRIPT:
        flow.dispatch(command)
    loaded = repository.load(stream_id(ID))
    assert (loaded.version, loaded.state.balance, loaded.state.users) == (
        8,
        42,
        ["Leonardo", "Raphael"],
    )


def test_create() -> None:
    spec.when(CreateAccount(account_id=ID, username="Leonardo", created_at=T0)).then(
        AccountCreated("Leonardo", T0)
    ).then_state(Account(users=["Leonardo"], created_at=T0))


def test_create_twice_is_refused() -> None:
    created.when(CreateAccount(account_id=ID, username="Raphael", created_at=at(1))).then_raises(
        AccountAlreadyCreated, code="account_already_created", message="account already created"
    )


def test_delete_once() -> None:
    created.when(DeleteAccount(account_id=ID, reason="closed", deleted_at=at(1))).then(
        AccountDeleted("closed", at(1))
    ).then_state(Account(users=["Leonardo"], created_at=T0, deleted_at=at(1)))
    created.given(AccountDeleted("closed", at(1))).when(
        DeleteAccount(account_id=ID, reason="again", deleted_at=at(2))
    ).then_raises(
        AccountAlreadyDeleted, code="account_already_deleted", message="account already deleted"
    )


def test_users_come_and_go() -> None:
    created.when(AddUser(account_id=ID, username="Raphael", added_at=at(1))).then(
        UserAdded("Raphael", at(1))
    )
    created.given(UserAdded("Raphael", at(1))).when(
        RemoveUser(account_id=ID, username="Leonardo", removed_at=at(2))
    ).then(UserRemoved("Leonardo", at(2))).then_state(Account(users=["Raphael"], created_at=T0))


def test_removing_an_unknown_user_is_refused() -> None:
    error = created.when(
        RemoveUser(account_id=ID, username="Donatello", removed_at=at(1))
    ).then_raises(UserNotFound, code="user_not_found", message="user Donatello not found")
    assert error.params == {"username": "Donatello"}


def test_the_balance_may_go_negative_even_before_creation() -> None:
    spec.when(ModifyBalance(account_id=ID, amount=-5, changed_at=T0)).then(
        BalanceChanged(-5, T0)
    ).then_state(Account(balance=-5))


def test_streams() -> None:
    assert stream_id(ID) == f"account-{ID}"
    assert stream_of(ModifyBalance(account_id=ID, amount=1, changed_at=T0)) == f"account-{ID}"
