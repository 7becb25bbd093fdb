"""CDR backfill of calls that began and ended while the AMI link was down, with the simulator writing the CDR rows
as Asterisk does: a caller who pressed "call me back" gets a requested-callback task (the dialplan marks the CDR's
userfield, since the UserEvent reached no listener), another who hung up gets a missed-call task."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import Engine, create_engine
from sqlmodel import Session, select

from appeals.models import Appeal, Call, CallbackKind, CallbackTask
from telephony.backfill import backfill, inbound_from_cdr
from telephony.sim.server import SimConfig, Simulator
from telephony.sim.spec import CallSpec
from telephony.store import Store
from telephony.tracker import Tracker


async def test_outage_calls_backfilled_with_their_callback_requests(engine: Engine, redis_client: redis.Redis, tmp_path: Path) -> None:
    cdr_url = f"sqlite:///{tmp_path / 'cdr.db'}"
    sim = Simulator(SimConfig(speed=1000, cdr_database_url=cdr_url, recordings_dir=tmp_path))
    started = datetime.now(UTC) - timedelta(seconds=1)
    try:  # no listener is connected: these calls exist only in the CDR
        asked = sim.engine.place(CallSpec(outcome="callback_request", caller="0671112233", did="1551", wait_seconds=5))
        hung_up = sim.engine.place(CallSpec(outcome="abandoned", caller="0501234567", did="1551", wait_seconds=5))
        await asyncio.wait_for(asyncio.gather(asked.task, hung_up.task), 30)
        await sim.flush_cdr()
    finally:
        await sim.close()
    tracker = Tracker(trunk_endpoints=["trunk"], inbound_contexts=["from-trunk"])

    def calls_of(rows: list[dict[str, Any]]) -> Any:
        phone = lambda ch: bool(ch) and not ch.startswith("Local/") and not tracker.is_trunk(ch)  # noqa: E731
        return inbound_from_cdr(rows, is_trunk=tracker.is_trunk, is_phone=phone, contexts=tracker.inbound_contexts)

    cdr_engine = create_engine(cdr_url)
    store = Store(engine, redis_client)
    until = datetime.now(UTC) + timedelta(minutes=5)
    made = await asyncio.to_thread(backfill, store, cdr_engine, calls_of, since=started, until=until)
    again = await asyncio.to_thread(backfill, store, cdr_engine, calls_of, since=started, until=until)
    cdr_engine.dispose()
    assert sorted(made) == sorted([asked.linkedid, hung_up.linkedid])
    assert again == []  # idempotent
    with Session(engine) as session:
        tasks = {(t.call_id, t.kind) for t in session.exec(select(CallbackTask)).all()}
        calls = {c.call_id: c for c in session.exec(select(Call)).all()}
        appeals = session.exec(select(Appeal)).all()
    assert tasks == {(asked.linkedid, CallbackKind.requested_callback), (hung_up.linkedid, CallbackKind.missed_call)}
    assert all(c.source == "cdr" and c.ended_at is not None and not c.answered for c in calls.values())
    assert calls[asked.linkedid].caller == "+380671112233"
    assert len(appeals) == 2
    assert all(a.missed for a in appeals)
