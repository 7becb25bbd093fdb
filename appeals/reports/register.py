"""The daily overdue and attention register (domain.md §5.4.3): open issues past due, those nearing it, by executor."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from appeals.deadlines import KYIV
from appeals.models import TERMINAL_ISSUE_STATUSES, Appeal, Category, Executor, Issue, IssueStatus
from appeals.reports.facts import IssueFacts, load_facts
from appeals.reports.labels import ISSUE_STATUS, label, uk_key
from appeals.reports.model import Cell, Definition, Report, Table, column
from appeals.reports.places import place_key, place_names
from appeals.reports.scope import ReportFilter, filter_phrases, scoped_issues
from appeals.reports.stats import maybe_aware

DEFINITIONS = [
    Definition(
        "Прострочено", "відкрите питання, у якого минув строк розгляду (продовжений, якщо його продовжено); днів = повних діб після строку"
    ),
    Definition("Увага", "відкрите питання, строк якого ще не минув, але пройдено поріг уваги (типово 75 % нормативного строку категорії)"),
    Definition("Норматив порушено", "минув нормативний строк категорії (він не пізніший за строк розгляду)"),
    Definition("Пільговик", "заявник має пільгу за законом — питання розглядається першочергово (ст. 20)"),
]
ROW_COLUMNS = (
    column("number", "Номер", "text"),
    column("executor", "Виконавець", "text"),
    column("category", "Категорія", "text"),
    column("address", "Адреса", "text"),
    column("status", "Стан", "text"),
    column("registered_at", "Зареєстровано", "datetime"),
    column("due_at", "Строк", "datetime"),
    column("days_overdue", "Днів прострочки"),
    column("hours_left", "Залишилось, год", "hours"),
    column("sla_breached", "Норматив порушено", "flag"),
    column("priority", "Пільговик", "flag"),
)
SUMMARY_COLUMNS = (
    column("executor", "Виконавець", "text"),
    column("overdue", "Прострочено"),
    column("attention", "Увага"),
    column("priority", "З них пільговиків"),
)


def _open_query(session: Session, flt: ReportFilter) -> object:
    query = (
        select(Issue.id)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .where(col(Issue.registered_at).is_not(None))
        .where(col(Issue.status).not_in([s.value for s in TERMINAL_ISSUE_STATUSES] + [IssueStatus.draft.value]))
    )
    return scoped_issues(session, flt, query)


def _row(fact: IssueFacts, names: dict[str, str], now: datetime) -> dict[str, Cell]:
    due, sla = fact.due, maybe_aware(fact.issue.sla_due_at)
    overdue = due is not None and now > due
    return {
        "number": f"{fact.appeal.number}/{fact.issue.seq}",
        "executor": names["executor"],
        "category": names["category"],
        "address": names["address"],
        "status": label(ISSUE_STATUS, fact.issue.status),
        "registered_at": maybe_aware(fact.issue.registered_at),
        "due_at": due,
        "days_overdue": (now - due) // timedelta(days=1) if overdue and due is not None else None,
        "hours_left": None if overdue or due is None else round((due - now) / timedelta(hours=1), 1),
        "sla_breached": sla is not None and now > sla,
        "priority": fact.appeal.is_priority,
    }


def overdue_register(session: Session, flt: ReportFilter, *, now: datetime) -> Report:
    """As of `now`; the period does not apply (the register is what is open today), the other filters do."""
    facts = load_facts(session, _open_query(session, flt))
    executors = {e.id: e.short_name or e.name for e in session.exec(select(Executor)).all()}
    categories = {c.id: c.name for c in session.exec(select(Category)).all()}
    places = place_names(session, [f.issue for f in facts])
    overdue: list[dict[str, Cell]] = []
    attention: list[dict[str, Cell]] = []
    for fact in facts:
        due, mark = fact.due, maybe_aware(fact.issue.attention_at)
        names = {
            "executor": executors.get(fact.issue.executor_id, "Не призначено"),
            "category": categories.get(fact.issue.category_id, "—"),
            "address": places[place_key(fact.issue)],
        }
        if due is not None and now > due:
            overdue.append(_row(fact, names, now))
        elif mark is not None and now > mark:
            attention.append(_row(fact, names, now))
    overdue.sort(key=lambda r: (-int(str(r["days_overdue"])), uk_key(str(r["executor"])), str(r["number"])))
    attention.sort(key=lambda r: (float(str(r["hours_left"])), str(r["number"])))
    tables = [
        Table("overdue", "Прострочені", ROW_COLUMNS, overdue),
        Table("attention", "Потребують уваги", ROW_COLUMNS, attention),
        Table("by_executor", "За виконавцями", SUMMARY_COLUMNS, _summary(overdue, attention)),
    ]
    scope = "; ".join([f"станом на {now.astimezone(KYIV).strftime('%d.%m.%Y %H:%M')}", *filter_phrases(session, flt)])
    return Report("overdue", "Реєстр прострочених і тих, що потребують уваги", scope, DEFINITIONS, tables)


def _summary(overdue: list[dict[str, Cell]], attention: list[dict[str, Cell]]) -> list[dict[str, Cell]]:
    late, near = Counter(str(r["executor"]) for r in overdue), Counter(str(r["executor"]) for r in attention)
    flagged = Counter(str(r["executor"]) for r in overdue + attention if r["priority"])
    return [
        {"executor": name, "overdue": late[name], "attention": near[name], "priority": flagged[name]}
        for name in sorted(set(late) | set(near), key=lambda n: (-late[n], -near[n], uk_key(n)))
    ]
