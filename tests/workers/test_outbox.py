"""The transactional outbox: notifications reach `cc:events` after commit, and wait out a Redis outage."""

from __future__ import annotations

import json

import redis
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.history import enqueue_after_commit
from appeals.models import OutboxMessage, Role
from runtime.streams import decode_entry, read_range
from tests.conftest import Clock
from tests.factories import make_registered
from workers.outbox import drain_outbox
from workers.queues import ROUTING, queue


def test_registration_notifies_consoles_through_the_stream(engine: Engine, redis_client: redis.Redis, clock: Clock) -> None:
    with Session(engine) as session:
        appeal = make_registered(session, Actor(None, Role.operator), now=clock.now)
    assert drain_outbox(engine, redis_client) == 2  # the event, and the routing job
    assert queue(ROUTING, redis_client).fetch_job(f"route-{appeal.id}") is not None
    entries = read_range(redis_client)
    assert len(entries) == 1
    type_, version, at, data = decode_entry(entries[0][1])
    assert (type_, version, data) == ("appeal.updated", 1, {"appeal_id": appeal.id, "status": "registered"})
    assert at.startswith("2026-11-24T09:30")
    assert drain_outbox(engine, redis_client) == 0


def test_jobs_wait_in_the_outbox_while_redis_is_down(engine: Engine, redis_client: redis.Redis, clock: Clock) -> None:
    with Session(engine) as session:
        enqueue_after_commit(session, ROUTING, "workers.queues.queue", args=[1], job_id="route-1", now=clock.now)
        session.commit()
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    assert drain_outbox(engine, dead) == 0
    with Session(engine) as session:
        row = session.exec(select(OutboxMessage)).one()
        assert (row.published_at, row.attempts) == (None, 1)
    assert drain_outbox(engine, redis_client) == 1
    job = queue(ROUTING, redis_client).fetch_job("route-1")
    assert job is not None
    assert list(job.args) == [1]
    assert drain_outbox(engine, redis_client) == 0
    with Session(engine) as session:
        assert session.exec(select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))).all() == []


def test_event_payload_keeps_cyrillic_readable(engine: Engine, redis_client: redis.Redis, clock: Clock) -> None:
    from appeals.events import CommandResult
    from appeals.history import emit

    with Session(engine) as session:
        emit(session, CommandResult(command_id="c1", kind="originate", outcome="failed", reason="Абонент недоступний"), now=clock.now)
        session.commit()
    drain_outbox(engine, redis_client)
    raw = read_range(redis_client)[0][1]["data"]
    assert "Абонент недоступний" in raw
    assert json.loads(raw)["outcome"] == "failed"
