"""`callcenter scheduler`: one leader through a Redis lock, idempotent periodic job ids, working-day digests."""

from __future__ import annotations

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import redis
from sqlalchemy import Engine
from sqlmodel import Session

from appeals.actors import Actor
from appeals.models import Role, WorkCalendarDay
from runtime.streams import read_range
from tests.conftest import Clock
from tests.factories import make_registered
from workers.outbox import DRAIN_LOCK, drain_outbox
from workers.queues import DEFAULT, NOTIFY, queue
from workers.scheduler import Periodic, Scheduler, periodic_jobs
from workers.settings import WorkerSettings

KYIV = ZoneInfo("Europe/Kyiv")


def _ids(client: redis.Redis, name: str) -> list[str]:
    return list(queue(name, client).job_ids)


def test_only_the_lock_holder_enqueues_and_each_slot_once(engine: Engine, redis_client: redis.Redis, clock: Clock) -> None:
    jobs = [Periodic("deadlines", "workers.deadline_jobs.watch_deadlines", DEFAULT, every=60)]
    first = Scheduler(engine, redis_client, jobs, clock=lambda: clock.now)
    second = Scheduler(engine, redis_client, jobs, clock=lambda: clock.now)
    assert first.tick() == ["deadlines"]
    assert second.tick() == []
    assert (first.leader, second.leader) == (True, False)
    assert first.tick() == []  # same minute, same slot
    clock.advance(seconds=61)
    assert first.tick() == ["deadlines"]
    slot = int(clock.now.timestamp() // 60)
    assert _ids(redis_client, DEFAULT) == [f"periodic-deadlines-{slot - 1}", f"periodic-deadlines-{slot}"]


def test_a_standby_takes_over_when_the_leader_stops(engine: Engine, redis_client: redis.Redis, clock: Clock) -> None:
    jobs = [Periodic("deadlines", "workers.deadline_jobs.watch_deadlines", DEFAULT, every=60)]
    leader = Scheduler(engine, redis_client, jobs, lock_ttl=1, clock=lambda: clock.now)
    standby = Scheduler(engine, redis_client, jobs, lock_ttl=1, clock=lambda: clock.now)
    leader.tick()
    assert standby.tick() == []
    time.sleep(1.2)  # the leader died without releasing its lock: it expires
    clock.advance(seconds=61)
    assert standby.tick() == ["deadlines"]
    assert standby.leader


def test_the_digest_goes_out_once_on_working_days_only(engine: Engine, redis_client: redis.Redis) -> None:
    now = {"at": datetime(2026, 11, 24, 7, 59, tzinfo=KYIV)}
    jobs = [j for j in periodic_jobs(WorkerSettings(digest_time="08:00")) if j.name == "digest"]
    scheduler = Scheduler(engine, redis_client, jobs, clock=lambda: now["at"])
    assert scheduler.tick() == []
    now["at"] = datetime(2026, 11, 24, 8, 0, tzinfo=KYIV)
    assert scheduler.tick() == ["digest"]
    now["at"] = datetime(2026, 11, 24, 15, 0, tzinfo=KYIV)
    assert scheduler.tick() == []
    with Session(engine) as session:
        session.add(WorkCalendarDay(day=date(2026, 11, 25), is_working=False, note="вихідний"))
        session.commit()
    now["at"] = datetime(2026, 11, 25, 9, 0, tzinfo=KYIV)
    assert scheduler.tick() == []
    now["at"] = datetime(2026, 11, 26, 9, 0, tzinfo=KYIV)
    assert scheduler.tick() == ["digest"]
    assert _ids(redis_client, NOTIFY) == ["periodic-digest-2026-11-24", "periodic-digest-2026-11-26"]


def test_redis_down_is_a_state_not_a_crash(engine: Engine, clock: Clock) -> None:
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2, decode_responses=True)
    scheduler = Scheduler(engine, dead, periodic_jobs(WorkerSettings()), clock=lambda: clock.now)
    assert scheduler.tick() == []
    assert not scheduler.leader


def test_the_mailbox_is_polled_only_when_configured() -> None:
    assert "mailbox" not in {j.name for j in periodic_jobs(WorkerSettings())}
    assert "mailbox" in {j.name for j in periodic_jobs(WorkerSettings(imap_host="imap.example.org"))}


def test_sqlite_drainers_take_turns(engine: Engine, redis_client: redis.Redis, clock: Clock) -> None:
    with Session(engine) as session:
        make_registered(session, Actor(None, Role.operator), now=clock.now)
    if engine.dialect.name != "sqlite":
        assert drain_outbox(engine, redis_client) == 2
        return
    other = redis_client.lock(DRAIN_LOCK, timeout=5)
    assert other.acquire(blocking=False)
    assert drain_outbox(engine, redis_client) == 0  # another process is draining: no double publication
    other.release()
    assert drain_outbox(engine, redis_client) == 2
    assert len(read_range(redis_client)) == 1
