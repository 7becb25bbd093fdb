"""The public statistics page (domain.md §5.4.12): aggregates only — the same figures as the staff reports, no personal data."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlmodel import Session, select

from appeals.models import Category
from appeals.reports.categories import volumes
from appeals.reports.consultations import consultations
from appeals.reports.executors import executor_card
from appeals.reports.facts import closed_query, load_facts
from appeals.reports.labels import uk_key
from appeals.reports.model import Cell, Chart, Definition, Report, Series, Table, column
from appeals.reports.operations import operations
from appeals.reports.scope import ReportFilter, descendants
from appeals.reports.stats import hours, median

DEFINITIONS = [
    Definition("Звернення / питання", "зареєстровані в періоді; одне звернення може містити кілька питань"),
    Definition(
        "Вчасно", "закрито вчасно / (закрито вчасно + із запізненням + прострочено відкритих на кінець періоду) × 100 (формула Києва)"
    ),
    Definition("Час вирішення", "медіана часу від реєстрації до закриття питань, закритих у періоді, години"),
    Definition("Задоволеність", "середня оцінка заявників 1–5 під час зворотного дзвінка"),
    Definition("Рівень обслуговування", "дзвінки, на які оператор відповів протягом нормативу очікування / усі вхідні × 100"),
]
OVERVIEW = (column("measure", "Показник", "text"), column("value", "Значення", "float"))
GROUPS = (
    column("group", "Напрям", "text"),
    column("issues", "Питань"),
    column("closed", "Закрито"),
    column("resolution_median_h", "Медіана вирішення, год", "hours"),
)
EXECUTORS = (
    column("executor", "Виконавець", "text"),
    column("received", "Отримано"),
    column("closed", "Закрито"),
    column("on_time_pct", "Вчасно, %", "pct"),
    column("resolution_median_h", "Медіана вирішення, год", "hours"),
    column("satisfaction_avg", "Задоволеність (1–5)", "float"),
)


def _top_level(categories: dict[int, Category]) -> dict[int, Category]:
    """Each category's root ancestor."""
    roots: dict[int, Category] = {}
    for root in (c for c in categories.values() if c.parent_id is None):
        for node in descendants([(c.id, c.parent_id) for c in categories.values()], root.id or 0):
            roots[node] = root
    return roots


def _groups(session: Session, flt: ReportFilter) -> list[dict[str, Cell]]:
    categories = {c.id or 0: c for c in session.exec(select(Category)).all()}
    roots = _top_level(categories)
    issues: Counter[str] = Counter()
    for category_id, n in volumes(session, flt).items():
        issues[roots[category_id].name if category_id in roots else "Інше"] += n
    closed: dict[str, list[float]] = defaultdict(list)
    for fact in load_facts(session, closed_query(session, flt), actions=()):
        name = roots[fact.issue.category_id].name if fact.issue.category_id in roots else "Інше"
        closed[name].append(hours(fact.issue.registered_at, fact.closed_at) or 0.0)
    names = sorted(set(issues) | set(closed), key=lambda n: (-issues[n], uk_key(n)))
    return [{"group": n, "issues": issues[n], "closed": len(closed[n]), "resolution_median_h": median(closed[n])} for n in names]


def public_statistics(session: Session, flt: ReportFilter, *, now: datetime, service_level_seconds: int) -> Report:
    card = executor_card(session, flt, now=now).table("executors")
    calls = {
        r["measure"]: r["value"]
        for r in operations(session, flt, now=now, service_level_seconds=service_level_seconds).table("summary").rows
    }
    consulted = consultations(session, flt, now=now).table("topics").total or {}
    total = card.total or {}
    groups = _groups(session, flt)
    overview: list[dict[str, Cell]] = [
        {"measure": "Питань зареєстровано", "value": sum(int(str(g["issues"])) for g in groups)},
        {"measure": "Питань закрито", "value": total.get("closed")},
        {"measure": "Закрито вчасно, %", "value": total.get("on_time_pct")},
        {"measure": "Прострочено відкритих на кінець періоду", "value": total.get("open_overdue")},
        {"measure": "Медіана часу вирішення, год", "value": total.get("resolution_median_h")},
        {"measure": "Задоволеність заявників (1–5)", "value": total.get("satisfaction_avg")},
        {"measure": "Консультацій надано", "value": consulted.get("consultations", 0)},
        {"measure": "Дзвінків надійшло", "value": calls.get("Надійшло дзвінків")},
        {
            "measure": f"Рівень обслуговування ({service_level_seconds} с), %",
            "value": calls.get(f"Рівень обслуговування ({service_level_seconds} с), %"),
        },
    ]
    executors = [{c.key: row.get(c.key) for c in EXECUTORS} for row in card.rows]
    chart = Chart(
        "groups",
        "Питання за напрямами",
        "bar",
        [str(g["group"]) for g in groups],
        [Series("Питань", [float(str(g["issues"])) for g in groups])],
    )
    tables = [
        Table("overview", "Загальні показники", OVERVIEW, overview),
        Table("groups", "За напрямами", GROUPS, groups),
        Table("executors", "Картки виконавців", EXECUTORS, executors),
    ]
    return Report("public", "Статистика звернень", f"період {flt.label()}", DEFINITIONS, tables, [chart])
