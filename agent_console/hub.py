"""The console hub: one `cc:events` reader per API process fanning notifications out to its connected consoles.

Each console has a bounded queue and one sender task; a console whose queue overflows, or whose socket does not take
a frame within `send_timeout`, is dropped (it reconnects and resyncs from a snapshot), never waited for. Every API
instance reads the stream itself, so any instance serves any user.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import redis.asyncio as aredis
from redis.exceptions import RedisError

from agent_console.card_prefetch import CardPrefetch
from agent_console.hub_state import Audience, LiveCall, LiveState, audience
from appeals.models import Role
from runtime.metrics import CARD_LATENCY
from runtime.streams import EVENTS, QUEUES_KEY, decode_entry

logger = logging.getLogger(__name__)

CardBuilder = Callable[[LiveCall], Awaitable[dict[str, Any]]]
WorklistReader = Callable[["ConsoleUser"], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class HubConfig:
    """The hub's sizes and timings (the CALLCENTER_HUB_* settings; see agent_console/settings.py)."""

    queue_size: int = 256
    heartbeat_seconds: float = 15.0
    send_timeout: float = 10.0
    bootstrap_entries: int = 2000
    block_ms: int = 1000
    max_calls: int = 5000

    def __post_init__(self) -> None:
        for name in ("queue_size", "heartbeat_seconds", "send_timeout", "bootstrap_entries", "block_ms", "max_calls"):
            if not getattr(self, name) > 0:
                msg = f"HubConfig.{name} must be positive, got {getattr(self, name)!r}"
                raise ValueError(msg)


@dataclass(frozen=True)
class ConsoleUser:
    id: int
    username: str
    full_name: str
    role: Role
    extension: str | None

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username, "full_name": self.full_name, "role": self.role.value, "extension": self.extension}


class Outgoing(NamedTuple):
    text: str
    card_at: float | None = None
    """Epoch seconds of the ringing event, for a card frame: CARD_LATENCY is observed when the frame is sent."""


@dataclass(eq=False)
class Client:
    """One open console: its user, its bounded queue; `held` buffers deltas while a snapshot is being built."""

    user: ConsoleUser
    queue: asyncio.Queue[Outgoing]
    held: list[Outgoing] | None = None
    dropped: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, item: Outgoing) -> None:
        """Enqueue without waiting; a full queue drops the client."""
        if self.dropped.is_set():
            return
        if self.held is not None:
            if len(self.held) >= self.queue.maxsize:
                self.dropped.set()
            else:
                self.held.append(item)
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped.set()

    def release(self, snapshot: Outgoing) -> None:
        """Send the snapshot, then the deltas that arrived while it was built."""
        held, self.held = self.held or [], None
        for item in (snapshot, *held):
            self.offer(item)


def _entries(raw: Any) -> list[tuple[str, dict[str, str]]]:
    """Stream entries as (id, fields) with str keys and values (the client decodes responses)."""
    return [(str(entry_id), {str(k): str(v) for k, v in (fields or {}).items()}) for entry_id, fields in raw or []]


def _epoch(at: str) -> float:
    try:
        return datetime.fromisoformat(at).timestamp()
    except ValueError:
        return time.time()


