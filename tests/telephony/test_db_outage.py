"""The database unreachable for a while (SQLite held locked past its busy timeout): the call's draft is written when it
comes back, nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import redis
import redis.asyncio as aredis
from sqlmodel import Session, select

from appeals.models import Appeal, Call
from callcenter.wiring import upgrade_database
from runtime import streams
from runtime.db import build_engine
from telephony.listener import Listener
from tests.conftest import REDIS_URL
from tests.telephony.conftest import FakeAmi, eventually, telephony_settings
from tests.telephony.wire import Chan, agent, hangup, new_channel


async def test_draft_written_after_the_database_comes_back(ami: FakeAmi, tmp_path: Path, redis_client: redis.Redis) -> None:
    path = tmp_path / "outage.db"
    upgrade_database(f"sqlite:///{path}")
    engine = build_engine(f"sqlite:///{path}")
    aclient = aredis.Redis.from_url(REDIS_URL, decode_responses=True)
    listener = Listener(telephony_settings(ami.port), engine=engine, client=redis_client, aclient=aclient, clock=lambda: datetime.now(UTC))
    stop = asyncio.Event()
    task = asyncio.create_task(listener.run(stop))
    try:
        await eventually(lambda: ami.clients)
        blocker = sqlite3.connect(path, timeout=1, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")  # nobody else can read or write until it ends
        leg = Chan("PJSIP/trunk-00000077", "7.7", "7.7", num="0501234567")
        await ami.send(new_channel(leg))
        await asyncio.sleep(12)  # longer than the busy timeout (10 s): the write fails and is retried
        blocker.execute("ROLLBACK")
        blocker.close()

        def calls() -> list[Call]:
            with Session(engine) as session:
                return list(session.exec(select(Call)).all())

        await eventually(lambda: len(calls()) == 1, within=30, what="the draft after the outage")
        await ami.send(hangup(leg.at(state="6")))
        await eventually(lambda: calls()[0].ended_at is not None, within=15, what="the call ended")
        with Session(engine) as session:
            assert len(session.exec(select(Appeal)).all()) == 1
    finally:
        stop.set()
        await task
        await aclient.aclose()
        engine.dispose()


async def test_ringing_goes_out_while_another_calls_write_waits_for_the_database(
    ami: FakeAmi, tmp_path: Path, redis_client: redis.Redis
) -> None:
    """call.agent_ringing touches no table: it must not queue behind other calls' database writes (the caller card)."""
    path = tmp_path / "busy.db"
    upgrade_database(f"sqlite:///{path}")
    engine = build_engine(f"sqlite:///{path}")
    aclient = aredis.Redis.from_url(REDIS_URL, decode_responses=True)
    listener = Listener(telephony_settings(ami.port), engine=engine, client=redis_client, aclient=aclient, clock=lambda: datetime.now(UTC))
    stop = asyncio.Event()
    task = asyncio.create_task(listener.run(stop))
    first = Chan("PJSIP/trunk-00000081", "8.1", "8.1", num="0501234567")
    second = Chan("PJSIP/trunk-00000082", "8.2", "8.2", num="0507654321")
    operator = Chan("PJSIP/op101-00000001", "8.3", "8.1", context="operators", num="101")

    def ringing() -> list[dict[str, object]]:
        return [json.loads(f["data"]) for _, f in streams.read_range(redis_client) if f["type"] == "call.agent_ringing"]

    try:
        await eventually(lambda: ami.clients)
        await ami.send(new_channel(first))
        await eventually(lambda: listener.appeal_of.get("8.1"), what="the first call's draft")
        blocker = sqlite3.connect(path, timeout=1, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")  # the second call's draft waits for the database (busy timeout 10 s)
        try:
            await ami.send(new_channel(second))
            await asyncio.sleep(0.3)
            await ami.send(agent("AgentCalled", first.at(state="6"), operator, "hotline", "PJSIP/op101", "Оператор 101"))
            found = await eventually(ringing, within=2, what="call.agent_ringing while the database is busy")
            assert found[0]["call_id"] == "8.1"
            assert found[0]["interface"] == "PJSIP/op101"
            assert found[0]["appeal_id"] == listener.appeal_of["8.1"]
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await eventually(lambda: listener.appeal_of.get("8.2"), within=15, what="the second call's draft after the lock")
    finally:
        stop.set()
        await task
        await aclient.aclose()
        engine.dispose()
