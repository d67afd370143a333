"""The customer and product services the orders app asks (a small in-memory stand-in).

The seed's projection fetches the customer's name and email and each product's name
from services, to denormalize them into the read model. Here one ``Catalog`` plays both
services. The app also takes each item's price from it: a client says what it wants and
how many, never what it costs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from examples.orders.values import OrderItem
from fabula import DomainError

__all__ = ["DEMO_CATALOG", "Catalog", "Customer", "Product", "UnknownCustomer", "UnknownProduct"]


@dataclass(frozen=True, slots=True)
class Customer:
    """What the customer service knows of a customer."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Product:
    """What the product service knows of a product."""

    name: str
    price: Decimal


class UnknownProduct(DomainError):
    """An order named a product the catalog does not sell."""

    code = "unknown_product"
    message = "no product has this id"


class UnknownCustomer(DomainError):
    """An order named a customer the customer service does not know."""

    code = "unknown_customer"
    message = "no customer has this id"


@dataclass(frozen=True, slots=True)
class Catalog:
    """Customers and products, by id."""

    customers: Mapping[str, Customer] = field(default_factory=dict)
    products: Mapping[str, Product] = field(default_factory=dict)

    def customer(self, customer_id: str) -> Customer:
        """Return a customer, for the read model (one since removed has empty fields)."""
        return self.customers.get(customer_id, Customer("", ""))

    def require_customer(self, customer_id: str) -> Customer:
        """Return a customer who may place an order.

        Raises:
            UnknownCustomer: no customer has this id.
        """
        found = self.customers.get(customer_id)
        if found is None:
            raise UnknownCustomer(params={"customer_id": customer_id[:64]})
        return found

    def product_name(self, product_id: str) -> str:
        """Return a product's name (``""`` for one no longer sold)."""
        product = self.products.get(product_id)
        return product.name if product is not None else ""

    def price(self, lines: Iterable[tuple[str, int]]) -> tuple[OrderItem, ...]:
        """Return order items for ``(product id, quantity)`` lines, at today's prices.

        Raises:
            UnknownProduct: a line names a product that is not sold.
        """
        items = []
        for product_id, quantity in lines:
            product = self.products.get(product_id)
            if product is None:
                raise UnknownProduct(params={"product_id": product_id[:64]})
            items.append(OrderItem(product_id=product_id, quantity=quantity, price=product.price))
        return tuple(items)


DEMO_CATALOG = Catalog(
    customers={
        "c1": Customer("Ada Lovelace", "ada@example.com"),
        "c2": Customer("Alan Turing", "alan@example.com"),
    },
    products={
        "mug": Product("Mug", Decimal("9.99")),
        "tea": Product("Green tea, 100 g", Decimal("4.50")),
        "sticker": Product("Sticker", Decimal(0)),
    },
)
"""The catalog ``fabula serve orders`` starts with."""
