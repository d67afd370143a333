"""The read side's fault tests (tests/unit/read), on PostgreSQL: store and target."""

import pytest

from tests.unit.read.test_rebuild_swap import test_a_copy_swap_never_moves_the_checkpoint_back

pytestmark = pytest.mark.postgres

__all__ = ["test_a_copy_swap_never_moves_the_checkpoint_back"]
