"""CustomerContactQuery, as the seed's ConsumerTester checks it (seed 001, section C)."""

from __future__ import annotations

from examples.customer import AddressUpdated, CustomerContactQuery, EmailUpdated, NameAdded
from fabula.domain import as_decider
from fabula.testing import ProjectionSpec


def test_the_query_type() -> None:
    assert CustomerContactQuery.query_type == "customer_contact_query"
    assert as_decider(CustomerContactQuery).name == "customer_contact_query"


def test_name_added_on_the_default_state() -> None:
    ProjectionSpec(CustomerContactQuery).given(NameAdded("John Doe")).then(
        CustomerContactQuery(name="John Doe", email="", latest_address="")
    )


def test_email_updated_on_that_state() -> None:
    after_name = CustomerContactQuery(name="John Doe", email="", latest_address="")
    ProjectionSpec(CustomerContactQuery, initial=after_name).given(EmailUpdated("j@d.com")).then(
        CustomerContactQuery(name="John Doe", email="j@d.com", latest_address="")
    )


def test_each_event_overwrites_its_field() -> None:
    ProjectionSpec(CustomerContactQuery).given(
        NameAdded("John Doe"),
        AddressUpdated("1 Main St"),
        EmailUpdated("old@d.com"),
        AddressUpdated("2 Side St"),
        EmailUpdated("j@d.com"),
    ).then(CustomerContactQuery(name="John Doe", email="j@d.com", latest_address="2 Side St"))
