"""``AsyncProjectionRunner``: feed a projection (or reaction) from the log, catch up then follow.

Theory of operation:

1. Start from the checkpoint stored in the target. Subscribe to the log after it,
   filtered at the store to the event types the projection handles.
2. Each page of events is cut into groups: consecutive events whose handlers allow
   batching, at most ``projection.batch_size`` each; an event whose handler says
   ``batch=False`` is a group alone. A group is one ``target.commit``: handlers and
   checkpoint in one transaction, moved by compare and set from the position this
   runner last committed. When the subscription scanned past events of other types,
   the checkpoint follows in a commit of its own.
3. When a group fails, its events are retried one by one, each with the error policy's
   retries and backoff; an event that still fails is parked (a dead letter), then the
   runner goes on or stops, by policy. An event that does not decode is parked at once.
   Under ``"stop"``, a runner that finds an event parked ahead of its checkpoint stops
   at once, without running it again, until it is retried or discarded.
   Each failed attempt is recorded in the target (``_failures``), so the count goes on
   after a restart or a takeover; and the lease is renewed while the runner backs off
   (a failed commit rolled its renewal back), so retries never cost the lease.
4. A database failure (``StoreError``) is nobody's event's fault: the runner backs off
   and starts again from the stored checkpoint, without end; but a store or target
   closed under it (``ClosedError``) fails it at once, as no retry can succeed.
   ``CheckpointConflict`` and ``LeaseLost`` (another worker, a rebuild) also restart
   from the stored checkpoint.
5. With ``lease=LeaseSettings(...)`` the runner works only while it holds the
   projection's lease (see ``_leases``); otherwise it stands by and polls for it.
6. A consumer that is not ``transactional`` (a reaction) has its handler run before, and
   outside, the commit that passes its event: a crash in between redelivers the event
   (at least once).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Protocol, Self, cast

from fabula._errors import ClosedError, CodecError, StoreError
from fabula._telemetry import event_fields, hooks
from fabula.codec import AsyncKeyring, EventRegistry, decode_parts, decode_records, merge_lookups
from fabula.read._batches import handled, step_of, steps_for
from fabula.read._call import async_call
from fabula.read._dead_letters import DeadLetter, describe_error
from fabula.read._errors import (
    CheckpointConflict,
    HandlerError,
    LeaseLost,
    PositionTimeout,
    ProjectionFailed,
)
from fabula.read._failures import Failure
from fabula.read._leases import LeaseSettings
from fabula.read._target_async import AsyncTarget, Step
from fabula.read.running._application import store_and_registry
from fabula.read.running._consumer import Consumer
from fabula.read.running._monitor_async import LAG_COUNT_LIMIT, count_after, read_status
from fabula.read.running._partitions import stream_filter
from fabula.read.running._policy import ErrorPolicy
from fabula.read.running._runner_base import _Stopped
from fabula.read.running._status import ProjectionStatus, RunState
from fabula.read.running._tasks import AsyncBackground
from fabula.read.running._traced import LAG_EVERY, batch_span, lag_seconds
from fabula.store import AsyncEventStore, Notifier, StoredEvent

__all__ = ["AsyncApplication", "AsyncProjectionRunner", "Progress"]

logger = logging.getLogger("fabula.read")

Progress = Callable[[int], object]
"""Called with the checkpoint's new position after every commit."""

_DEFAULT_POLICY = ErrorPolicy()
_PASS_SECONDS = 1.0
"""At most how often a partition commits a checkpoint past only other partitions' events."""


class AsyncApplication(Protocol):
    """What a runner takes from an application (an ``AsyncFlow``): its store and registry.

    Structural, so the read side needs nothing from ``fabula.app``.
    """

    @property
    def store(self) -> AsyncEventStore:
        """The application's event store."""
        ...

    @property
    def registry(self) -> EventRegistry:
        """The application's one event registry."""
        ...


