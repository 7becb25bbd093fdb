"""Pause and wrap-up time: two recorders (two API instances) follow real `queue.state` events on Redis into the
agent state log once, and the wallboard's operator figures add them up to the second."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select
from starlette.testclient import TestClient

from agent_console.state_recorder import StateTracker, record_agent_states
from appeals.models import AgentStateLog, Role
from runtime.streams import publish
from tests.conftest import Clock
from tests.factories import make_user, token_for

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def _member(interface: str, minute: int, *, paused: str | None = None, status: int = 1) -> dict[str, Any]:
    return {
        "interface": interface,
        "name": interface,
        "status": status,
        "paused": paused is not None,
        "paused_reason": paused or "",
        "in_call": False,
        "since": (T0 + timedelta(minutes=minute)).isoformat(),
    }


def _state(client: redis.Redis, queue: str, minute: int, *members: dict[str, Any]) -> None:
    data = {"queue": queue, "waiting": 0, "members": list(members), "counters": {}}
    publish(client, "queue.state", data, at=T0 + timedelta(minutes=minute))


def _events(client: redis.Redis) -> None:
    """op101: free 08:00, lunch 08:30–09:00, free, wrap-up 09:10–09:12, free (in both queues, same states);
    op102: paused from 09:20 (to now, 09:30); op103: paused from 09:15 until it left the queue at 09:25."""
    op101 = [_member("PJSIP/op101", 0)]
    _state(client, "hotline", 0, *op101, _member("PJSIP/op103", 0))
    _state(client, "consult", 0, *op101)
    _state(client, "hotline", 30, _member("PJSIP/op101", 30, paused="обід"), _member("PJSIP/op103", 0))
    _state(client, "consult", 30, _member("PJSIP/op101", 30, paused="обід"))
    _state(client, "hotline", 60, _member("PJSIP/op101", 60), _member("PJSIP/op103", 0))
    _state(client, "hotline", 70, _member("PJSIP/op101", 70, paused="wrapup"), _member("PJSIP/op103", 0))
    _state(client, "hotline", 72, _member("PJSIP/op101", 72), _member("PJSIP/op103", 0))
    _state(client, "hotline", 75, _member("PJSIP/op101", 72), _member("PJSIP/op103", 75, paused="перерва"))
    _state(
        client,
        "hotline",
        80,
        _member("PJSIP/op101", 72),
        _member("PJSIP/op103", 75, paused="перерва"),
        _member("PJSIP/op102", 80, paused="перерва"),
    )
    _state(client, "hotline", 85, _member("PJSIP/op101", 72), _member("PJSIP/op102", 80, paused="перерва"))


def _rows(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(AgentStateLog)).one())


async def _follow(engine: Engine, redis_client: redis.Redis, expected: int) -> None:
    """Two recorders (two API instances) follow the stream while the events are published."""
    tasks = [asyncio.create_task(record_agent_states(engine, redis_client)) for _ in range(2)]
    try:
        await asyncio.sleep(0.5)
        _events(redis_client)
        for _ in range(100):
            if _rows(engine) >= expected:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def test_two_recorders_write_each_state_once_and_the_wallboard_sums_them(
    engine: Engine, redis_client: redis.Redis, client: TestClient, clock: Clock
) -> None:
    make_user(engine, "op1", Role.operator, now=clock.now, extension="PJSIP/op101")
    make_user(engine, "op2", Role.operator, now=clock.now, extension="PJSIP/op102")
    make_user(engine, "sup", Role.supervisor, now=clock.now)
    publish(redis_client, "call.offered", {"call_id": "x", "appeal_id": None, "caller": None})
    expected = 9  # op101: 5 states; op103: free, paused, offline; op102: paused
    # a loop of its own in a thread: independent of whatever loop another test's fixtures left running
    runner = threading.Thread(target=asyncio.run, args=(_follow(engine, redis_client, expected),))
    runner.start()
    runner.join(timeout=30)
    assert _rows(engine) == expected
    with Session(engine) as session:
        op103 = session.exec(
            select(AgentStateLog.state).where(AgentStateLog.interface == "PJSIP/op103").order_by(col(AgentStateLog.since))
        ).all()
    assert list(op103) == ["free", "paused", "offline"]
    body = client.get("/api/wallboard", headers=token_for(client, "sup")).json()
    times = {o["extension"]: (o["name"], o["calls"], o["pause_seconds"], o["wrapup_seconds"]) for o in body["operators"]}
    assert times == {
        "PJSIP/op101": ("op1", 0, 1800.0, 120.0),
        "PJSIP/op102": ("op2", 0, 600.0, 0.0),
        "PJSIP/op103": ("PJSIP/op103", 0, 600.0, 0.0),
    }


def test_tracker_passes_on_changes_only() -> None:
    tracker = StateTracker()
    at = T0 + timedelta(minutes=1)
    first = tracker.changes("hotline", [_member("PJSIP/op101", 0), _member("PJSIP/op102", 0, status=6)], at=at)
    assert [(s.interface, s.state) for s in first] == [("PJSIP/op101", "free"), ("PJSIP/op102", "ringing")]
    assert tracker.changes("hotline", [_member("PJSIP/op101", 0), _member("PJSIP/op102", 0, status=6)], at=at) == []
    left = tracker.changes("hotline", [_member("PJSIP/op101", 0)], at=at)
    assert [(s.interface, s.state, s.since) for s in left] == [("PJSIP/op102", "offline", at)]


@pytest.mark.parametrize("reason", ["wrap_up", "wrapup", "Wrap-up", "Обробка після дзвінка"])
def test_wrapup_reasons(reason: str) -> None:
    [state] = StateTracker().changes("q", [_member("PJSIP/op101", 0, paused=reason)], at=T0)
    assert (state.state, state.reason) == ("wrapup", reason)
