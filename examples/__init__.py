"""Example domains built with fabula, one package per domain, each with its own tests.

- ``examples.todo``: the canonical todo (seed 000, ``cqrs-todo-core``), a functional decider.
- ``examples.customer``: the customer aggregate and contact query (seed 001), class style.
- ``examples.todo_flow``: the Eventuality todo flow (seed 002), commands through a ``Flow``.

The domains are specified in ``EXAMPLES.md`` (sections A, B and C).
"""
