"""fabula's benchmark suite: fabula vs the raw drivers vs the ``eventsourcing`` library.

The workloads (``workloads``) and the rules that make the numbers comparable are
described in ``docs/benchmarks.md``. Each system implements them in its own modules:

* ``raw_postgres``, ``raw_sqlite``: the driver with no framework (psycopg 3, sqlite3).
* ``fabula_sync``, ``fabula_async``, ``fabula_projection``: fabula through its public
  API (``Flow``, the store, ``fabula.read``), with ``fabula_setup`` and ``fabula_domain``.
* ``peer``: ``eventsourcing`` 9.5.x through its public API.

``harness`` runs them interleaved on fresh storage (``storage``) and ``checks`` verifies
what they wrote; ``summary`` and ``targets`` reduce the runs; ``report`` writes the
tables and JSON lines; ``rss`` checks that a long catch-up keeps its memory bounded;
``hotpaths`` times fabula's hot paths one by one. Run ``python -m benchmarks --help``
(or ``make bench``).
"""
