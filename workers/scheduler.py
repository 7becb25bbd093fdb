"""`callcenter scheduler`: one leader (a Redis lock) enqueues the periodic jobs and drains the outbox.

Each periodic job gets the id `periodic-<name>-<slot>` (slot = the interval number since the epoch, or the
day for daily jobs), so a second scheduler, a restart or a clock hiccup never enqueues one twice. Redis being
down is a state: the loop logs, keeps its place and carries on when Redis returns, when the outbox's waiting
jobs go out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import redis
from redis.lock import Lock
from rq.registry import clean_registries
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from appeals.workcalendar import load_calendar
from workers.outbox import drain_outbox
from workers.queues import ALL_QUEUES, CALLBACKS, DEFAULT, NOTIFY, enqueue, queue
from workers.settings import WorkerSettings

logger = logging.getLogger(__name__)
KYIV = ZoneInfo("Europe/Kyiv")
LOCK_KEY = "cc:scheduler:lock"
LAST_KEY = "cc:scheduler:last"
MAINTENANCE_SECONDS = 60


@dataclass(frozen=True)
class Periodic:
    """A job to enqueue every `every` seconds, or once a working day at `daily_at` (Kyiv time)."""

    name: str
    func: str
    queue: str = DEFAULT
    every: float = 0.0
    daily_at: time | None = None

    def slot(self, now: datetime) -> str | None:
        """This moment's slot id, or None when a daily job is not due yet."""
        if self.daily_at is None:
            return str(int(now.timestamp() // max(self.every, 1.0)))
        local = now.astimezone(KYIV)
        return local.date().isoformat() if local.time() >= self.daily_at else None


def periodic_jobs(settings: WorkerSettings) -> list[Periodic]:
    """The schedule from the settings (the mailbox is polled only when an IMAP host is set)."""
    hour, minute = (int(p) for p in settings.digest_time.split(":"))
    jobs = [
        Periodic("deadlines", "workers.deadline_jobs.watch_deadlines", DEFAULT, every=settings.deadline_watch_seconds),
        Periodic("callbacks", "workers.callback_jobs.sweep_callbacks", CALLBACKS, every=300),
        Periodic("petitions", "workers.petition_jobs.advance_petitions", DEFAULT, every=600),
        Periodic("retention", "workers.retention_jobs.purge_expired", DEFAULT, every=3600),
        Periodic("reconcile", "workers.deadline_jobs.reconcile", DEFAULT, every=300),
        Periodic("digest", "workers.deadline_jobs.send_digests", NOTIFY, daily_at=time(hour, minute)),
    ]
    if settings.imap_host:
        jobs.append(Periodic("mailbox", "workers.mail_jobs.poll_mailbox", DEFAULT, every=settings.imap_poll_seconds))
    return jobs


class Scheduler:
    """The loop; `tick()` does one round and is what tests drive."""

    def __init__(
        self,
        engine: Engine,
        client: redis.Redis,
        jobs: Sequence[Periodic],
        *,
        lock_ttl: float = 15.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine, self.redis, self.jobs, self.clock = engine, client, list(jobs), clock
        self.lock = Lock(client, LOCK_KEY, timeout=lock_ttl, blocking=False, thread_local=False)
        self.leader = False
        self._last_maintenance = 0.0

    def _hold_lock(self) -> bool:
        if self.leader and self.lock.owned():
            self.lock.reacquire()
        else:
            self.leader = bool(self.lock.acquire(blocking=False))
        return self.leader

    def _is_working_day(self, now: datetime) -> bool:
        with Session(self.engine) as session:
            return load_calendar(session).is_working(now.astimezone(KYIV).date())

    def _enqueue_due(self, now: datetime) -> list[str]:
        enqueued = []
        for job in self.jobs:
            slot = job.slot(now)
            if slot is None or self.redis.hget(LAST_KEY, job.name) == slot:
                continue
            if job.daily_at is None or self._is_working_day(now):
                enqueue(self.redis, job.queue, job.func, [], job_id=f"periodic-{job.name}-{slot}", retry=None)
                enqueued.append(job.name)
            self.redis.hset(LAST_KEY, job.name, slot)
        return enqueued

    def _maintain(self, now: datetime) -> None:
        """rq's registry cleanup: abandoned jobs of dead workers are retried or moved to the failed list."""
        if now.timestamp() - self._last_maintenance < MAINTENANCE_SECONDS:
            return
        self._last_maintenance = now.timestamp()
        for name in ALL_QUEUES:
            clean_registries(queue(name, self.redis))

    def tick(self) -> list[str]:
        """One round: lead or stand by; the leader drains the outbox and enqueues what is due."""
        now = self.clock()
        try:
            if not self._hold_lock():
                return []
            drain_outbox(self.engine, self.redis)
            enqueued = self._enqueue_due(now)
            self._maintain(now)
        except redis.RedisError as exc:
            if self.leader:
                logger.warning("scheduler lost redis; standing by", extra={"event_data": {"error": str(exc)[:200]}})
            self.leader = False
            return []
        except SQLAlchemyError as exc:
            logger.warning("scheduler cannot reach the database", extra={"event_data": {"error": str(exc)[:200]}})
            return []
        if enqueued:
            logger.info("periodic jobs enqueued", extra={"event_data": {"jobs": enqueued}})
        return enqueued

    def run(self, stop: threading.Event, *, interval: float = 1.0) -> None:
        logger.info("scheduler starting", extra={"event_data": {"jobs": [j.name for j in self.jobs]}})
        while not stop.is_set():
            self.tick()
            stop.wait(interval)
        if self.leader:
            try:
                self.lock.release()
            except (redis.RedisError, redis.exceptions.LockError):
                logger.warning("scheduler lock not released; it expires by itself")
        logger.info("scheduler stopped")
