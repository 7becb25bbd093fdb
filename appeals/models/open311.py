"""Open311 GeoReport v2 API keys: the apps allowed to file requests (only a hash of each key is kept)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from appeals.models.base import utcnow


class Open311ApiKey(SQLModel, table=True):
    """One client application's key; `key_hash` is the SHA-256 of the key, `prefix` its first characters for display."""

    __tablename__ = "open311_api_key"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    prefix: str = Field(max_length=12)
    key_hash: str = Field(max_length=64, unique=True)
    is_active: bool = True
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    requests_filed: int = 0
