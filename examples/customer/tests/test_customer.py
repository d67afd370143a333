"""The customer aggregate, as the seed's HandlerTester checks it (seed 001, section C)."""

from __future__ import annotations

from examples.customer import (
    AddAddress,
    AddCustomerName,
    AddressAlreadyAdded,
    AddressUpdated,
    Customer,
    EmailUpdated,
    NameAdded,
    NameAlreadyAdded,
    UpdateEmail,
)
from fabula.testing import DeciderSpec

spec = DeciderSpec(Customer)


def test_add_name_to_a_new_customer() -> None:
    # Seed: no events, then AddCustomerName("John Doe"), expect [NameAdded("John Doe")].
    spec.when(AddCustomerName("John Doe")).then(NameAdded("John Doe")).then_state(
        Customer(name="John Doe")
    )


def test_a_name_can_be_added_only_once() -> None:
    # Seed: given [NameAdded], AddCustomerName, expect the error.
    spec.given(NameAdded("John Doe")).when(AddCustomerName("John Doe")).then_raises(
        NameAlreadyAdded,
        code="name_already_added",
        message="a name has already been added for this customer",
    )


def test_email_updates_always_succeed() -> None:
    spec.when(UpdateEmail("j@d.com")).then(EmailUpdated("j@d.com"))
    spec.given(EmailUpdated("j@d.com")).when(UpdateEmail("j@d.com")).then(
        EmailUpdated("j@d.com")
    ).then_state(Customer(email="j@d.com"))


def test_addresses_accumulate() -> None:
    spec.given(AddressUpdated("1 Main St")).when(AddAddress("2 Side St")).then(
        AddressUpdated("2 Side St")
    ).then_state(Customer(addresses=["1 Main St", "2 Side St"]))


def test_a_duplicate_address_is_refused() -> None:
    error = (
        spec.given(AddressUpdated("1 Main St"), AddressUpdated("2 Side St"))
        .when(AddAddress("1 Main St"))
        .then_raises(
            AddressAlreadyAdded,
            code="address_already_added",
            message="this address has already been added for this customer",
        )
    )
    assert error.params == {"address": "1 Main St"}
