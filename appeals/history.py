"""History, audit and outbox records written inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from appeals.actors import Actor
from appeals.events import SCHEMA_VERSION, StreamEvent
from appeals.models import AuditEvent, OutboxMessage, StatusChange


def record_status_change(
    session: Session,
    *,
    entity: str,
    entity_id: int,
    appeal_id: int | None,
    action: str,
    from_status: str | None,
    to_status: str,
    actor: Actor,
    now: datetime,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> StatusChange:
    change = StatusChange(
        entity=entity,
        entity_id=entity_id,
        appeal_id=appeal_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor_id=actor.user_id,
        reason=reason[:1000],
        detail=detail or {},
        at=now,
    )
    session.add(change)
    return change


def record_audit(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object = "",
    *,
    now: datetime,
    pii: bool = False,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an audit row: who did or read what, when, from where."""
    session.add(
        AuditEvent(
            at=now,
            actor_id=actor.user_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            pii=pii,
            ip=actor.ip,
            detail=detail or {},
        )
    )


def emit(session: Session, event: StreamEvent, *, now: datetime) -> None:
    """Queue a `cc:events` notification in the outbox; it is published after the transaction commits."""
    session.add(
        OutboxMessage(kind="event", topic=event.type, payload={"v": SCHEMA_VERSION, "data": event.model_dump(mode="json")}, created_at=now)
    )


def enqueue_after_commit(session: Session, queue: str, func: str, *, args: list[Any], job_id: str, now: datetime) -> None:
    """Queue an rq job in the outbox (transactional outbox: survives Redis being down at commit time)."""
    session.add(OutboxMessage(kind="job", topic=queue, payload={"func": func, "args": args, "job_id": job_id}, created_at=now))
