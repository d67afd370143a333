"""Pure helpers of the flow, shared by ``Flow`` and ``AsyncFlow``."""

from __future__ import annotations

from fabula.app._dispatch import DispatchResult


def _with_errors(result: DispatchResult, errors: list[BaseException]) -> DispatchResult:
    return DispatchResult(
        stream_id=result.stream_id,
        version=result.version,
        events=result.events,
        command_id=result.command_id,
        deduplicated=result.deduplicated,
        listener_errors=tuple(errors),
    )
