"""The class-style customer keeps the decider laws for any history and command."""

from __future__ import annotations

from hypothesis import given, strategies as st

from examples.customer import (
    AddAddress,
    AddCustomerName,
    AddressUpdated,
    Customer,
    EmailUpdated,
    NameAdded,
    UpdateEmail,
)
from fabula.testing import assert_replay_consistent

texts = st.sampled_from(["", "a", "b"])
events = st.one_of(
    st.builds(NameAdded, texts), st.builds(EmailUpdated, texts), st.builds(AddressUpdated, texts)
)
commands = st.one_of(
    st.builds(AddCustomerName, texts), st.builds(UpdateEmail, texts), st.builds(AddAddress, texts)
)


@given(history=st.lists(events, max_size=6), command=commands)
def test_the_customer_keeps_the_laws(history: list[object], command: object) -> None:
    assert_replay_consistent(Customer, history, command)
