"""The listener process: AMI events → tracker → core writes and `call.*` events; live state; resync; backfill.

One consumer task handles frames in arrival order (the AMI callback only queues them), so the socket is always
read promptly (Asterisk drops a client that does not read within its writetimeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
import redis.asyncio as aredis
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from appeals.events import CallAgentReleased, CallAgentRinging, QueueState, StreamEvent
from runtime import streams
from runtime.log import fields
from telephony.ami import AmiClient
from telephony.backfill import backfill, inbound_from_cdr
from telephony.board import QueueBoard
from telephony.effects import AgentReleased, AgentRinging, Answered, CallbackRequested, Effect, Ended, Offered, QueueJoined, RecordingReady
from telephony.events import ChannelItem, OriginateResult, PbxState
from telephony.frames import Frame
from telephony.gate import WriteGate
from telephony.settings import TelephonySettings
from telephony.store import Store
from telephony.tracker import Tracker
from telephony.translate import translate

logger = logging.getLogger(__name__)
LAST_UP_KEY = f"{streams.LISTENER_KEY}:last_up"
SEEN_KEY = f"{streams.LISTENER_KEY}:seen"
BACKFILL_HORIZON = timedelta(hours=24)
PARALLEL_WRITES = (
    2  # calls written concurrently on PostgreSQL (one call's effects stay in order; one slot kept for drafts); SQLite has one writer
)
DRAIN_PAUSE = 0.2  # seconds between outbox rounds for answered/ended/recording notifications
WRITE_ATTEMPTS = 8  # a write is retried over about two minutes while the database is unreachable
NO_WRITE = (QueueJoined, AgentRinging, AgentReleased)
"""Effects that touch no table: they keep their place in the call's order but take no write-gate slot, so the card's
`call.agent_ringing` goes out while other calls' drafts, answers and hang-ups wait for the database."""


