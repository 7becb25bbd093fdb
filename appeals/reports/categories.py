"""By category (domain.md §5.4.2): volume, share, trend, resolution time, % within the category SLA, hot spots."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals.models import Appeal, Category, EmergencyClass, Issue
from appeals.reports.facts import REPORT_ACTIONS, IssueFacts, closed_query, iter_facts, registered_query
from appeals.reports.labels import EMERGENCY, label, uk_key
from appeals.reports.model import Cell, Chart, Definition, Report, Series, Table, column
from appeals.reports.places import Spot, place_names
from appeals.reports.scope import ReportFilter, describe, scoped_issues
from appeals.reports.stats import hours, maybe_aware, mean, median, pct

HOT_SPOTS = 10
DEFINITIONS = [
    Definition("Кількість", "питання, зареєстровані в періоді"),
    Definition("Частка", "кількість категорії / усі питання періоду × 100"),
    Definition(
        "Динаміка",
        "(кількість − кількість попереднього періоду такої ж тривалості) / попередня × 100; так само до того ж періоду минулого року",
    ),
    Definition("Час вирішення", "закриття − реєстрація по питаннях, закритих у періоді, години: середнє та медіана"),
    Definition(
        "% у межах нормативу",
        "закриті в періоді питання, де останній звіт виконавця не пізніше нормативного строку категорії / закриті × 100",
    ),
    Definition("% аварійних", "питання аварійних категорій / усі питання періоду × 100"),
    Definition("Гарячі точки", f"{HOT_SPOTS} адрес (будинків) з найбільшою кількістю питань у періоді"),
]
COLUMNS = (
    column("category", "Категорія", "text"),
    column("group", "Група", "text"),
    column("emergency", "Терміновість", "text"),
    column("volume", "Кількість"),
    column("share_pct", "Частка, %", "pct"),
    column("previous", "Попередній період"),
    column("trend_pct", "Динаміка, %", "pct"),
    column("year_ago", "Рік тому"),
    column("year_trend_pct", "До минулого року, %", "pct"),
    column("closed", "Закрито"),
    column("resolution_avg_h", "Середній час вирішення, год", "hours"),
    column("resolution_median_h", "Медіана часу вирішення, год", "hours"),
    column("within_sla_pct", "% у межах нормативу", "pct"),
)
HOT_COLUMNS = (
    column("address", "Адреса", "text"),
    column("issues", "Питань"),
    column("top_category", "Найчастіша категорія", "text"),
    column("categories", "Різних категорій"),
)


def volumes(session: Session, flt: ReportFilter) -> dict[int | None, int]:
    """Issues registered in the period per category."""
    query = (
        select(Issue.category_id, func.count())
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .where(col(Issue.registered_at) >= flt.since, col(Issue.registered_at) < flt.until)
        .group_by(col(Issue.category_id))
    )
    return {category_id: int(n) for category_id, n in session.exec(scoped_issues(session, flt, query)).all()}


def _within_sla(fact: IssueFacts) -> bool:
    report, sla = fact.closing_report_at(), maybe_aware(fact.issue.sla_due_at)
    return report is not None and (sla is None or report <= sla)


def _trend(current: int, before: int) -> float | None:
    return None if not before else round(100.0 * (current - before) / before, 1)


Closed = list[tuple[float | None, bool]]
"""(hours from registration to closure, closed within the SLA) of each issue closed in the period."""


def _closed(fact: IssueFacts) -> tuple[float | None, bool]:
    return hours(fact.issue.registered_at, fact.closed_at), _within_sla(fact)


def _row(cat: Category | None, groups: dict[int, str], counts: tuple[int, int, int, int], closed: Closed) -> dict[str, Cell]:
    volume, total, previous, year_ago = counts
    durations = [h for h, _ in closed if h is not None]
    return {
        "category": cat.name if cat else "Без категорії",
        "group": groups.get(cat.parent_id or 0, "") if cat else "",
        "emergency": label(EMERGENCY, cat.emergency_class.value) if cat else "—",
        "volume": volume,
        "share_pct": pct(volume, total),
        "previous": previous,
        "trend_pct": _trend(volume, previous),
        "year_ago": year_ago,
        "year_trend_pct": _trend(volume, year_ago),
        "closed": len(closed),
        "resolution_avg_h": mean(durations),
        "resolution_median_h": median(durations),
        "within_sla_pct": pct(sum(1 for _, within in closed if within), len(closed)),
    }


def _top_places(session: Session, ids: Any) -> list[tuple[tuple[str, int | str], int, str]]:
    """(key, issues, shown address) of the places with most issues: buildings, and free-text addresses without one."""
    n = func.count().label("n")
    in_scope = col(Issue.id).in_(select(ids.c.id))
    buildings = session.exec(
        select(Issue.building_id, n)
        .where(in_scope, col(Issue.building_id).is_not(None))
        .group_by(col(Issue.building_id))
        .order_by(n.desc())
        .limit(HOT_SPOTS)
    ).all()
    text = func.lower(Issue.address_text)
    texts = session.exec(
        select(text, n, func.min(Issue.address_text))
        .where(in_scope, col(Issue.building_id).is_(None), Issue.address_text != "")
        .group_by(text)
        .order_by(n.desc())
        .limit(HOT_SPOTS)
    ).all()
    names = place_names(session, [Spot(b, "") for b, _ in buildings])
    return [(("building", b or 0), int(c), names[("building", b or 0)]) for b, c in buildings] + [
        (("text", str(t)), int(c), str(shown)) for t, c, shown in texts
    ]


def hot_spots(session: Session, flt: ReportFilter, categories: dict[int, Category]) -> Table:
    ids = registered_query(session, flt).subquery()
    ranked = sorted(_top_places(session, ids), key=lambda p: (-p[1], uk_key(p[2])))[:HOT_SPOTS]
    rows: list[dict[str, Cell]] = []
    for key, count, shown in ranked:
        where = Issue.building_id == key[1] if key[0] == "building" else func.lower(Issue.address_text) == key[1]
        mix = session.exec(
            select(Issue.category_id, func.count()).where(col(Issue.id).in_(select(ids.c.id)), where).group_by(col(Issue.category_id))
        ).all()
        top = max(mix, key=lambda m: (m[1], -(m[0] or 0)))[0] if mix else None
        rows.append(
            {"address": shown, "issues": count, "top_category": categories[top].name if top in categories else "—", "categories": len(mix)}
        )
    return Table("hot_spots", "Гарячі точки (адреси з найбільшою кількістю питань)", HOT_COLUMNS, rows)


def by_category(session: Session, flt: ReportFilter, *, now: datetime) -> Report:
    del now  # the report covers a closed period; the signature is shared by every report
    categories = {c.id or 0: c for c in session.exec(select(Category)).all()}
    groups = {cid: c.name for cid, c in categories.items()}
    current, previous, year_ago = volumes(session, flt), volumes(session, flt.previous()), volumes(session, flt.year_before())
    total = sum(current.values())
    closed: dict[int | None, Closed] = defaultdict(list)
    for fact in iter_facts(session, closed_query(session, flt), actions=REPORT_ACTIONS):
        closed[fact.issue.category_id].append(_closed(fact))
    keys = sorted(set(current) | set(closed), key=lambda k: (-current.get(k, 0), uk_key(categories[k].name if k in categories else "я")))
    rows = [
        _row(categories.get(k or 0), groups, (current.get(k, 0), total, previous.get(k, 0), year_ago.get(k, 0)), closed[k]) for k in keys
    ]
    emergency = sum(n for k, n in current.items() if k in categories and categories[k].emergency_class is EmergencyClass.emergency)
    summary = _row(None, groups, (total, total, sum(previous.values()), sum(year_ago.values())), [f for fs in closed.values() for f in fs])
    summary.update({"category": "Усього", "emergency": f"аварійних {pct(emergency, total) or 0.0} %"})
    chart = Chart(
        "volume",
        "Кількість питань за категоріями",
        "bar",
        [str(r["category"]) for r in rows[:15]],
        [Series("Питань", [float(str(r["volume"])) for r in rows[:15]])],
    )
    tables = [Table("categories", "За категоріями", COLUMNS, rows, summary), hot_spots(session, flt, categories)]
    return Report("categories", "Звернення за категоріями", describe(session, flt), DEFINITIONS, tables, [chart])
