"""Operating many consumers: sets, workers and leases, rebuilds, parked events, status.

``ProjectionSet`` runs, rebuilds and inspects many projections together; ``run_workers``
shares them between processes under leases. The public names are re-exported from
``fabula.read``, except ``load_app`` (resolve an ``--app package.module:name`` string, as
``run_workers`` does for its child processes and the ``fabula`` command for ``--app``).
"""

from fabula.read.operations._app import load_app

__all__ = ["load_app"]
