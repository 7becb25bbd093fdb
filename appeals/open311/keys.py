"""API keys of client applications: created once (the key is shown only then), checked by hash, revoked."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlmodel import Session, col, select

from appeals.actors import Actor
from appeals.errors import DomainValidationError, ForbiddenError, NotFoundError
from appeals.history import record_audit
from appeals.models import Open311ApiKey


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(session: Session, name: str, *, actor: Actor, now: datetime) -> tuple[Open311ApiKey, str]:
    """A new key for an application; returns the row and the key itself, which is not stored.

    Raises:
        DomainValidationError: the name is empty.
    """
    if not name.strip():
        raise DomainValidationError("Name the application the key is for", code="api_key_name_required", fields={"name": "required"})
    key = "o311_" + secrets.token_urlsafe(24)
    row = Open311ApiKey(name=name.strip()[:120], prefix=key[:12], key_hash=_digest(key), created_by=actor.user_id, created_at=now)
    session.add(row)
    session.flush()
    record_audit(session, actor, "create", "open311_api_key", row.id, now=now, detail={"name": row.name})
    session.commit()
    session.refresh(row)
    return row, key


def authenticate_api_key(session: Session, key: str | None, *, now: datetime) -> Open311ApiKey:
    """The active key row for `key`, with its last use noted (flushed, the caller commits).

    Raises:
        ForbiddenError: no key, an unknown key or a revoked one (code `api_key_invalid`).
    """
    if not key or not key.strip():
        raise ForbiddenError("An api_key is required to create a request", code="api_key_missing")
    digest = _digest(key.strip())
    row = session.exec(select(Open311ApiKey).where(Open311ApiKey.key_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.key_hash, digest) or not row.is_active:
        raise ForbiddenError("Invalid api_key received; ask the city for a key", code="api_key_invalid")
    row.last_used_at = now
    session.add(row)
    return row


def revoke_api_key(session: Session, key_id: int, *, actor: Actor, now: datetime) -> Open311ApiKey:
    row = session.get(Open311ApiKey, key_id)
    if row is None:
        raise NotFoundError("open311_api_key", key_id)
    row.is_active, row.revoked_at = False, row.revoked_at or now
    session.add(row)
    record_audit(session, actor, "revoke", "open311_api_key", key_id, now=now)
    session.commit()
    session.refresh(row)
    return row


def list_api_keys(session: Session) -> list[Open311ApiKey]:
    return list(session.exec(select(Open311ApiKey).order_by(col(Open311ApiKey.id))).all())
