"""Consultations by topic, contacts by channel (domain.md §5.4.10) and knowledge-base article uses: what callers were\nanswered without an appeal, and from which articles."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals.models import Appeal, AppealStatus, Category, KbArticle, KbUse
from appeals.reports.labels import CHANNEL, label, uk_key
from appeals.reports.model import Cell, Chart, Definition, Report, Series, Table, column
from appeals.reports.scope import ReportFilter, category_subtree, describe
from appeals.reports.stats import pct

DEFINITIONS = [
    Definition(
        "Консультація", "оператор відповів на запитання (довідка, роз'яснення) без реєстрації звернення; рахується за часом відповіді"
    ),
    Definition("Тема", "категорія, яку оператор обрав для консультації (фільтр категорії бере її підкатегорії)"),
    Definition("Контакти за каналами", "зареєстровані звернення, консультації та «не звернення» (тиша, помилковий номер…) у періоді"),
    Definition("% консультацій", "консультації / (зареєстровані + консультації) × 100"),
    Definition("Статті бази знань", "скільки разів оператори відповіли за статтею (позначка «відповів за статтею» на картці) у періоді"),
]
ARTICLE_COLUMNS = (
    column("article", "Стаття бази знань", "text"),
    column("uses", "Відповідей за статтею"),
    column("share_pct", "Частка, %", "pct"),
)
TOPIC_COLUMNS = (
    column("topic", "Тема", "text"),
    column("group", "Група", "text"),
    column("consultations", "Консультацій"),
    column("share_pct", "Частка, %", "pct"),
)
CHANNEL_COLUMNS = (
    column("channel", "Канал", "text"),
    column("registered", "Зареєстровано звернень"),
    column("consultations", "Консультацій"),
    column("discarded", "Не звернення"),
    column("contacts", "Усього контактів"),
    column("consultation_pct", "% консультацій", "pct"),
)


Key = tuple[str, int | None]


def _appeals(flt: ReportFilter, status: AppealStatus, stamp: Any) -> Any:
    query = select(Appeal.channel, Appeal.consultation_category_id, func.count()).where(Appeal.status == status)
    query = query.where(col(stamp) >= flt.since, col(stamp) < flt.until)
    if flt.channel is not None:
        query = query.where(Appeal.channel == flt.channel)
    if flt.priority is not None:
        query = query.where(col(Appeal.is_priority).is_(flt.priority))
    return query.group_by(col(Appeal.channel), col(Appeal.consultation_category_id))


def _counts(session: Session, flt: ReportFilter) -> dict[str, Counter[Key]]:
    counts: dict[str, Counter[Key]] = {}
    for status, stamp in (
        (AppealStatus.consultation, Appeal.closed_at),
        (AppealStatus.discarded, Appeal.closed_at),
        (AppealStatus.registered, Appeal.registered_at),
        (AppealStatus.closed, Appeal.registered_at),
    ):
        counter: Counter[Key] = Counter()
        for channel, topic, n in session.exec(_appeals(flt, status, stamp)).all():
            counter[(str(getattr(channel, "value", channel)), topic)] += int(n)
        counts[status.value] = counter
    return counts


def _topics(session: Session, flt: ReportFilter, consulted: Counter[Key]) -> list[dict[str, Cell]]:
    wanted = category_subtree(session, flt.category_id) if flt.category_id is not None else None
    categories = {c.id: c for c in session.exec(select(Category)).all()}
    topics: Counter[int | None] = Counter()
    for (_, topic), n in consulted.items():
        if wanted is None or topic in wanted:
            topics[topic] += n
    total = sum(topics.values())
    rows: list[dict[str, Cell]] = []
    for topic, n in sorted(topics.items(), key=lambda kv: (-kv[1], uk_key(categories[kv[0]].name if kv[0] in categories else "я"))):
        cat = categories.get(topic)
        parent = categories.get(cat.parent_id) if cat and cat.parent_id else None
        rows.append(
            {
                "topic": cat.name if cat else "Без теми",
                "group": parent.name if parent else "",
                "consultations": n,
                "share_pct": pct(n, total),
            }
        )
    return rows


def consultations(session: Session, flt: ReportFilter, *, now: datetime) -> Report:
    del now
    counts = _counts(session, flt)
    topic_rows = _topics(session, flt, counts["consultation"])
    total = sum(int(str(r["consultations"])) for r in topic_rows)
    top = topic_rows[:15]
    chart = Chart(
        "topics",
        "Консультації за темами",
        "bar",
        [str(r["topic"]) for r in top],
        [Series("Консультацій", [float(str(r["consultations"])) for r in top])],
    )
    summary: dict[str, Cell] = {"topic": "Усього", "group": "", "consultations": total, "share_pct": 100.0 if total else None}
    article_rows = _articles(session, flt)
    uses = sum(int(str(r["uses"])) for r in article_rows)
    tables = [
        Table("topics", "Консультації за темами", TOPIC_COLUMNS, topic_rows, summary),
        Table("channels", "Контакти за каналами", CHANNEL_COLUMNS, _channels(counts)),
        Table(
            "articles",
            "Відповіді за статтями бази знань",
            ARTICLE_COLUMNS,
            article_rows,
            {"article": "Усього", "uses": uses, "share_pct": 100.0 if uses else None},
        ),
    ]
    return Report("consultations", "Консультації", describe(session, flt), DEFINITIONS, tables, [chart])


def _articles(session: Session, flt: ReportFilter) -> list[dict[str, Cell]]:
    """Knowledge-base article uses in the period; the category filter keeps articles linked to its subtree."""
    query = (
        select(KbUse.article_id, func.count())
        .join(Appeal, col(Appeal.id) == col(KbUse.appeal_id), isouter=True)
        .where(col(KbUse.at) >= flt.since, col(KbUse.at) < flt.until)
    )
    if flt.channel is not None:
        query = query.where(Appeal.channel == flt.channel)
    if flt.priority is not None:
        query = query.where(col(Appeal.is_priority).is_(flt.priority))
    counted = dict(session.exec(query.group_by(col(KbUse.article_id))).all())
    if not counted:
        return []
    wanted = category_subtree(session, flt.category_id) if flt.category_id is not None else None
    articles = session.exec(select(KbArticle).where(col(KbArticle.id).in_(list(counted)))).all()
    kept = [(a, int(counted.get(a.id or 0, 0))) for a in articles if wanted is None or set(a.category_ids) & set(wanted)]
    total = sum(n for _, n in kept)
    kept.sort(key=lambda an: (-an[1], uk_key(an[0].title)))
    return [{"article": a.title, "uses": n, "share_pct": pct(n, total)} for a, n in kept]


def _channels(counts: dict[str, Counter[Key]]) -> list[dict[str, Cell]]:
    def per_channel(status: str) -> Counter[str]:
        out: Counter[str] = Counter()
        for (channel, _), n in counts[status].items():
            out[channel] += n
        return out

    registered = per_channel("registered") + per_channel("closed")
    consulted, discarded = per_channel("consultation"), per_channel("discarded")
    rows: list[dict[str, Cell]] = []
    for channel in sorted(set(registered) | set(consulted) | set(discarded), key=lambda c: -(registered[c] + consulted[c] + discarded[c])):
        rows.append(
            {
                "channel": label(CHANNEL, channel),
                "registered": registered[channel],
                "consultations": consulted[channel],
                "discarded": discarded[channel],
                "contacts": registered[channel] + consulted[channel] + discarded[channel],
                "consultation_pct": pct(consulted[channel], registered[channel] + consulted[channel]),
            }
        )
    return rows
