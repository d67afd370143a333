"""Operating many consumers: sets, workers and leases, rebuilds, parked events, status.

``ProjectionSet`` runs, rebuilds and inspects many projections together; ``run_workers``
shares them between processes under leases. The public names are re-exported from
``fabula.read``; resolving ``--app package.module:name`` is the CLI's (``fabula._apps``,
which ``run_workers``' child processes use too).
"""

__all__: list[str] = []
