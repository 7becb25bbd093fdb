"""rq queue names and the one way to enqueue a job (idempotent job ids, retries for transient failures)."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence
from typing import Any

import redis
from rq import Queue, Retry
from rq.job import Job

from runtime.redis import raw_clone

logger = logging.getLogger(__name__)
_RAW: weakref.WeakKeyDictionary[redis.Redis, redis.Redis] = weakref.WeakKeyDictionary()

ASR = "asr"
ROUTING = "routing"
NOTIFY = "notify"
CALLBACKS = "callbacks"
DEFAULT = "default"
ALL_QUEUES = (ASR, ROUTING, NOTIFY, CALLBACKS, DEFAULT)
DEFAULT_RETRY = (10, 60, 300)


def rq_connection(client: redis.Redis) -> redis.Redis:
    """rq stores pickled bytes: a decoding client gets a raw twin (cached per client)."""
    if not client.get_encoder().decode_responses:
        return client
    raw = _RAW.get(client)
    if raw is None:
        raw = _RAW[client] = raw_clone(client)
    return raw


def queue(name: str, connection: redis.Redis) -> Queue:
    connection = rq_connection(connection)
    if name not in ALL_QUEUES:
        msg = f"unknown queue {name!r}; known: {', '.join(ALL_QUEUES)}"
        raise ValueError(msg)
    return Queue(name, connection=connection)


def enqueue(
    connection: redis.Redis,
    queue_name: str,
    func: str,
    args: Sequence[Any],
    *,
    job_id: str,
    retry: Sequence[int] | None = DEFAULT_RETRY,
    at_front: bool = False,
) -> Job:
    """Enqueue `func` (a dotted path) unless a job with `job_id` is already queued, running or scheduled.

    A finished or failed job with the same id is replaced, so a deliberate re-run works; a pending one is kept.
    """
    q = queue(queue_name, connection)
    existing = q.fetch_job(job_id)
    if existing is not None and existing.get_status(refresh=True) in ("queued", "started", "deferred", "scheduled"):
        return existing
    retry_obj = Retry(max=len(retry), interval=list(retry)) if retry else None
    return q.enqueue(func, *args, job_id=job_id, retry=retry_obj, at_front=at_front, failure_ttl=30 * 24 * 3600, result_ttl=24 * 3600)
