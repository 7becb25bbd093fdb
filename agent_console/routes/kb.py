"""The knowledge base: search for every desk role, CRUD for admins and supervisors, uses recorded per consultation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.errors import NotFoundError
from appeals.history import record_audit
from appeals.kb import ArticleIn, ArticlePublic, public, record_use, save_article, search_articles, use_counts
from appeals.models import KbArticle

router = APIRouter(tags=["knowledge base"])


class UseIn(BaseModel):
    appeal_id: int | None = None


@router.get("/api/kb/articles")
def articles(
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    category_id: int | None = None,
    street: Annotated[str | None, Query(max_length=200)] = None,
    include_inactive: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[ArticlePublic]:
    """Words in any inflection (`опалення` finds `опаленням`); the category's and street's articles first."""
    rows = search_articles(session, q, category_id=category_id, street=street, limit=limit, include_inactive=include_inactive)
    counts = use_counts(session, [a.id or 0 for a in rows])
    return [public(a, counts.get(a.id or 0, 0)) for a in rows]


@router.get("/api/kb/articles/{article_id}")
def article(article_id: int, session: SessionDep) -> ArticlePublic:
    row = session.get(KbArticle, article_id)
    if row is None:
        raise NotFoundError("kb_article", article_id)
    return public(row, use_counts(session, [article_id]).get(article_id, 0))


@router.post("/api/kb/articles", status_code=201)
def create(body: ArticleIn, session: SessionDep, actor: ActorDep, now: NowDep) -> ArticlePublic:
    row = save_article(session, body, now=now)
    record_audit(session, actor, "create", "kb_article", row.id, now=now)
    session.commit()
    return public(row)


@router.put("/api/kb/articles/{article_id}")
def update(article_id: int, body: ArticleIn, session: SessionDep, actor: ActorDep, now: NowDep) -> ArticlePublic:
    row = save_article(session, body, now=now, article_id=article_id)
    record_audit(session, actor, "update", "kb_article", article_id, now=now)
    session.commit()
    return public(row)


@router.post("/api/kb/articles/{article_id}/uses", status_code=201)
def use(article_id: int, body: UseIn, session: SessionDep, actor: ActorDep, now: NowDep) -> dict[str, int]:
    """A consultation answered from this article (counted per article: consultations by topic)."""
    row = record_use(session, article_id, appeal_id=body.appeal_id, user_id=actor.user_id, now=now)
    return {"id": row.id or 0, "article_id": article_id}
