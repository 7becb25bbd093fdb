"""Reading the audit trail (who read or changed what, when)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals.models import AuditEvent


def list_audit(
    session: Session,
    *,
    actor_id: int | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    pii: bool | None = None,
    since: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEvent], int]:
    query = select(AuditEvent)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if pii is not None:
        query = query.where(AuditEvent.pii == pii)
    if since is not None:
        query = query.where(col(AuditEvent.at) >= since)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(AuditEvent.id).desc()).limit(limit).offset(offset)).all()
    return list(rows), int(total)
