"""FastAPI dependencies: DB session, clock, the authenticated user, the role check, the acting party."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine
from sqlmodel import Session

from agent_console.access import PUBLIC, roles_for
from agent_console.tokens import issued_before, read_token
from appeals.actors import Actor
from appeals.models import User
from appeals.wording import role_name


def get_session(request: Request) -> Iterator[Session]:
    engine: Engine = request.app.state.engine
    with Session(engine) as session:
        yield session


def get_now() -> datetime:
    """The request's clock (tests override it to move time)."""
    return datetime.now(UTC)


SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[datetime, Depends(get_now)]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail={"code": "unauthorized", "message": message}, headers={"WWW-Authenticate": "Bearer"})


def user_from_token(session: Session, secret: str, token: str, now: datetime) -> User | None:
    """The active user a bearer token belongs to, or None (bad signature, expired, deactivated, revoked)."""
    claims = read_token(secret, token, now=now)
    if claims is None:
        return None
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active or issued_before(claims, user.tokens_valid_after):
        return None
    return user


def _bearer_user(request: Request, session: Session, now: datetime) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("Увійдіть у систему: потрібен заголовок 'Authorization: Bearer <token>' від POST /api/auth/token")
    user = user_from_token(session, request.app.state.secret_key, token.strip(), now)
    if user is None:
        raise _unauthorized("Сеанс недійсний, завершився або відкликаний; увійдіть знову")
    return user


def guard(request: Request, session: SessionDep, now: NowDep) -> None:
    """App-wide: look up the matched route in the role matrix; authenticate and check the role unless public."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    allowed = roles_for(request.method, path)
    if allowed is None:
        raise HTTPException(
            status_code=403, detail={"code": "route_not_declared", "message": f"{request.method} {path} has no row in the role matrix"}
        )
    if allowed == PUBLIC:
        return
    user = _bearer_user(request, session, now)
    if user.role not in allowed:
        raise HTTPException(
            status_code=403,
            detail={"code": "forbidden", "message": f"Роль «{role_name(user.role.value)}» не має доступу до {request.method} {path}"},
        )
    request.state.user = user


def current_user(request: Request) -> User:
    """The user the guard authenticated for this request."""
    user: User | None = getattr(request.state, "user", None)
    if user is None:
        raise _unauthorized("Для цього потрібно увійти в систему")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def get_actor(request: Request, user: CurrentUser) -> Actor:
    client = request.client.host if request.client else None
    return Actor(user_id=user.id, role=user.role, executor_id=user.executor_id, ip=client)


ActorDep = Annotated[Actor, Depends(get_actor)]
