"""The listener's outbox publishing: `call.offered` reaches cc:events exactly once even when another process holds
the SQLite drain turn at that moment, and a drain empties the outbox however many batches it holds."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from sqlalchemy import Engine, create_engine
from sqlmodel import Session, col, select

from appeals.events import CallEnded, CallOffered
from appeals.history import emit
from appeals.models import OutboxMessage
from runtime import streams
from telephony.effects import Offered
from telephony.store import Store
from tests.telephony.conftest import FakeAmi, eventually
from tests.telephony.wire import Chan, new_channel, queue_join
from workers.outbox import BATCH, DRAIN_LOCK


def _offered(client: redis.Redis) -> list[str]:
    return [json.loads(f["data"])["call_id"] for _, f in streams.read_range(client) if f["type"] == "call.offered"]


def _pending(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))).all())


def _effect(call_id: str) -> Offered:
    now = datetime.now(UTC)
    return Offered(call_id=call_id, caller="0501234567", caller_name="", started_at=now, did="1551", queue="hotline", channel="PJSIP/t-1")


def test_offer_while_another_process_drains_goes_out_once_at_the_next_drain(engine: Engine, redis_client: redis.Redis) -> None:
    store = Store(engine, redis_client)
    other = redis_client.lock(DRAIN_LOCK, timeout=30)
    assert other.acquire(blocking=False)  # the API or the scheduler is draining (SQLite's turn)
    try:
        appeal_id, published = store.offer(_effect("9.1"), now=datetime.now(UTC))
        assert appeal_id is not None
        if engine.dialect.name == "sqlite":
            assert published is None  # not published behind the other drainer's back ...
            assert store.drain() is False  # ... and the drain says it must be tried again, rather than "done"
            assert _offered(redis_client) == []
        else:
            assert published is not None  # PostgreSQL locks the row itself; the Redis turn is SQLite's
    finally:
        other.release()
    assert store.drain() is True
    assert store.drain() is True
    assert _offered(redis_client) == ["9.1"]
    assert _pending(engine) == 0


def test_one_drain_empties_an_outbox_of_many_batches(engine: Engine, redis_client: redis.Redis) -> None:
    count = BATCH * 2 + 17
    now = datetime.now(UTC)
    with Session(engine) as session:
        for i in range(count):
            emit(session, CallOffered(call_id=f"8.{i}", appeal_id=None, caller=None, did=None, queue=None), now=now)
        session.commit()
    assert Store(engine, redis_client).drain() is True
    assert _pending(engine) == 0
    assert len(_offered(redis_client)) == count


async def test_listener_rearms_its_drain_when_another_drainer_had_the_turn(
    ami: FakeAmi, start_listener: Any, engine: Engine, redis_client: redis.Redis
) -> None:
    """The SQLite defect this guards: a draft whose call.offered lost the race for the drain turn waited for some
    unrelated later event to be published (none came at the end of a burst: the event was never sent)."""
    other = redis_client.lock(DRAIN_LOCK, timeout=30)
    assert other.acquire(blocking=False)
    try:
        await start_listener(ami.port)
        await eventually(lambda: ami.clients)
        leg = Chan("PJSIP/trunk-00000091", "9.2", "9.2", num="0501110091")
        await ami.send(new_channel(leg) + queue_join(leg.at(state="6"), "hotline", 1, 1))
        await eventually(lambda: _pending(engine) == 0 or engine.dialect.name == "sqlite", what="the draft")
        if engine.dialect.name == "sqlite":
            await eventually(lambda: _pending(engine) > 0, what="the draft's outbox row")
            await asyncio.sleep(1.5)  # past the direct publish's wait for the turn, and the drain it triggers
            assert _offered(redis_client) == []
    finally:
        other.release()  # no further AMI traffic: only the re-armed drainer can publish it now
    await eventually(lambda: _offered(redis_client) == ["9.2"], what="call.offered after the other drainer finished")
    await eventually(lambda: _pending(engine) == 0, what="the outbox emptied")


def test_the_listeners_routine_drain_leaves_fresh_call_offered_rows_to_offer(engine: Engine, redis_client: redis.Redis) -> None:
    now = datetime.now(UTC)
    with Session(engine) as session:
        emit(session, CallOffered(call_id="7.1", appeal_id=None, caller=None, did=None, queue=None), now=now)
        emit(session, CallOffered(call_id="7.0", appeal_id=None, caller=None, did=None, queue=None), now=now - timedelta(minutes=1))
        emit(session, CallEnded(call_id="7.2", cause="16", answered=True, abandoned=False), now=now)
        session.commit()
    store = Store(engine, redis_client)
    assert store.drain(everything=False) is True
    types = [(f["type"], json.loads(f["data"])["call_id"]) for _, f in streams.read_range(redis_client)]
    assert types == [("call.offered", "7.0"), ("call.ended", "7.2")]  # an old offered row is not left behind
    assert _pending(engine) == 1
    assert store.drain() is True  # e.g. after an offer's own publish failed
    assert _offered(redis_client) == ["7.0", "7.1"]
    assert _pending(engine) == 0


def test_a_drain_while_the_database_is_down_says_so_instead_of_raising(redis_client: redis.Redis) -> None:
    """The drainer runs in the listener's process: an exception out of it stopped the whole listener during a
    PostgreSQL restart (the drill caught it). Now the drain reports "try again" and the rows wait in the database."""
    dead = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    try:
        assert Store(dead, redis_client).drain() is False
        assert Store(dead, redis_client).drain(everything=False) is False
    finally:
        dead.dispose()