class Listener:
    def __init__(
        self,
        settings: TelephonySettings,
        *,
        engine: Engine,
        client: redis.Redis,
        aclient: aredis.Redis,
        cdr_engine: Engine | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        reconnect_base: float = 1.0,
    ) -> None:
        self.settings, self.aclient, self.cdr_engine, self.clock = settings, aclient, cdr_engine, clock
        self.store = Store(engine, client)
        self.tracker = Tracker(trunk_endpoints=settings.ami_trunk_endpoints, inbound_contexts=settings.ami_inbound_contexts)
        self.board = QueueBoard()
        self.frames: asyncio.Queue[tuple[float, Frame]] = asyncio.Queue()
        self.appeal_of: dict[str, int | None] = {}
        self.queue_of: dict[str, str] = {}
        self.originates: dict[str, asyncio.Future[OriginateResult]] = {}
        self.latencies: list[float] = []
        self.handled = 0
        self.state, self.since = "down", clock()
        self.down_since: datetime | None = None
        self.ami = AmiClient(
            host=settings.ami_host,
            port=settings.ami_port,
            username=settings.ami_username,
            secret=settings.ami_secret.get_secret_value(),
            on_frame=self._on_frame,
            on_state=self._on_state,
            on_connected=self.resync,
            action_timeout=settings.ami_action_timeout,
            reconnect_base=reconnect_base,
            reconnect_max=settings.ami_reconnect_max,
            ping_interval=settings.ami_ping_interval,
        )
        self._beat = asyncio.Event()
        self._closing = False
        self._chains: dict[str, asyncio.Task[None]] = {}
        self._gate = WriteGate(1) if engine.dialect.name == "sqlite" else WriteGate(PARALLEL_WRITES, reserved=1)
        self._outbox_dirty = asyncio.Event()
        self._drain_offered = False
        self.failed = False  # a task of `run` died (the CLI exits 1)  # a call.offered publish failed: the next drain takes fresh call.offered rows too
        self._resyncing = False

    # -- AMI callbacks (sync, never block) ---------------------------------------------------------
    def _on_frame(self, frame: Frame) -> None:
        self.frames.put_nowait((time.perf_counter(), frame))

    def _on_state(self, state: str, reason: str) -> None:
        if state != "up" and self.state == "up":
            self.down_since = self.clock()
        self.state, self.since = state, self.clock()
        logger.info("ami state", extra=fields(state=state, reason=reason))
        self._beat.set()

    # -- the event pipeline ------------------------------------------------------------------------
    async def consume(self) -> None:
        while True:
            arrived, frame = await self.frames.get()
            try:
                await self.handle_frame(frame, arrived)
            except Exception:
                logger.exception("event handling failed", extra=fields(event=frame.get("Event", "")))
            finally:
                self.handled += 1

    async def handle_frame(self, frame: Frame, arrived: float | None = None) -> None:
        event = translate(frame)
        if event is None:
            return
        now = self.clock()
        if isinstance(event, OriginateResult):
            future = self.originates.pop(event.action_id, None)
            if future is not None and not future.done():
                future.set_result(event)
            return
        if isinstance(event, PbxState):
            return
        self.board.apply(event, now)
        for effect in self.tracker.handle(event, now):
            self.schedule(effect, arrived)

    def schedule(self, effect: Effect, arrived: float | None = None) -> None:
        """Apply `effect` after the earlier effects of the same call; different calls are written concurrently."""
        previous = self._chains.get(effect.call_id)
        task = asyncio.create_task(self._apply_after(previous, effect, arrived))
        self._chains[effect.call_id] = task
        task.add_done_callback(functools.partial(self._chain_done, effect.call_id))

    def _chain_done(self, call_id: str, task: asyncio.Task[None]) -> None:
        if self._chains.get(call_id) is task:
            del self._chains[call_id]

    async def _apply_after(self, previous: asyncio.Task[None] | None, effect: Effect, arrived: float | None) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        if isinstance(effect, NO_WRITE):  # Redis only: never queued behind other calls' database writes
            try:
                await self.apply(effect, arrived)
            except Exception:
                logger.exception("call update failed", extra=fields(call_id=effect.call_id, effect=type(effect).__name__))
            return
        for attempt in range(WRITE_ATTEMPTS):
            try:
                async with self._gate.slot(0 if isinstance(effect, Offered) else 1):
                    await self.apply(effect, arrived)
            except OperationalError as exc:  # the database is down or locked: a state, retried with backoff
                logger.warning(
                    "database unavailable; retrying", extra=fields(call_id=effect.call_id, attempt=attempt, error=type(exc).__name__)
                )
                await asyncio.sleep(min(30.0, 0.5 * 2**attempt))
                continue
            except Exception:
                logger.exception("call update failed", extra=fields(call_id=effect.call_id, effect=type(effect).__name__))
            return
        logger.error("call update given up", extra=fields(call_id=effect.call_id, effect=type(effect).__name__))

    async def settle(self) -> None:
        """Wait for every scheduled write (shutdown, tests, benchmarks)."""
        while self._chains:
            await asyncio.wait(list(self._chains.values()))

    async def drainer(self) -> None:
        """Publish the outbox rows of answered/ended/recording writes, coalesced. Fresh `call.offered` rows are left to
        `offer`, which publishes each right after its commit, unless one of those publishes failed (`_drain_offered`)."""
        while True:
            await self._outbox_dirty.wait()
            self._outbox_dirty.clear()
            everything, self._drain_offered = self._drain_offered, False
            try:
                drained = await asyncio.to_thread(self.store.drain, everything=everything)
            except Exception:  # never let the drainer die: the outbox would wait for a restart
                logger.exception("outbox drain failed")
                drained = False
            if not drained:
                self._drain_offered = self._drain_offered or everything
                self._outbox_dirty.set()  # another drainer's turn, or Redis down: again after the pause
            await asyncio.sleep(DRAIN_PAUSE)  # coalesce: fewer rounds, less contention with call.offered's own publish

    async def apply(self, effect: Effect, arrived: float | None = None) -> None:
        now = self.clock()
        if isinstance(effect, Offered):
            self.appeal_of[effect.call_id], published = await asyncio.to_thread(self.store.offer, effect, now=now)
            if published is None:
                self._drain_offered = True
                self._outbox_dirty.set()  # a drainer elsewhere had the row, or Redis failed: make sure it goes out
            elif arrived is not None:
                self.latencies.append(published - arrived)
        elif isinstance(effect, QueueJoined):
            self.queue_of[effect.call_id] = effect.queue
        elif isinstance(effect, AgentRinging):
            appeal_id = self.appeal_of.get(effect.call_id)
            await self.publish(CallAgentRinging(call_id=effect.call_id, appeal_id=appeal_id, interface=effect.interface))
        elif isinstance(effect, AgentReleased):
            await self.publish(CallAgentReleased(call_id=effect.call_id, interface=effect.interface))
        elif isinstance(effect, Answered):
            self.board.answered(self.queue_of.get(effect.call_id))
            await asyncio.to_thread(self.store.answer, effect, queue=self.queue_of.get(effect.call_id))
            self._outbox_dirty.set()
        elif isinstance(effect, Ended):
            self.appeal_of.pop(effect.call_id, None)
            await asyncio.to_thread(self.store.end, effect, queue=self.queue_of.pop(effect.call_id, None))
            self._outbox_dirty.set()
        elif isinstance(effect, RecordingReady):
            await asyncio.to_thread(self.store.recording, effect, now=now)
            self._outbox_dirty.set()
        elif isinstance(effect, CallbackRequested):
            await asyncio.to_thread(self.store.callback, effect, now=now)

    async def publish(self, event: StreamEvent) -> None:
        try:
            await streams.publish_async(self.aclient, event.type, event.model_dump(mode="json"))
        except redis.RedisError as exc:
            logger.warning("event not published", extra=fields(type=event.type, error=str(exc)))

    # -- resynchronisation after every (re)connect -------------------------------------------------
    async def resync(self) -> None:
        """CoreShowChannels + QueueStatus: adopt calls that began while away, close those that ended, backfill."""
        channels = await self.ami.list_action({"Action": "CoreShowChannels"})
        queue_items = await self.ami.list_action({"Action": "QueueStatus"})
        now = self.clock()
        items = [e for e in (translate(m) for m in channels) if isinstance(e, ChannelItem)]
        for effect in self.tracker.resync(items, now):
            self.schedule(effect)
        await self.settle()  # the adopted and ended calls are written before the DB is reconciled
        self.board.reset_live()
        leg_calls = dict(self.tracker.leg_call)
        for message in queue_items:
            event = translate(message)
            if event is not None:
                self.board.apply(event, now, leg_calls)
        live = [c.call_id for c in self.tracker.inbound_calls()]
        closed = await asyncio.to_thread(self.store.close_vanished, live, now=now)
        made = await self._backfill(now)
        logger.info("ami resync done", extra=fields(channels=len(items), live_calls=len(live), closed=len(closed), backfilled=len(made)))
        self.down_since = None
        self._beat.set()

    async def queue_poller(self) -> None:
        """Every `ami_queue_poll_seconds` while the link is up: QueueStatus, reconciled into the board."""
        every = self.settings.ami_queue_poll_seconds
        if every <= 0:
            return
        while not self._closing:
            await asyncio.sleep(every)
            if self.state != "up":
                continue
            try:
                await self.poll_queues()
            except Exception as exc:  # noqa: BLE001 - a failed poll is retried at the next tick; the link logic handles drops
                logger.warning("queue status poll failed", extra=fields(error=type(exc).__name__))

    async def poll_queues(self) -> None:
        items = await self.ami.list_action({"Action": "QueueStatus"})
        for _ in range(1000):  # events read before the list's end are applied first, so the list has the last word
            if self.frames.empty():
                break
            await asyncio.sleep(0.005)
        events = [e for e in (translate(m) for m in items) if e is not None]
        self.board.reconcile(events, self.clock(), dict(self.tracker.leg_call))
        self._beat.set()

    async def _backfill(self, now: datetime) -> list[str]:
        if self.cdr_engine is None:
            return []
        since = self.down_since or await self._last_up() or now - BACKFILL_HORIZON
        since = max(since - timedelta(seconds=5), now - BACKFILL_HORIZON)
        tracker = self.tracker

        def calls_of(rows: list[dict[str, Any]]) -> Any:
            return inbound_from_cdr(
                rows,
                is_trunk=tracker.is_trunk,
                is_phone=lambda ch: bool(ch) and not ch.startswith("Local/") and not tracker.is_trunk(ch),
                contexts=tracker.inbound_contexts,
            )

        return await asyncio.to_thread(backfill, self.store, self.cdr_engine, calls_of, since=since, until=now)

    async def _last_up(self) -> datetime | None:
        try:
            raw = await self.aclient.get(LAST_UP_KEY)
            return datetime.fromisoformat(str(raw)) if raw else None
        except (redis.RedisError, ValueError):
            return None

    # -- live state --------------------------------------------------------------------------------
    async def heartbeat(self) -> None:
        """Write `cc:listener` every interval, and at once (within 50 ms) after a state change or a resync."""
        interval = min(self.settings.listener_heartbeat_seconds, 0.5)
        while not self._closing:
            await self.write_state()
            self._beat.clear()
            waited = 0.0
            while waited < interval and not self._beat.is_set() and not self._closing:
                await asyncio.sleep(0.05)
                waited += 0.05

    async def write_state(self) -> None:
        now = self.clock()
        ttl = max(1, round(self.settings.listener_heartbeat_seconds * 3))
        beat = json.dumps({"state": self.state, "since": self.since.isoformat(), "at": now.isoformat()})
        try:
            pipe = self.aclient.pipeline(transaction=False)
            pipe.set(streams.LISTENER_KEY, beat, ex=ttl)
            pipe.set(SEEN_KEY, now.isoformat())
            if self.state == "up":
                pipe.set(LAST_UP_KEY, now.isoformat())
            dirty, self.board.dirty = self.board.dirty, set()
            waiting = {name for name, view in self.board.queues.items() if view.waiting}  # their wait times move on
            for name in sorted(dirty | waiting):
                snap = self.board.snapshot(name, now)
                pipe.hset(streams.QUEUES_KEY, name, json.dumps(snap, ensure_ascii=False))
                if name not in dirty:
                    continue
                state = QueueState(queue=name, waiting=len(snap["waiting"]), members=snap["members"], counters=snap["counters"])
                pipe.xadd(
                    streams.EVENTS,
                    streams.event_fields(state.type, state.model_dump(mode="json")),
                    maxlen=streams.EVENTS_MAXLEN,
                    approximate=True,
                )
            await pipe.execute()
        except redis.RedisError as exc:
            logger.warning("heartbeat not written", extra=fields(error=str(exc)))

    async def run(self, stop: asyncio.Event) -> None:
        from telephony.commands import CommandConsumer

        commands = CommandConsumer(self)
        tasks = [
            asyncio.create_task(self.ami.run(), name="ami"),
            asyncio.create_task(self.consume(), name="consume"),
            asyncio.create_task(self.heartbeat(), name="heartbeat"),
            asyncio.create_task(commands.run(), name="commands"),
            asyncio.create_task(self.drainer(), name="drainer"),
            asyncio.create_task(self.queue_poller(), name="queue-poller"),
        ]
        waiter = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in done - {waiter}:
            if not task.cancelled() and task.exception() is not None:
                logger.error("listener task failed", exc_info=task.exception(), extra=fields(task=task.get_name()))
                self.failed = True  # the process exits non-zero, so its supervisor restarts it
        self._closing = True
        self.ami.stop()
        _, pending = await asyncio.wait(tasks[:1], timeout=2)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.settle(), 10)
        await asyncio.to_thread(self.store.drain)
        for task in [*tasks[1:], *pending, waiter]:
            task.cancel()
        await asyncio.gather(*tasks, waiter, return_exceptions=True)
        self.state, self.since = "down", self.clock()
        await self.write_state()