class ConsoleHub:
    def __init__(self, client: aredis.Redis, *, cards: CardBuilder, worklist: WorklistReader, config: HubConfig | None = None) -> None:
        self.redis = client
        self.config = config or HubConfig()
        self.cards = cards
        self.worklist = worklist
        self.state = LiveState(max_calls=self.config.max_calls)
        self.position = "0-0"
        self.clients: set[Client] = set()
        self.supervisors: set[Client] = set()
        self.by_interface: dict[str, set[Client]] = {}
        self.prefetch = CardPrefetch(self._card)
        self.ready = asyncio.Event()

    # ---- clients ----
    def register(self, user: ConsoleUser) -> Client:
        client = Client(user, asyncio.Queue(self.config.queue_size), held=[])
        self.clients.add(client)
        if user.role is Role.supervisor:
            self.supervisors.add(client)
        if user.extension:
            self.by_interface.setdefault(user.extension, set()).add(client)
        return client

    def unregister(self, client: Client) -> None:
        self.clients.discard(client)
        self.supervisors.discard(client)
        if client.user.extension and (peers := self.by_interface.get(client.user.extension)) is not None:
            peers.discard(client)
            if not peers:
                del self.by_interface[client.user.extension]

    def _targets(self, who: Audience) -> set[Client]:
        out: set[Client] = set()
        if who.desks:
            out.update(self.clients)
        elif who.supervisors:
            out.update(self.supervisors)
        for interface in who.interfaces:
            out.update(self.by_interface.get(interface, ()))
        return out

    # ---- snapshot ----
    async def snapshot(self, client: Client, *, resync: bool = False) -> Outgoing:
        """The user's state now: their calls and cards (all, for supervisors), queues for supervisors, worklist."""
        user = client.user
        position = self.position
        supervisor = user.role is Role.supervisor
        calls = list(self.state.calls.values()) if supervisor else self.state.for_interface(user.extension)
        cards = []
        for call in calls:
            if call.card is None and (call.ringing or call.answered_by):
                call.card = await self.prefetch.take(call)
            if call.card is not None:
                cards.append({"call_id": call.call_id, "appeal_id": call.appeal_id, "interface": user.extension, "card": call.card})
        body: dict[str, Any] = {
            "type": "snapshot",
            "id": position,
            "resync": resync,
            "heartbeat": self.config.heartbeat_seconds,
            "user": user.public(),
            "calls": [c.public() for c in calls],
            "cards": cards,
            "queues": await self._queues() if supervisor else [],
            "worklist": await self.worklist(user),
        }
        return Outgoing(json.dumps(body, ensure_ascii=False))

    async def _queues(self) -> list[dict[str, Any]]:
        try:
            async with asyncio.timeout(3):
                raw = await self.redis.hgetall(QUEUES_KEY)
        except (RedisError, TimeoutError):
            logger.warning("queue state unavailable for a snapshot")
            return []
        out = []
        for name, value in sorted(raw.items()):
            with contextlib.suppress(json.JSONDecodeError):
                item = json.loads(value)
                if isinstance(item, dict):
                    out.append({"queue": name, **item})
        return out

    async def _card(self, call: LiveCall) -> dict[str, Any] | None:
        try:
            return await self.cards(call)
        except Exception:
            logger.exception("caller card failed", extra={"event_data": {"call_id": call.call_id}})
            return None

    # ---- the stream ----
    async def bootstrap(self) -> None:
        """Fold the stream's recent entries so calls already ringing or answered are known; start reading after them."""
        async with asyncio.timeout(10):
            raw: Any = await self.redis.xrevrange(EVENTS, count=self.config.bootstrap_entries)
        for entry_id, fields in reversed(_entries(raw)):
            type_, _v, at, data = decode_entry(fields)
            self.state.apply(type_, at, data)
            self.position = entry_id
        self.ready.set()

    async def dispatch(self, entry_id: str, fields: dict[str, str]) -> None:
        type_, _v, at, data = decode_entry(fields)
        call = self.state.apply(type_, at, data)
        if type_ == "call.offered" and call is not None and self.clients:
            self.prefetch.start(call)  # ready by the time a phone rings; the reader never waits for the query
        elif type_ == "call.ended" and call is not None:
            self.prefetch.drop(call.call_id)
        if type_ == "call.agent_ringing" and call is not None:
            await self._ringing(entry_id, at, data, call)
        elif type_ == "call.agent_released" and call is not None:
            self._released(entry_id, data, call)
        else:
            text = json.dumps({"type": type_, "id": entry_id, "at": at, "data": data}, ensure_ascii=False)
            for client in self._targets(audience(type_, data, call)):
                client.offer(Outgoing(text))

    async def _ringing(self, entry_id: str, at: str, data: dict[str, Any], call: LiveCall) -> None:
        interface = str(data.get("interface", ""))
        operators = self.by_interface.get(interface, set())
        supervisors = self.supervisors if len(call.ringing) == 1 and call.answered_by is None else set()
        if not operators and not supervisors:
            return
        if call.card is None:
            call.card = await self.prefetch.take(call)
        body = {"type": "card", "id": entry_id, "at": at, "call_id": call.call_id, "appeal_id": call.appeal_id, "interface": interface}
        text = json.dumps({**body, "queue": call.queue, "card": call.card}, ensure_ascii=False)
        rang = _epoch(at)
        for client in operators:
            client.offer(Outgoing(text, rang))
        for client in supervisors:
            client.offer(Outgoing(text))

    def _released(self, entry_id: str, data: dict[str, Any], call: LiveCall) -> None:
        interface = str(data.get("interface", ""))
        text = json.dumps({"type": "card.withdrawn", "id": entry_id, "call_id": call.call_id, "interface": interface})
        targets = set(self.by_interface.get(interface, ()))
        if not call.ringing and call.answered_by is None:
            targets.update(self.supervisors)
        for client in targets:
            client.offer(Outgoing(text))

    async def read_forever(self) -> None:
        backoff = 0.2
        while True:
            try:
                if not self.ready.is_set():
                    await self.bootstrap()
                async with asyncio.timeout(self.config.block_ms / 1000 + 5):
                    response: Any = await self.redis.xread({EVENTS: self.position}, count=500, block=self.config.block_ms)
                backoff = 0.2
            except (RedisError, TimeoutError, OSError):
                logger.warning("console hub cannot read cc:events; retrying", extra={"event_data": {"retry_in": backoff}})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            for _stream, entries in response or []:
                for entry_id, fields in _entries(entries):
                    await self.dispatch(entry_id, fields)
                    self.position = entry_id

    async def heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.heartbeat_seconds)
            text = json.dumps({"type": "heartbeat", "interval": self.config.heartbeat_seconds, "at": datetime.now(UTC).isoformat()})
            for client in list(self.clients):
                client.offer(Outgoing(text))

    async def run(self) -> None:
        """Read the stream and send heartbeats until cancelled."""
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self.read_forever())
                group.create_task(self.heartbeat_forever())
        finally:
            self.prefetch.close()

    # ---- one connection's sending half ----
    async def send_forever(self, client: Client, send: Callable[[str], Awaitable[None]]) -> None:
        while True:
            item = await client.queue.get()
            try:
                async with asyncio.timeout(self.config.send_timeout):
                    await send(item.text)
            except TimeoutError:
                client.dropped.set()
                return
            if item.card_at is not None:
                CARD_LATENCY.observe(max(0.0, time.time() - item.card_at))
