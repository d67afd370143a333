"""The testing kit: given / when / then for aggregates and read models, and a pytest plugin.

- ``DeciderSpec(model).given(*events).when(command).then(*events)``, or
  ``.then_raises(ErrorType, code=...)``, ``.then_nothing()``, ``.then_state(state)``, for a
  ``Decider`` or an ``Aggregate`` class.
- ``ProjectionSpec(view).given(*events).then(state)`` for a read model: a decider-like fold,
  an ``Aggregate`` class with ``@evolves`` methods, or a ``(state, event) -> state``
  function with ``initial=``.
- ``assert_replay_consistent(model, events, command)``: the decider laws, for property tests.
- ``assert_upcasts(registry, type_name, payload, expected)``: an old stored payload decodes
  (renamed, upcast, split) to the expected current events.
- ``fabula.testing.plugin``: store fixtures (``fabula_memory_store``, ``fabula_sqlite_store``,
  ``fabula_postgres_store``, their ``fabula_async_*`` twins, ``fabula_store``), loaded by
  pytest automatically.
- ``fabula.testing.conformance``: the suite every store backend passes.

Every check raises ``AssertionError`` with expected and actual side by side, so it works
in any test runner.
"""

from fabula.testing._clock import FakeClock
from fabula.testing._decider_spec import DeciderOutcome, DeciderSpec
from fabula.testing._process_spec import ProcessSpec
from fabula.testing._projection_spec import Fold, ProjectionSpec
from fabula.testing._properties import assert_replay_consistent
from fabula.testing._upcasts import assert_upcasts

__all__ = [
    "DeciderOutcome",
    "DeciderSpec",
    "FakeClock",
    "Fold",
    "ProcessSpec",
    "ProjectionSpec",
    "assert_replay_consistent",
    "assert_upcasts",
]
