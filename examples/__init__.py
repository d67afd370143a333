"""Example domains built with fabula, one package per domain, each with its own tests.

- ``examples.todo``: the canonical todo (seed 000, ``cqrs-todo-core``), a functional decider.
- ``examples.customer``: the customer aggregate and contact query (seed 001), class style.
- ``examples.todo_flow``: the Eventuality todo flow (seed 002), commands through a ``Flow``.
- ``examples.bank``: the bank account (seed 001's REST demo), class style, over FastAPI.
- ``examples.orders``: orders (seed 003), a decider, a denormalized read model, SSE feed.
- ``examples.balance``: account balance (seed 004), on-demand and stored summaries.
- ``examples.todo_app``: the todo over GraphQL (seed 000's demo), with Strawberry.

``docs/examples.md`` describes the apps and how to run them; each package's
modules say which rules of its seed they keep and where fabula differs.
"""
