"""fabula's benchmark suite: fabula vs the raw drivers vs the ``eventsourcing`` library.

The workloads (``workloads``) and the rules that make the numbers comparable are
described in ``docs/benchmarks.md``. Each system implements them in its own module:

| module | system |
|---|---|
| ``raw_postgres``, ``raw_sqlite`` | the driver with no framework (psycopg 3 / sqlite3): the limit |
| ``fabula_sync``, ``fabula_async`` | fabula through its public API (``Flow``, store, read side) |
| ``peer`` | ``eventsourcing`` 9.5.x through its public API |

``harness`` runs them interleaved on fresh storage (``storage``) and ``checks`` verifies
what they wrote; ``report`` writes the tables and JSON lines; ``rss`` checks that a long
catch-up keeps its memory bounded; ``hotpaths`` times fabula's hot paths one by one.
Run it with ``python -m benchmarks --help`` (or ``make bench``).
"""
