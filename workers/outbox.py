"""Draining the transactional outbox: notifications to `cc:events` and jobs to their rq queues."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime, timedelta

import redis
from redis.exceptions import LockError
from redis.lock import Lock
from sqlalchemy import Engine, and_, not_
from sqlmodel import Session, col, select

from appeals.models import OutboxMessage
from runtime import streams
from workers.queues import DEFAULT_RETRY, enqueue

logger = logging.getLogger(__name__)
BATCH = 200
HoldBack = tuple[str, timedelta]
DRAIN_LOCK = "cc:outbox:drain"


def _enqueue_job(client: redis.Redis, row: OutboxMessage) -> None:
    payload = row.payload
    args = payload.get("args", [])
    retry = payload.get("retry")
    intervals = [int(v) for v in retry] if isinstance(retry, list) else DEFAULT_RETRY
    enqueue(client, row.topic, str(payload["func"]), args if isinstance(args, list) else [], job_id=str(payload["job_id"]), retry=intervals)


def drain_outbox(engine: Engine, client: redis.Redis, *, batch: int = BATCH) -> int:
    """Publish unpublished outbox rows in id order; returns how many were published.

    At-least-once: a crash between XADD and the commit publishes a row again. Rows stay unpublished
    while Redis is down and go out when it returns. On PostgreSQL concurrent drainers skip locked rows;
    SQLite has no row locks, so there drainers (the API, the scheduler, jobs) take turns through a Redis lock.
    """
    return try_drain(engine, client, batch=batch) or 0


def try_drain(engine: Engine, client: redis.Redis, *, batch: int = BATCH, hold_back: HoldBack | None = None) -> int | None:
    """As `drain_outbox`, but None when another drainer holds the SQLite turn: the caller must try again later,
    or rows written just before the other drainer's read would wait for the next unrelated drain.

    `hold_back` = (topic, age): rows of that topic younger than that are left alone — the listener publishes its own
    `call.offered` right after the draft's commit, and its drainer taking the row in between only adds latency."""
    if engine.dialect.name != "sqlite":
        return _drain(engine, client, batch, hold_back)
    lock = Lock(client, DRAIN_LOCK, timeout=30, blocking=False, thread_local=False)
    try:
        acquired = bool(lock.acquire(blocking=False))
    except redis.RedisError:
        acquired = True  # Redis is down: nothing can go out twice; the drain records the attempt
    if not acquired:
        return None
    try:
        return _drain(engine, client, batch, hold_back)
    finally:
        with contextlib.suppress(redis.RedisError, LockError):
            lock.release()


def _drain(engine: Engine, client: redis.Redis, batch: int, hold_back: HoldBack | None = None) -> int:
    query = select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))
    if hold_back is not None:
        topic, age = hold_back
        fresh = and_(col(OutboxMessage.topic) == topic, col(OutboxMessage.created_at) > datetime.now(UTC) - age)
        query = query.where(not_(fresh))
    with Session(engine) as session:
        rows = session.exec(query.order_by(col(OutboxMessage.id)).limit(batch).with_for_update(skip_locked=True)).all()
        if not rows:
            return 0
        now = datetime.now(UTC)
        done = 0
        try:
            pipe = client.pipeline(transaction=False)
            for row in rows:
                payload = row.payload
                if row.kind == "job":
                    _enqueue_job(client, row)
                    continue
                data = payload.get("data", {})
                pipe.xadd(
                    streams.EVENTS,
                    streams.event_fields(
                        row.topic, data if isinstance(data, dict) else {}, version=int(str(payload.get("v", 1))), at=row.created_at
                    ),
                    maxlen=streams.EVENTS_MAXLEN,
                    approximate=True,
                )
            pipe.execute()
            for row in rows:
                row.published_at = now
                session.add(row)
            done = len(rows)
        except redis.RedisError as exc:
            logger.warning("outbox drain failed; will retry", extra={"event_data": {"error": str(exc), "pending": len(rows)}})
            for row in rows:
                row.attempts += 1
                session.add(row)
        session.commit()
        return done
