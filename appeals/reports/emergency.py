"""Emergency response (domain.md §5.4.7): time to accept and to resolve emergency issues against their hours SLA."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, col, select

from appeals.models import Category, EmergencyClass, Issue
from appeals.reports.facts import REPORT_ACTIONS, IssueFacts, load_facts, registered_query
from appeals.reports.labels import uk_key
from appeals.reports.model import Cell, Definition, Report, Table, column
from appeals.reports.scope import ReportFilter, describe
from appeals.reports.stats import hours, maybe_aware, median, pct

DEFINITIONS = [
    Definition("Аварійні питання", "питання категорій з класом «аварійна», зареєстровані в періоді"),
    Definition("До прийняття", "медіана часу від реєстрації до першого прийняття в роботу, години"),
    Definition("До усунення", "медіана часу від реєстрації до першого звіту виконавця, години"),
    Definition(
        "% у межах нормативу",
        "питання, де перший звіт виконавця надійшов не пізніше нормативу категорії (години, цілодобово) / питання зі звітом × 100",
    ),
]
COLUMNS = (
    column("category", "Категорія", "text"),
    column("sla_hours", "Норматив, год"),
    column("issues", "Питань"),
    column("accept_median_h", "До прийняття (медіана), год", "hours"),
    column("resolve_median_h", "До усунення (медіана), год", "hours"),
    column("reported", "Зі звітом"),
    column("within_sla_pct", "% у межах нормативу", "pct"),
    column("open", "Ще відкрито"),
)
EVENTS_NOTE = "Масові події (аварії з переліком будинків і ETA) рахуватимуться, щойно в реєстрі з'явиться облік аварій."


def _first_report(fact: IssueFacts) -> datetime | None:
    times = [t for a in REPORT_ACTIONS for t in fact.actions.get(a, [])]
    return min(times) if times else None


def _in_sla(fact: IssueFacts, report: datetime) -> bool:
    sla = maybe_aware(fact.issue.sla_due_at)
    return sla is None or report <= sla


def _row(name: str, sla: int | None, facts: list[IssueFacts]) -> dict[str, Cell]:
    accepts = [h for f in facts if (h := hours(f.issue.registered_at, f.first("accept"))) is not None]
    reports = [(f, r) for f in facts if (r := _first_report(f)) is not None]
    within = sum(1 for f, r in reports if _in_sla(f, r))
    return {
        "category": name,
        "sla_hours": sla,
        "issues": len(facts),
        "accept_median_h": median(accepts),
        "resolve_median_h": median([h for f, r in reports if (h := hours(f.issue.registered_at, r)) is not None]),
        "reported": len(reports),
        "within_sla_pct": pct(within, len(reports)),
        "open": sum(1 for f in facts if f.issue.closed_at is None),
    }


def emergency_response(session: Session, flt: ReportFilter, *, now: datetime) -> Report:
    del now
    categories = {c.id: c for c in session.exec(select(Category).where(Category.emergency_class == EmergencyClass.emergency)).all()}
    facts = load_facts(session, registered_query(session, flt).where(col(Issue.category_id).in_(list(categories))))
    groups: dict[int | None, list[IssueFacts]] = defaultdict(list)
    for fact in facts:
        groups[fact.issue.category_id].append(fact)
    rows = [
        _row(categories[k].name, categories[k].sla_value if categories[k].sla_unit.value == "hours" else None, items)
        for k, items in sorted(groups.items(), key=lambda kv: uk_key(categories[kv[0]].name))
    ]
    table = Table("emergency", "Аварійні питання", COLUMNS, rows, _row("Усього", None, facts), note=EVENTS_NOTE)
    return Report("emergency", "Реагування на аварії", describe(session, flt), DEFINITIONS, [table])
