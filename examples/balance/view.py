"""``AccountView``: an account's balance and when it last changed (seed 004, section G).

The seed folds it on demand from the stream, taking ``last_updated`` from each event's
timestamp; ``account_summary`` is that fold, a ``fabula.read.View`` (its handlers get the
event with its envelope, where the time lives). The app also keeps the same view in a
dedicated read model (``read_model.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from examples.balance.events import BalanceChanged
from fabula import Recorded
from fabula.read import View

__all__ = ["AccountView", "account_summary"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountView:
    """The seed's account summary: ``{"balance", "last_updated"}``."""

    balance: int = 0
    last_updated: datetime | None = None


account_summary: View[AccountView] = View(AccountView)
"""Folds an account's stream into its ``AccountView``: ``account_summary.fold(records)``."""


@account_summary.on(BalanceChanged)
def _balance_changed(view: AccountView, recorded: Recorded[BalanceChanged]) -> AccountView:
    return AccountView(
        balance=view.balance + recorded.event.amount, last_updated=recorded.recorded_at
    )
