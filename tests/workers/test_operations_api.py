"""Supervisors see background work: failed jobs with their error and a retry, queue sizes, the delivery log."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from appeals.models import Notification, NotificationChannel, NotificationStatus, Role
from appeals.notifications import queue_notification
from tests.conftest import Clock
from tests.factories import make_user, token_for
from tests.workers.conftest import SmtpSink, run_jobs
from workers.context import JobContext
from workers.queues import DEFAULT, enqueue, queue

Headers = dict[str, dict[str, str]]


@pytest.fixture
def sup(client: TestClient, engine: Engine, clock: Clock) -> dict[str, str]:
    make_user(engine, "sup", Role.supervisor, now=clock.now)
    return token_for(client, "sup")


def test_a_failed_job_is_listed_with_its_error_and_can_be_retried(client: TestClient, sup: dict[str, str], job_ctx: JobContext) -> None:
    job_ctx.settings = job_ctx.settings.model_copy(update={"imap_host": "127.0.0.1", "imap_port": 1, "imap_security": "none"})
    enqueue(job_ctx.redis, DEFAULT, "workers.mail_jobs.poll_mailbox", [], job_id="periodic-mailbox-1", retry=None)
    run_jobs(job_ctx)
    [failed] = client.get("/api/jobs/failed", headers=sup).json()
    assert (failed["id"], failed["queue"], failed["func"]) == ("periodic-mailbox-1", "default", "workers.mail_jobs.poll_mailbox")
    assert failed["error"].startswith("workers.imap.MailboxError: IMAP 127.0.0.1:1: ConnectionRefusedError")
    stats = {s["queue"]: s for s in client.get("/api/jobs", headers=sup).json()}
    assert stats["default"]["failed"] == 1
    retried = client.post("/api/jobs/failed/periodic-mailbox-1/retry", headers=sup)
    assert retried.json() == {"job_id": "periodic-mailbox-1", "queue": "default", "status": "queued"}
    assert queue(DEFAULT, job_ctx.redis).job_ids == ["periodic-mailbox-1"]
    missing = client.post("/api/jobs/failed/nope/retry", headers=sup)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "job_not_found")


def test_the_delivery_log_and_a_resend(
    client: TestClient, sup: dict[str, str], session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    note = queue_notification(
        session, kind="citizen_ack", channel=NotificationChannel.email, recipient="no-domain", dedup_key="x", now=clock.now
    )
    session.commit()
    run_jobs(job_ctx)
    [logged] = client.get("/api/notifications", params={"status": "failed"}, headers=sup).json()
    assert logged["last_error"] == "no valid e-mail address in 'no-domain'"
    assert note is not None
    row = session.get(Notification, note.id)
    assert row is not None
    row.recipient = "fixed@example.net"
    session.add(row)
    session.commit()
    resent = client.post(f"/api/notifications/{note.id}/resend", headers=sup).json()
    assert resent["status"] == "pending"
    run_jobs(job_ctx)
    assert len(smtp_sink.to("fixed@example.net")) == 1
    session.expire_all()
    assert session.exec(select(Notification)).one().status is NotificationStatus.sent
    again = client.post(f"/api/notifications/{note.id}/resend", headers=sup)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "notification_invalid_transition")
