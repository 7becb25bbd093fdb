"""Administering Open311 API keys: list, create (the key is shown once), revoke."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.models import Open311ApiKey
from appeals.open311.keys import create_api_key, list_api_keys, revoke_api_key

router = APIRouter(tags=["open311"])


class ApiKeyPublic(BaseModel):
    id: int
    name: str
    prefix: str
    is_active: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    requests_filed: int


class ApiKeyCreated(ApiKeyPublic):
    api_key: str = Field(description="the key itself; shown only now, store it in the client application")


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=120, description="the application the key is for")


def _public(row: Open311ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(row.model_dump())


@router.get("/api/open311/keys")
def keys(session: SessionDep) -> list[ApiKeyPublic]:
    return [_public(k) for k in list_api_keys(session)]


@router.post("/api/open311/keys", status_code=201)
def create_key(body: ApiKeyIn, session: SessionDep, actor: ActorDep, now: NowDep) -> ApiKeyCreated:
    row, key = create_api_key(session, body.name, actor=actor, now=now)
    return ApiKeyCreated(**_public(row).model_dump(), api_key=key)


@router.post("/api/open311/keys/{key_id}/revoke")
def revoke_key(key_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> ApiKeyPublic:
    return _public(revoke_api_key(session, key_id, actor=actor, now=now))
