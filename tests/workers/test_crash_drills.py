"""Restart drills with the real forking `callcenter worker`: a work-horse SIGKILLed at a named point, and the re-run.

The job must finish on its re-run and repeat nothing — except the one documented window: the mail server
accepted the message and the process died before recording it (`notify.sent`), where the copy carries the same
Message-ID so mail clients fold it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session, select

from appeals.actors import Actor
from appeals.models import Assignment, Notification, NotificationStatus, Role
from tests.conftest import REDIS_URL, Backend, Clock
from tests.factories import make_registered
from tests.workers.conftest import SmtpSink, start_worker, wait_until
from workers.faults import DIR_ENV, POINTS_ENV
from workers.outbox import drain_outbox

OPERATOR = Actor(None, Role.operator)


def _executor_mail(engine: Engine) -> Notification | None:
    with Session(engine) as session:
        return session.exec(select(Notification).where(Notification.kind == "executor_assignment")).first()


def _drill(
    point: str,
    *,
    backend: Backend,
    engine: Engine,
    redis_client: redis.Redis,
    clock: Clock,
    smtp: SmtpSink,
    repo_root: Path,
    tmp_path: Path,
) -> Notification:
    with Session(engine) as session:
        make_registered(session, OPERATOR, now=clock.now, caller="+380441234567")  # a landline: no SMS, one message
    drain_outbox(engine, redis_client)
    env = {
        "CALLCENTER_MAIL_TRANSPORT": "smtp",
        "CALLCENTER_SMTP_HOST": "127.0.0.1",
        "CALLCENTER_SMTP_PORT": str(smtp.port),
        "CALLCENTER_MAIL_FROM": "cc@brovary.example",
        POINTS_ENV: point,
        DIR_ENV: str(tmp_path),
    }
    worker = start_worker(repo_root, tmp_path, database_url=backend.url, redis_url=REDIS_URL, queues=["routing", "notify"], env=env)
    try:

        def delivered() -> bool:
            note = _executor_mail(engine)
            return note is not None and note.status is NotificationStatus.sent

        assert wait_until(delivered, timeout=60), worker.log.read_text()[-3000:]
    finally:
        worker.stop()
    assert (tmp_path / f"{point}.fired").exists(), "the crash point never fired"
    assert "Work-horse terminated unexpectedly" in worker.log.read_text() or point == "route.done"
    note = _executor_mail(engine)
    assert note is not None
    return note


@pytest.mark.parametrize(("point", "copies"), [("notify.claimed", 1), ("notify.sent", 2)])
def test_a_delivery_killed_mid_job_reruns_and_the_only_duplicate_is_folded(
    point: str,
    copies: int,
    backend: Backend,
    engine: Engine,
    redis_client: redis.Redis,
    clock: Clock,
    smtp_sink: SmtpSink,
    repo_root: Path,
    tmp_path: Path,
) -> None:
    note = _drill(
        point,
        backend=backend,
        engine=engine,
        redis_client=redis_client,
        clock=clock,
        smtp=smtp_sink,
        repo_root=repo_root,
        tmp_path=tmp_path,
    )
    mails = smtp_sink.to("btve@example.org")
    assert len(mails) == copies
    assert {m["Message-ID"] for m in mails} == {note.message_id}
    assert note.attempts == 2


def test_a_routing_job_killed_after_its_commit_assigns_once(
    backend: Backend, engine: Engine, redis_client: redis.Redis, clock: Clock, smtp_sink: SmtpSink, repo_root: Path, tmp_path: Path
) -> None:
    note = _drill(
        "route.done",
        backend=backend,
        engine=engine,
        redis_client=redis_client,
        clock=clock,
        smtp=smtp_sink,
        repo_root=repo_root,
        tmp_path=tmp_path,
    )
    with Session(engine) as session:
        assert len(session.exec(select(Assignment)).all()) == 1
    assert len(smtp_sink.to("btve@example.org")) == 1
    assert note.attempts == 1
