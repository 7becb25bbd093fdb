"""The knowledge base: articles operators answer consultations from, and each use of one (consultations by topic)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from appeals.models.base import json_list, utcnow


class KbArticle(SQLModel, table=True):
    __tablename__ = "kb_article"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    body: str = Field(default="", max_length=20_000)
    category_ids: list[int] = json_list()
    incident_id: int | None = Field(default=None, foreign_key="incident.id", index=True)
    streets: list[str] = json_list()
    search_text: str = Field(default="", max_length=40_000)
    """Lemmas of the title and body, space-separated with spaces at both ends (portable word search on any DB)."""
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class KbUse(SQLModel, table=True):
    """One consultation answered from an article."""

    __tablename__ = "kb_use"
    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="kb_article.id", index=True)
    appeal_id: int | None = Field(default=None, foreign_key="appeal.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    at: datetime = Field(default_factory=utcnow)
