"""Sign-in (OAuth2 password flow) and the current user."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from agent_console.deps import CurrentUser, NowDep, SessionDep
from agent_console.tokens import issue_token
from appeals.accounts import authenticate

router = APIRouter(tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int
    role: str
    username: str


class MeOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: str
    extension: str | None
    executor_id: int | None


@router.post("/api/auth/token")
def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, now: NowDep) -> TokenOut:
    """Exchange username and password for a bearer token; repeated failures are throttled (429)."""
    client = request.client.host if request.client else None
    user = authenticate(session, form.username, form.password, now=now, client=client)
    ttl = timedelta(minutes=request.app.state.token_ttl_minutes)
    token = issue_token(request.app.state.secret_key, user.id or 0, now=now, ttl=ttl)
    return TokenOut(access_token=token, expires_in=int(ttl.total_seconds()), role=user.role.value, username=user.username)


@router.get("/api/auth/me")
def me(user: CurrentUser) -> MeOut:
    return MeOut(
        id=user.id or 0,
        username=user.username,
        full_name=user.full_name,
        role=user.role.value,
        extension=user.extension,
        executor_id=user.executor_id,
    )
