"""Webhooks signed with HMAC to an executor's own system, the HTTP SMS gateway, the loop guard, retention."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from appeals.actors import Actor
from appeals.models import MailMessage, MailOutcome, Notification, NotificationChannel, NotificationStatus, OutboxMessage, Role
from appeals.notifications import queue_notification
from tests.conftest import SECRET, Clock
from tests.factories import executor, make_registered, make_user, token_for
from tests.workers.conftest import HttpSink, SmtpSink, run_jobs
from workers.context import JobContext
from workers.queues import DEFAULT, NOTIFY, queue
from workers.sms import HttpSmsGateway
from workers.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, executor_secret, verify

OPERATOR = Actor(None, Role.operator)


@pytest.mark.usefixtures("restore_executors")
def test_the_executors_system_gets_a_signed_webhook(
    client: TestClient, engine: Engine, session: Session, clock: Clock, job_ctx: JobContext, http_sink: HttpSink
) -> None:
    btve = executor(session, "btve")
    btve.webhook_url = f"http://127.0.0.1:{http_sink.port}/callcenter/hook"
    session.add(btve)
    session.commit()
    appeal = make_registered(session, OPERATOR, now=clock.now)
    run_jobs(job_ctx)
    [(path, headers, body)] = http_sink.requests
    assert path == "/callcenter/hook"
    make_user(engine, "root", Role.admin, now=clock.now)
    shown = client.get(f"/api/executors/{btve.id}/webhook-secret", headers=token_for(client, "root")).json()
    assert shown["secret"] == executor_secret(SECRET, "btve")
    assert verify(shown["secret"], headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert not verify(shown["secret"], headers[TIMESTAMP_HEADER], body + b" ", headers[SIGNATURE_HEADER])
    payload = json.loads(body)
    assert payload["event"] == "assignment.created"
    assert payload["issue"]["number"] == f"{appeal.number}/1"
    assert payload["issue"]["contact_phone"] == "+380501234567"  # urgent category
    assert headers["X-Callcenter-Delivery"] == str(payload["delivery_id"])


@pytest.mark.usefixtures("restore_executors")
@pytest.mark.parametrize(("status", "final"), [(503, NotificationStatus.pending), (410, NotificationStatus.failed)])
def test_webhook_errors_retry_when_transient_and_fail_visibly_when_final(
    session: Session, clock: Clock, job_ctx: JobContext, http_sink: HttpSink, status: int, final: NotificationStatus
) -> None:
    http_sink.status = status
    btve = executor(session, "btve")
    btve.webhook_url = f"http://127.0.0.1:{http_sink.port}/hook"
    session.add(btve)
    session.commit()
    make_registered(session, OPERATOR, now=clock.now)
    run_jobs(job_ctx)
    hook = session.exec(select(Notification).where(Notification.channel == NotificationChannel.webhook)).one()
    assert (hook.status, hook.attempts) == (final, 1)
    assert f"webhook answered {status}" in hook.last_error
    scheduled = queue(NOTIFY, job_ctx.redis).scheduled_job_registry.get_job_ids()
    assert (f"notify-{hook.id}" in scheduled) is (status == 503)  # rq retries it later with backoff


def test_the_http_sms_gateway_posts_json_with_its_token(http_sink: HttpSink) -> None:
    gateway = HttpSmsGateway(f"http://127.0.0.1:{http_sink.port}/sms", token="t0k", timeout=5)
    gateway.send("+380501234567", "Ваше звернення зареєстровано", message_key="<cc.n1@x>")
    [(path, headers, body)] = http_sink.requests
    assert (path, headers["Authorization"]) == ("/sms", "Bearer t0k")
    assert json.loads(body) == {"to": "+380501234567", "text": "Ваше звернення зареєстровано", "id": "<cc.n1@x>"}


def test_automatic_replies_to_one_address_are_capped(session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink) -> None:
    job_ctx.settings = job_ctx.settings.model_copy(update={"mail_auto_replies_per_day": 2})
    for n in range(4):
        queue_notification(
            session,
            kind="citizen_ack",
            channel=NotificationChannel.email,
            recipient="robot@example.net",
            dedup_key=f"ack:{n}",
            payload={"auto_submitted": "auto-replied"},
            now=clock.now,
        )
    session.commit()
    run_jobs(job_ctx)
    assert len(smtp_sink.to("robot@example.net")) == 2
    statuses = sorted(n.status.value for n in session.exec(select(Notification)).all())
    assert statuses == ["cancelled", "cancelled", "sent", "sent"]


def test_retention_purges_old_deliveries_and_junk_mail_copies(
    session: Session, clock: Clock, job_ctx: JobContext, smtp_sink: SmtpSink
) -> None:
    queue_notification(
        session, kind="citizen_ack", channel=NotificationChannel.email, recipient="a@example.net", dedup_key="old", now=clock.now
    )
    raw = job_ctx.data_dir / "mail" / "spam.eml"
    raw.parent.mkdir(parents=True)
    raw.write_bytes(b"spam")
    session.add(MailMessage(message_key="k1", outcome=MailOutcome.spam, raw_path="mail/spam.eml", processed_at=clock.now))
    session.commit()
    run_jobs(job_ctx)
    clock.advance(days=400)
    queue(DEFAULT, job_ctx.redis).enqueue("workers.retention_jobs.purge_expired")
    run_jobs(job_ctx)
    assert session.exec(select(Notification)).all() == []
    assert session.exec(select(OutboxMessage)).all() == []
    assert not raw.exists()
    row = session.exec(select(MailMessage)).one()
    assert row.raw_path is None  # the log line stays, the copy of the junk is gone
