"""A few knowledge-base articles for the demo, so the operator page has answers to offer (idempotent by title)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from appeals.kb import ArticleIn, save_article
from appeals.models import Category, KbArticle

DEMO_ARTICLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Опалювальний сезон: коли подають тепло",
        "Опалювальний сезон починається, коли середньодобова температура три доби поспіль нижча за +8 °C. "
        "Подача тепла в будинок триває до 3 діб після рішення виконкому. Холодні батареї після цього — заявка до КП «Броваритепловодоенергія».",
        ("no_heating",),
    ),
    (
        "Планове відключення гарячої води",
        "Щороку на час ремонту тепломереж гарячу воду відключають до 14 діб; графік публікує КП «Броваритепловодоенергія». "
        "Якщо строк минув — реєструємо звернення.",
        (),
    ),
    (
        "Вивезення побутових відходів: графік і скарги",
        "Графік вивезення залежить від району. Якщо контейнери не вивезено понад 2 доби — реєструємо звернення, категорія «Вивезення сміття».",
        (),
    ),
    (
        "Як дізнатися стан свого звернення",
        "Стан звернення можна дізнатися на сторінці /status за реєстраційним номером і останніми чотирма цифрами телефону, або зателефонувати на 1551.",
        (),
    ),
)


def seed_demo_articles(session: Session, *, now: datetime) -> int:
    """Add the demo articles that are missing; returns how many were added."""
    added = 0
    for title, body, codes in DEMO_ARTICLES:
        if session.exec(select(KbArticle.id).where(KbArticle.title == title)).first() is not None:
            continue
        ids = [c for c in session.exec(select(Category.id).where(col(Category.code).in_(codes))).all() if c is not None] if codes else []
        save_article(session, ArticleIn(title=title, body=body, category_ids=ids), now=now)
        added += 1
    return added
