"""Records queue members' states from the listener's `queue.state` events into the agent state log (pause and
wrap-up time on the wallboard). Every API instance runs one; the log's unique key makes them agree."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from typing import Any

import anyio
import redis
from sqlalchemy import Engine
from sqlmodel import Session

from appeals.agent_states import MemberState, member_states, record_states
from runtime.streams import EVENTS, QUEUES_KEY, decode_entry

logger = logging.getLogger(__name__)

BLOCK_MS = 800  # well inside the client's 2 s socket timeout, so a quiet stream is not a read timeout
BATCH = 500


class StateTracker:
    """What this process last recorded per interface, so only changes reach the database."""

    def __init__(self) -> None:
        self.last: dict[str, tuple[datetime, str]] = {}
        self.members: dict[str, set[str]] = {}

    def changes(self, queue: str, members: list[dict[str, Any]], *, at: datetime) -> list[MemberState]:
        """New states in this queue snapshot, plus `offline` for phones that left every queue."""
        states = member_states(members, at=at)
        present = {s.interface for s in states}
        gone = self.members.get(queue, set()) - present
        self.members[queue] = present
        elsewhere = set().union(*self.members.values()) if self.members else set()
        out = [s for s in states if self.last.get(s.interface) != (s.since, s.state)]
        out += [MemberState(i, "offline", "", at) for i in sorted(gone - elsewhere) if self.last.get(i, (at, ""))[1] != "offline"]
        for item in out:
            self.last[item.interface] = (item.since, item.state)
        return out


def _now() -> datetime:
    return datetime.now(UTC)


def _snapshot_changes(client: redis.Redis, tracker: StateTracker) -> tuple[str, list[MemberState]]:
    """The stream position to follow from, and the states in the current `cc:queues` snapshot."""
    newest: Any = client.xrevrange(EVENTS, count=1)
    position = str(newest[0][0]) if newest else "0-0"
    raw: Any = client.hgetall(QUEUES_KEY) or {}
    out: list[MemberState] = []
    for queue, value in raw.items():
        try:
            state = json.loads(value)
        except (TypeError, json.JSONDecodeError):
            continue
        if isinstance(state, dict):
            out += tracker.changes(str(queue), list(state.get("members") or []), at=_now())
    return position, out


def _read_changes(client: redis.Redis, tracker: StateTracker, position: str) -> tuple[str, list[MemberState]]:
    try:
        reply: Any = client.xread({EVENTS: position}, count=BATCH, block=BLOCK_MS)
    except redis.TimeoutError:  # a slow server on a busy machine: nothing read, nothing lost; read on from here
        return position, []
    out: list[MemberState] = []
    for _stream, entries in reply or []:
        for entry_id, fields in entries:
            position = str(entry_id)
            type_, _v, at, data = decode_entry({str(k): str(v) for k, v in fields.items()})
            if type_ != "queue.state" or not data.get("queue"):
                continue
            moment = datetime.fromisoformat(at) if at else _now()
            out += tracker.changes(str(data["queue"]), list(data.get("members") or []), at=moment)
    return position, out


def _store(engine: Engine, states: list[MemberState]) -> int:
    with Session(engine) as session:
        return record_states(session, states)


async def record_agent_states(engine: Engine, client: redis.Redis, *, retry_seconds: float = 2.0) -> None:
    """Follow `cc:events` for ever (cancel to stop); Redis or DB trouble is logged and retried."""
    tracker = StateTracker()
    position: str | None = None
    while True:
        try:
            if position is None:
                position, states = await anyio.to_thread.run_sync(_snapshot_changes, client, tracker)
            else:
                position, states = await anyio.to_thread.run_sync(_read_changes, client, tracker, position)
            if states:
                await anyio.to_thread.run_sync(_store, engine, states)
        except Exception:  # the recorder must outlive Redis and database outages; it resyncs from the snapshot
            logger.warning("agent state recorder failed; retrying", exc_info=True)
            tracker.last.clear()
            position = None
            await asyncio.sleep(retry_seconds)
