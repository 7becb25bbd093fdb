"""Redis stream I/O for `cc:events` and `cc:commands` (entry fields: type, v, at, data)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import redis
import redis.asyncio as aredis
from redis.typing import EncodableT, FieldT

EVENTS = "cc:events"
COMMANDS = "cc:commands"
EVENTS_MAXLEN = 100_000
LISTENER_KEY = "cc:listener"
QUEUES_KEY = "cc:queues"


def event_fields(type_: str, data: dict[str, Any], *, version: int = 1, at: datetime | None = None) -> dict[FieldT, EncodableT]:
    return {"type": type_, "v": str(version), "at": (at or datetime.now(UTC)).isoformat(), "data": json.dumps(data, ensure_ascii=False)}


def publish(
    client: redis.Redis, type_: str, data: dict[str, Any], *, version: int = 1, at: datetime | None = None, stream: str = EVENTS
) -> str:
    """Append one event; the returned entry id is its sequence number for consoles."""
    return str(client.xadd(stream, event_fields(type_, data, version=version, at=at), maxlen=EVENTS_MAXLEN, approximate=True))


async def publish_async(
    client: aredis.Redis, type_: str, data: dict[str, Any], *, version: int = 1, at: datetime | None = None, stream: str = EVENTS
) -> str:
    return str(await client.xadd(stream, event_fields(type_, data, version=version, at=at), maxlen=EVENTS_MAXLEN, approximate=True))


def decode_entry(fields: dict[str, str]) -> tuple[str, int, str, dict[str, Any]]:
    """(type, version, at, data) of a stream entry; a malformed `data` becomes {}."""
    try:
        data = json.loads(fields.get("data", "{}"))
    except json.JSONDecodeError:
        data = {}
    return fields.get("type", ""), int(fields.get("v", "1") or 1), fields.get("at", ""), data if isinstance(data, dict) else {}


def read_listener_state(client: redis.Redis) -> dict[str, Any] | None:
    """The listener's heartbeat {state, since, at}, or None when no listener reported recently."""
    raw = client.get(LISTENER_KEY)
    if not raw:
        return None
    try:
        value = json.loads(str(raw))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def read_range(
    client: redis.Redis, stream: str = EVENTS, start: str = "-", end: str = "+", count: int | None = None
) -> list[tuple[str, dict[str, str]]]:
    """Entries of a stream as (id, fields) with str keys and values (the client must decode responses)."""
    raw: Any = client.xrange(stream, min=start, max=end, count=count)
    return [(str(entry_id), {str(k): str(v) for k, v in (fields or {}).items()}) for entry_id, fields in raw or []]
