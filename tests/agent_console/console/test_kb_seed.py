"""The demo's knowledge-base articles are seeded once and found by the search."""

from __future__ import annotations

from sqlmodel import Session

from appeals.kb import search_articles
from appeals.kb_seed import DEMO_ARTICLES, seed_demo_articles
from tests.conftest import Clock


def test_demo_articles_are_seeded_once_and_searchable(session: Session, clock: Clock) -> None:
    assert seed_demo_articles(session, now=clock.now) == len(DEMO_ARTICLES)
    assert seed_demo_articles(session, now=clock.now) == 0
    assert search_articles(session, "тепло")[0].title == "Опалювальний сезон: коли подають тепло"  # title hits rank first
