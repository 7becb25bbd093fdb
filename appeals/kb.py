"""Knowledge-base use cases: create/update articles, Ukrainian word search by lemmas (any DB), suggestions for the
caller card by category and address, and recording an article used for a consultation."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from appeals.errors import DomainValidationError, NotFoundError
from appeals.lemmas import lemmas
from appeals.models import Incident, KbArticle, KbUse


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=3, max_length=300)
    body: str = Field(min_length=1, max_length=20_000)
    category_ids: list[int] = Field(default_factory=list, max_length=50)
    incident_id: int | None = None
    streets: list[str] = Field(default_factory=list, max_length=50)
    is_active: bool = True


class ArticlePublic(BaseModel):
    id: int
    title: str
    body: str
    category_ids: list[int]
    incident_id: int | None
    streets: list[str]
    is_active: bool
    uses: int = 0
    updated_at: datetime


_WORD = re.compile(r"[\w']+")


def _surface(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if not w.isdigit()]


def _search_text(title: str, body: str) -> str:
    """Lemmas and the words as written (a lemmatiser guess such as води → водити must not hide the article)."""
    text = f"{title} {body}"
    return " " + " ".join(dict.fromkeys([*lemmas(text), *_surface(text)])) + " "


def public(article: KbArticle, uses: int = 0) -> ArticlePublic:
    fields = {name: getattr(article, name) for name in ArticlePublic.model_fields if name != "uses"}  # loads expired attributes
    return ArticlePublic(uses=uses, **fields)


def save_article(session: Session, data: ArticleIn, *, now: datetime, article_id: int | None = None) -> KbArticle:
    """Create, or replace the fields of, one article; its search text is rebuilt."""
    article = KbArticle(title=data.title, created_at=now) if article_id is None else session.get(KbArticle, article_id)
    if article is None:
        raise NotFoundError("kb_article", article_id)
    if data.incident_id is not None and session.get(Incident, data.incident_id) is None:
        raise DomainValidationError(f"Аварії {data.incident_id} немає", code="incident_unknown", fields={"incident_id": "unknown"})
    for key, value in data.model_dump().items():
        setattr(article, key, value)
    article.search_text = _search_text(data.title, data.body)
    article.updated_at = now
    session.add(article)
    session.commit()
    session.refresh(article)
    return article


def search_articles(
    session: Session,
    q: str = "",
    *,
    category_id: int | None = None,
    street: str | None = None,
    limit: int = 20,
    include_inactive: bool = False,
) -> list[KbArticle]:
    """Articles whose text holds every word of `q` in any inflection (lemmas), optionally for one category; articles
    for the category or the caller's street first, then newest."""
    query = select(KbArticle)
    if not include_inactive:
        query = query.where(col(KbArticle.is_active))
    words = list(dict.fromkeys(lemmas(q)))[:8]
    surface = _surface(q)[:8]
    if q.strip() and not (words or surface):
        raise DomainValidationError(f"У запиті «{q}» немає слів для пошуку", code="kb_query_empty", fields={"q": "invalid"})
    for lemma_, word in zip(words, surface, strict=False):
        stem = word[: max(3, len(word) - 2)]
        query = query.where(or_(col(KbArticle.search_text).contains(f" {lemma_}"), col(KbArticle.search_text).contains(f" {stem}")))
    rows = list(session.exec(query.order_by(col(KbArticle.updated_at).desc()).limit(500)).all())

    def rank(a: KbArticle) -> tuple[int, int]:
        on_category = category_id is not None and category_id in (a.category_ids or [])
        on_street = bool(street) and any(s.lower() in (street or "").lower() for s in a.streets or [])
        title_hits = sum(w in " ".join(lemmas(a.title)) for w in words)
        return (-(2 * on_category + 2 * on_street + title_hits), 0)

    if category_id is not None and not words:
        rows = [a for a in rows if category_id in (a.category_ids or [])] or rows
    return sorted(rows, key=rank)[:limit]


def record_use(session: Session, article_id: int, *, appeal_id: int | None, user_id: int | None, now: datetime) -> KbUse:
    if session.get(KbArticle, article_id) is None:
        raise NotFoundError("kb_article", article_id)
    use = KbUse(article_id=article_id, appeal_id=appeal_id, user_id=user_id, at=now)
    session.add(use)
    session.commit()
    session.refresh(use)
    return use


def use_counts(session: Session, article_ids: list[int]) -> dict[int, int]:
    """Consultations answered from each article (the consultations-by-topic figure)."""
    if not article_ids:
        return {}
    rows = session.exec(
        select(KbUse.article_id, func.count()).where(col(KbUse.article_id).in_(article_ids)).group_by(col(KbUse.article_id))
    ).all()
    return {a: int(n) for a, n in rows}


def card_articles(session: Session, *, incident_ids: list[int], addresses: list[str], limit: int = 3) -> list[dict[str, object]]:
    """Articles for the caller card: those about an active incident at the caller's address, then their street's."""
    if not incident_ids and not addresses:
        return []
    rows = session.exec(select(KbArticle).where(col(KbArticle.is_active)).order_by(col(KbArticle.updated_at).desc()).limit(300)).all()
    text = " ".join(addresses).lower()
    picked = [a for a in rows if a.incident_id in incident_ids] + [
        a for a in rows if a.incident_id not in incident_ids and any(s.lower() in text for s in a.streets or [] if s)
    ]
    return [{"id": a.id, "title": a.title, "body": a.body} for a in picked[:limit]]