class AsyncProjectionRunner:
    """Keeps one projection (or reaction) up to date with the log: catch up, then follow.

    Args:
        store: the event store to read, or the application's flow: its store and its
            event registry (so an upcaster registered once reaches every runner).
        consumer: what to feed: a ``Projection``, a ``fabula.flows.Reaction``, any ``Consumer``.
        target: where its read model, checkpoint, leases and dead letters live.
        registry: decodes events (the consumer's event classes are registered in it);
            given a flow, leave it out or pass the flow's own.
        policy: retries, backoff and what to do with an event that keeps failing.
        lease: take part in lease-based coordination between workers (off by default:
            a lone in-process runner needs none; the checkpoint's compare and set
            already keeps two runners from applying one event twice).
        poll_interval: seconds between polls of the log when no wake-up comes.
        progress: called with the new position after every commit.
    """

    def __init__(
        self,
        store: AsyncEventStore | AsyncApplication,
        consumer: Consumer,
        /,
        *,
        target: AsyncTarget,
        registry: EventRegistry | None = None,
        policy: ErrorPolicy = _DEFAULT_POLICY,
        lease: LeaseSettings | None = None,
        poll_interval: float = 0.5,
        progress: Progress | None = None,
    ) -> None:
        log, registry = store_and_registry(consumer.name, store, registry)
        self._store = cast("AsyncEventStore", log)
        self._keyring = AsyncKeyring(log)
        self._consumer = consumer
        self._target = target
        self._registry = registry if registry is not None else EventRegistry()
        self._types = consumer.handlers.type_names(self._registry)
        self._batching: dict[str, bool] = {}
        for cls in consumer.handlers.event_types:
            for name in self._registry.stored_names([cls]):  # old names too (ADR 0014)
                batch = self._batching.get(name, True) and consumer.handlers.get(cls).batch
                self._batching[name] = batch
        self._handled = frozenset(consumer.handlers.event_types)
        self._reaction = not consumer.transactional
        self._batch_size = max(1, consumer.batch_size)
        partition = stream_filter(consumer)
        self._owns = partition[0] if partition is not None else None
        # a partition reads pages N times larger: about a batch of its own events each
        self._page = self._batch_size * (partition[1] if partition is not None else 1)
        self._policy = policy
        self._lease = lease
        self._poll_interval = poll_interval
        self._tick = min(0.25, poll_interval, lease.renew_interval / 2 if lease else 0.25)
        self._progress = progress
        self._background = AsyncBackground()
        self._notifier = Notifier()
        self._position = 0
        self._committed = 0
        self._committed_at = 0.0
        self._state: RunState = "idle"
        self._error: str | None = None
        self._failure: BaseException | None = None
        self._prepared = False
        self._renewed_at: float | None = None
        self._lag_measured = 0.0

    @property
    def name(self) -> str:
        """The projection's (or reaction's) name: its checkpoint key."""
        return self._consumer.name

    @property
    def position(self) -> int:
        """The last position this runner committed, passed or read from the checkpoint."""
        return self._position

    @property
    def state(self) -> RunState:
        """What the runner is doing now."""
        return self._state

    async def run_until_caught_up(self) -> ProjectionStatus:
        """Process events until the projection has passed the log's head as of this call.

        If another worker holds the lease, wait for that worker to get there instead.

        Raises:
            ProjectionFailed: an event was parked under the ``"stop"`` policy.
        """
        head = await self._store.head()
        self._background.reset()
        await self._follow(until=head)
        return await self.status()

    async def run(self) -> None:
        """Process events until ``stop()`` is called.

        Raises:
            ProjectionFailed: an event was parked under the ``"stop"`` policy.
        """
        self._background.reset()
        await self._follow(until=None)

    async def start(self) -> None:
        """Run in the background (an asyncio task; a thread for the sync runner).

        Returns at once; a runner already running is left as it is. ``stop()`` ends it;
        so does leaving ``async with runner:`` (``with`` for the sync runner).
        """
        self._background.start(self._run_in_background, name=f"fabula-projection-{self.name}")

    async def stop(self) -> None:
        """Ask the runner to stop, and wait until it has (its lease is released).

        Safe in any order: before ``start()``, twice, or after the store or target closed.
        Cancelling the wait leaves the runner stopping on its own.
        """
        self._background.request_stop()
        await self._background.join()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def status(self) -> ProjectionStatus:
        """Return the projection's position, the head, the lag, the state and parked count."""
        return await read_status(
            self._store, self._target, self.name, state=self._state, error=self._error
        )

    async def wait_for_position(self, position: int | None, /, *, timeout: float = 10.0) -> int:
        """Wait until the projection has passed ``position``; return the position reached.

        ``None`` (a dispatch that appended nothing) returns at once.

        Raises:
            PositionTimeout: the position was not passed within ``timeout`` seconds.
            ProjectionFailed: the runner stopped on a failure before passing it.
        """
        deadline = time.monotonic() + timeout
        while True:
            since = self._notifier.generation
            if position is None or self._position >= position:
                return self._position
            if self._failure is not None:
                raise ProjectionFailed.of(self.name, self._failure, position=self._position)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PositionTimeout(
                    self.name, position=position, reached=self._position, timeout=timeout
                )
            await self._notifier.async_wait(since, remaining)

    async def _run_in_background(self) -> None:
        try:
            await self._follow(until=None)
        except Exception:
            logger.exception("projection %r stopped on an error", self.name)

    async def _follow(self, *, until: int | None) -> None:
        self._failure = None
        failures = 0
        try:
            while not self._background.stopping:
                try:
                    if await self._step(until):
                        break
                    failures = 0
                except _Stopped:
                    break
                except (CheckpointConflict, LeaseLost) as exc:
                    level = logging.WARNING if isinstance(exc, LeaseLost) else logging.INFO
                    logger.log(
                        level, "projection %r restarts from its checkpoint: %s", self.name, exc
                    )
                    self._renewed_at = None if isinstance(exc, LeaseLost) else self._renewed_at
                except ClosedError:
                    raise  # its store or target was closed under it: nothing to retry
                except StoreError as exc:
                    failures += 1
                    self._state, self._error = "retrying", describe_error(exc)
                    logger.warning("projection %r: %s; retrying", self.name, exc)
                    await self._background.sleep(self._policy.delay(failures))
        except Exception as exc:
            self._state, self._failure = "failed", exc
            self._error = self._error if isinstance(exc, ProjectionFailed) else describe_error(exc)
            self._notifier.notify()
            raise
        finally:
            await self._release()
        self._state = "stopped"
        self._notifier.notify()

    async def _step(self, until: int | None) -> bool:
        """Run from the stored checkpoint; return True when done (``until`` reached)."""
        if not self._prepared:
            await self._target.prepare(self.name, setup=self._consumer.setup_hooks)
            self._prepared = True
        checkpoint = (await self._target.checkpoint(self.name)).position
        self._committed, self._committed_at = checkpoint, time.monotonic()
        self._advance(checkpoint)
        if until is not None and checkpoint >= until:
            return True
        if not await self._hold_lease():
            self._state = "standby"
            await self._background.sleep(self._lease.acquire_interval if self._lease else 0)
            return False
        await self._check_not_parked(checkpoint)
        logger.info("projection %r runs from position %d", self.name, checkpoint)
        await self._consume(until)
        return until is not None

    async def _check_not_parked(self, checkpoint: int) -> None:
        """Under ``on_park="stop"``, do not run again into an event parked ahead (rule 3)."""
        if self._policy.on_park != "stop":
            return
        for letter in await self._target.dead_letters(self.name):
            if letter.position > checkpoint:
                self._error = letter.error
                raise ProjectionFailed(self.name, position=letter.position, reason=letter.error)

    async def _consume(self, until: int | None) -> None:
        subscription = self._store.subscribe(
            after=self._position,
            types=self._types,
            batch_size=self._page,
            poll_interval=self._poll_interval,
        )
        self._state = "catching_up"
        try:
            while not self._background.stopping:
                if until is not None and self._position >= until:
                    await self._commit_passed()
                    return
                batch = await subscription.next_batch(
                    timeout=0 if until is not None else self._tick
                )
                if batch:
                    await self._take(batch, subscription.position)
                elif subscription.position > self._position:
                    await self._pass(subscription.position)
                elif until is not None:
                    await self._background.sleep(0.05)
                else:
                    await self._pass(self._position)
                    self._at_head()
                if until is None:
                    full = len(batch) >= self._page
                    self._state = "catching_up" if full else "live"
                if not await self._hold_lease():
                    raise LeaseLost(self.name, owner=self._lease.owner if self._lease else "")
        finally:
            await subscription.close()

    async def _take(self, batch: Sequence[StoredEvent], scanned: int) -> None:
        """Handle a page; a partition drops other partitions' events before decoding."""
        owns = self._owns
        if owns is None:
            await self._handle(batch)
            return
        mine = [record for record in batch if owns(record.stream_id)]
        if mine:
            await self._handle(mine)
        await self._pass(scanned)

    async def _pass(self, position: int) -> None:
        """Move past events this consumer does not take (other types, other partitions).

        A partition moves in memory and commits that at most every ``_PASS_SECONDS``.
        """
        if self._owns is None:
            if position > self._committed:
                await self._commit((), position)
            return
        if position > self._position:
            self._advance(position)
        due = time.monotonic() - self._committed_at >= _PASS_SECONDS
        if self._committed < self._position and due:
            await self._commit((), self._position)

    async def _commit_passed(self) -> None:
        if self._committed < self._position:
            await self._commit((), self._position)

    async def _handle(self, records: Sequence[StoredEvent]) -> None:
        group: list[StoredEvent] = []
        for record in records:
            if self._reaction or not self._batching.get(record.type, True):
                await self._apply(group)
                group = []
                await self._apply_one(record)
                continue
            group.append(record)
            if len(group) >= self._batch_size:
                await self._apply(group)
                group = []
        await self._apply(group)

    async def _apply(self, group: Sequence[StoredEvent]) -> None:
        if len(group) > 1:
            try:
                opened = await self._keyring.open(group)
                earlier = await self._merge_members(opened)
                decoded = decode_records(self._registry, opened, earlier=earlier)
                recorded = handled(self._handled, decoded)
                steps = steps_for(self._consumer.entry, recorded)
                await self._commit(steps, group[-1].position)
            except (HandlerError, CodecError) as exc:
                logger.info("projection %r: a batch failed (%s); one by one now", self.name, exc)
            else:
                return
        for record in group:
            await self._apply_one(record)

    async def _apply_one(self, record: StoredEvent) -> None:
        attempt: int | None = None
        while True:
            try:
                opened = (await self._keyring.open((record,)))[0]
                steps = self._decode(opened, await self._merge_members([opened]))
                if self._reaction:
                    for step in steps:
                        await self._react(step)
                    await self._commit((), record.position)
                else:
                    await self._commit(steps, record.position)
            except CodecError as exc:
                error: Exception = exc
                attempt = 1 if attempt is None else attempt + 1
                break
            except HandlerError as exc:
                error = exc
                attempt = await self._failed(record, exc, attempt)
                if attempt > self._policy.retries:
                    break
                self._state, self._error = "retrying", describe_error(exc)
                await self._pause(self._policy.delay(attempt))
                if self._background.stopping:
                    raise _Stopped from None  # the event stays unprocessed, below the checkpoint
            else:
                return
        await self._keep_lease()
        await self._park(record, error, attempt)

    async def _failed(self, record: StoredEvent, error: Exception, attempt: int | None) -> int:
        """Record a failed attempt (rule 3); return the attempts so far, across restarts."""
        if attempt is None:
            found = await self._target.failure(self.name)
            attempt = found.attempts if found and found.position == record.position else 0
        attempt += 1
        failure = Failure(
            name=self.name,
            position=record.position,
            attempts=attempt,
            error=describe_error(error),
            failed_at=datetime.now(UTC),
        )
        await self._target.record_failure(failure)
        return attempt

    async def _pause(self, seconds: float) -> None:
        """Sleep before a retry, renewing the lease meanwhile (a failed commit did not)."""
        deadline = time.monotonic() + seconds
        interval = self._lease.renew_interval if self._lease is not None else seconds
        while not self._background.stopping:
            await self._keep_lease()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            await self._background.sleep(min(left, interval))

    async def _keep_lease(self) -> None:
        if not await self._hold_lease():
            raise LeaseLost(self.name, owner=self._lease.owner if self._lease else "")

    async def _react(self, step: Step) -> None:
        handler, recorded = step
        telemetry = hooks.active
        try:
            if telemetry is None:
                await async_call(handler, None, recorded)
            else:
                with batch_span(telemetry, "react", self.name, (step,), recorded.position):
                    await async_call(handler, None, recorded)
        except Exception as exc:
            raise HandlerError.of(self.name, recorded) from exc

    async def _park(self, record: StoredEvent, error: Exception, attempts: int) -> None:
        letter = DeadLetter.from_failure(self.name, record, error, attempts=attempts)
        logger.error(
            "projection %r parked %s at stream %r, version %d, position %d: %s",
            self.name,
            record.type,
            record.stream_id,
            record.version,
            record.position,
            letter.error,
            extra=event_fields(
                record.stream_id, record.type, record.position, record.correlation_id
            ),
        )
        if (telemetry := hooks.active) is not None:
            telemetry.parked(self.name, record.type)
        self._error = letter.error
        if self._policy.on_park == "continue":
            await self._commit((), record.position, parked=letter)
            return
        # Parked under a compare and set, like a commit that stays where it is: if the read
        # model was reset or swapped since the handler ran, this raises CheckpointConflict and
        # the runner starts over instead of stopping on an error the new model never had.
        claim = self._lease.claim if self._lease is not None else None
        await self._target.commit(
            self.name, after=self._committed, position=self._committed, claim=claim, parked=letter
        )
        raise ProjectionFailed(self.name, position=record.position, reason=letter.error)

    async def _merge_members(self, records: Sequence[StoredEvent]) -> list[StoredEvent]:
        found: list[StoredEvent] = []
        for stream_id, first, last in merge_lookups(self._registry, records):
            found += await self._store.read_stream(stream_id, from_version=first, to_version=last)
        return await self._keyring.open(found) if found else found

    def _decode(self, record: StoredEvent, earlier: list[StoredEvent]) -> list[Step]:
        parts = decode_parts(self._registry, record, earlier=earlier)
        recorded = handled(self._handled, parts)
        return [step_of(self._consumer.entry(type(r.event)), r) for r in recorded]

    async def _commit(
        self, steps: Sequence[Step], position: int, *, parked: DeadLetter | None = None
    ) -> None:
        claim = self._lease.claim if self._lease is not None else None
        started = time.monotonic()
        telemetry = hooks.active
        if telemetry is None or not steps or self._reaction:
            await self._target.commit(
                self.name,
                after=self._committed,
                position=position,
                steps=steps,
                claim=claim,
                parked=parked,
            )
        else:
            with batch_span(telemetry, "project", self.name, steps, position):
                await self._target.commit(
                    self.name,
                    after=self._committed,
                    position=position,
                    steps=steps,
                    claim=claim,
                    parked=parked,
                )
        # A commit renews the lease too, but the runner still asks for it every renewal
        # interval: a partitioned worker counts its members and gives up extra partitions
        # there, which it must do while busy as well.
        self._committed, self._committed_at = position, started
        if self._state == "retrying":
            self._state, self._error = "catching_up", None
        self._advance(position)
        if telemetry is not None and started - self._lag_measured >= LAG_EVERY:
            self._lag_measured = started
            behind = await count_after(self._store, position, limit=LAG_COUNT_LIMIT)
            telemetry.lag(self.name, behind, lag_seconds(steps) if behind else 0.0)
        if self._progress is not None:
            self._progress(position)

    def _at_head(self) -> None:
        """Live and nothing new: a lag gauge reads 0 (at most once a second, like a commit's)."""
        telemetry = hooks.active
        now = time.monotonic()
        if telemetry is not None and now - self._lag_measured >= LAG_EVERY:
            self._lag_measured = now
            telemetry.lag(self.name, 0, 0.0)

    def _advance(self, position: int) -> None:
        self._position = position
        self._notifier.notify()

    async def _hold_lease(self) -> bool:
        lease = self._lease
        if lease is None:
            return True
        now = time.monotonic()
        if self._renewed_at is not None and now - self._renewed_at < lease.renew_interval:
            return True
        if await self._target.acquire_lease(self.name, lease.owner, ttl=lease.ttl):
            if self._renewed_at is None:
                logger.info("projection %r: worker %s took the lease", self.name, lease.owner)
            self._renewed_at = now
            return True
        if self._renewed_at is not None:
            logger.warning("projection %r: worker %s lost the lease", self.name, lease.owner)
        self._renewed_at = None
        return False

    async def _release(self) -> None:
        if self._lease is None or self._renewed_at is None:
            return
        self._renewed_at = None
        try:
            await self._target.release_lease(self.name, self._lease.owner)
        except StoreError:
            logger.warning("projection %r: could not release its lease", self.name)
