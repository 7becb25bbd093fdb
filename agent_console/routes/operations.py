"""Background work as supervisors see it: failed jobs with retry, queue sizes, notifications, the mail intake log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import redis
from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel
from sqlmodel import col, select

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.errors import InvalidTransitionError, NotFoundError
from appeals.history import record_audit
from appeals.models import Executor, MailMessage, MailOutcome, Notification, NotificationStatus
from appeals.notifications import enqueue_delivery
from workers.failed_jobs import FailedJob, QueueStats, failed_jobs, queue_stats, retry_failed
from workers.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, executor_secret

router = APIRouter(tags=["operations"])


def _redis(request: Request) -> redis.Redis:
    client: redis.Redis | None = request.app.state.redis
    if client is None:
        raise HTTPException(status_code=503, detail={"code": "redis_unavailable", "message": "Redis is not configured for this API"})
    return client


class NotificationPublic(BaseModel):
    id: int
    kind: str
    channel: str
    recipient: str
    subject: str
    status: str
    attempts: int
    last_error: str
    message_id: str | None
    appeal_id: int | None
    issue_id: int | None
    created_at: datetime
    sent_at: datetime | None


class MailPublic(BaseModel):
    id: int
    message_id: str
    sender: str
    subject: str
    size: int
    outcome: str
    detail: str
    appeal_id: int | None
    received_at: datetime
    processed_at: datetime


class WebhookSecret(BaseModel):
    executor_id: int
    secret: str
    algorithm: str = "HMAC-SHA256"
    signature_header: str = SIGNATURE_HEADER
    timestamp_header: str = TIMESTAMP_HEADER
    signed_text: str = "<timestamp>.<raw body>"


@router.get("/api/jobs")
def queues(request: Request) -> list[QueueStats]:
    """Jobs waiting, scheduled (retries) and failed, per queue."""
    try:
        return queue_stats(_redis(request))
    except redis.RedisError as exc:
        raise HTTPException(status_code=503, detail={"code": "redis_unavailable", "message": f"Redis: {exc}"}) from exc


@router.get("/api/jobs/failed")
def failed(request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[FailedJob]:
    """Jobs that exhausted their retries, newest first, with the error's last line."""
    return failed_jobs(_redis(request), limit=limit)


@router.post("/api/jobs/failed/{job_id}/retry")
def retry(job_id: str, request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> dict[str, str]:
    """Run a failed job again (same id, so it cannot run twice at once)."""
    try:
        name = retry_failed(_redis(request), job_id)
    except LookupError as exc:
        raise NotFoundError("job", job_id) from exc
    record_audit(session, actor, "retry", "job", job_id, now=now)
    session.commit()
    return {"job_id": job_id, "queue": name, "status": "queued"}


@router.get("/api/notifications")
def notifications(
    session: SessionDep,
    actor: ActorDep,
    now: NowDep,
    status: NotificationStatus | None = None,
    appeal_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationPublic]:
    """Delivery log (newest first); failed and pending ones show their last error."""
    query = select(Notification)
    if status:
        query = query.where(Notification.status == status)
    if appeal_id is not None:
        query = query.where(Notification.appeal_id == appeal_id)
    rows = [
        NotificationPublic.model_validate(r.model_dump())
        for r in session.exec(query.order_by(col(Notification.id).desc()).limit(limit)).all()
    ]
    record_audit(session, actor, "read", "notification", "", now=now, pii=True, detail={"count": len(rows)})
    session.commit()
    return rows


@router.post("/api/notifications/{notification_id}/resend")
def resend(notification_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> NotificationPublic:
    """Queue a failed or cancelled notification again (same Message-ID)."""
    note = session.get(Notification, notification_id)
    if note is None:
        raise NotFoundError("notification", notification_id)
    if note.status in (NotificationStatus.sent, NotificationStatus.sending):
        raise InvalidTransitionError("notification", notification_id, note.status.value, "resend", allowed=[])
    note.status, note.last_error = NotificationStatus.pending, ""
    session.add(note)
    enqueue_delivery(session, notification_id, now=now)
    record_audit(session, actor, "resend", "notification", notification_id, now=now)
    session.commit()
    session.refresh(note)
    return NotificationPublic.model_validate(note.model_dump())


@router.get("/api/mail/messages")
def mail_log(
    session: SessionDep, actor: ActorDep, now: NowDep, outcome: MailOutcome | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[MailPublic]:
    """What the e-mail intake did with each message (quarantine: `outcome=spam|malformed|too_large`)."""
    query = select(MailMessage)
    if outcome:
        query = query.where(MailMessage.outcome == outcome)
    rows = [MailPublic.model_validate(r.model_dump()) for r in session.exec(query.order_by(col(MailMessage.id).desc()).limit(limit)).all()]
    record_audit(session, actor, "read", "mail_message", "", now=now, pii=True, detail={"count": len(rows)})
    session.commit()
    return rows


@router.get("/api/executors/{executor_id}/webhook-secret")
def webhook_secret(executor_id: int, request: Request, session: SessionDep, actor: ActorDep, now: NowDep) -> WebhookSecret:
    """The key an executor's system verifies our webhooks with (derived from the installation's secret key)."""
    executor = session.get(Executor, executor_id)
    if executor is None:
        raise NotFoundError("executor", executor_id)
    record_audit(session, actor, "read_secret", "executor", executor_id, now=now)
    session.commit()
    return WebhookSecret(executor_id=executor_id, secret=executor_secret(request.app.state.secret_key, executor.code))
