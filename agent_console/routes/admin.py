"""Administration: users (create, deactivate) and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.accounts import create_user, list_users, set_active
from appeals.audit import list_audit
from appeals.history import record_audit
from appeals.models import AuditEvent, Role, User

router = APIRouter(tags=["admin"])


class UserPublic(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    extension: str | None
    executor_id: int | None
    email: str | None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=4, max_length=200)
    role: Role
    full_name: str = Field(default="", max_length=200)
    extension: str | None = Field(default=None, max_length=80, pattern=r"^[A-Za-z0-9]+/[^\s]+$")
    org: str | None = None


class AuditList(BaseModel):
    items: list[AuditEvent]
    total: int


def _public(user: User) -> UserPublic:
    return UserPublic.model_validate(user.model_dump())


@router.get("/api/users")
def users(session: SessionDep) -> list[UserPublic]:
    return [_public(u) for u in list_users(session)]


@router.post("/api/users", status_code=201)
def add_user(body: UserIn, session: SessionDep, actor: ActorDep, now: NowDep) -> UserPublic:
    user = create_user(
        session,
        body.username,
        role=body.role,
        password=body.password,
        now=now,
        full_name=body.full_name,
        extension=body.extension,
        executor_code=body.org,
    )
    record_audit(session, actor, "create", "user", user.id, now=now)
    session.commit()
    session.refresh(user)  # the commit expired it: model_dump() of an expired row is empty
    return _public(user)


@router.post("/api/users/{user_id}/deactivate")
def deactivate(user_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> UserPublic:
    """Deactivate: every token of the user stops working at once."""
    return _public(set_active(session, user_id, False, actor=actor, now=now))


@router.post("/api/users/{user_id}/activate")
def activate(user_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> UserPublic:
    return _public(set_active(session, user_id, True, actor=actor, now=now))


@router.get("/api/audit")
def audit(
    session: SessionDep,
    actor_id: int | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    pii: bool | None = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditList:
    rows, total = list_audit(
        session, actor_id=actor_id, entity=entity, entity_id=entity_id, pii=pii, since=since, limit=limit, offset=offset
    )
    return AuditList(items=rows, total=total)
