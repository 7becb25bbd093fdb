"""Executor performance card (domain.md §5.4.1): on time by Kyiv's formula, overdue, speed, rework, confirmation, satisfaction."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from appeals.models import Appeal, Assignment, CallbackAttempt, CallbackTask, Category, EmergencyClass, Executor, Issue
from appeals.reports.facts import REPORT_ACTIONS, IssueFacts, alive_query, count_in_period, in_period, load_facts
from appeals.reports.labels import uk_key
from appeals.reports.model import Cell, Chart, Definition, Report, Series, Table, column
from appeals.reports.scope import ReportFilter, describe, scoped_issues
from appeals.reports.stats import hours, mean, median, pct

REACTION_HOURS = {EmergencyClass.emergency: 1, EmergencyClass.urgent: 4, EmergencyClass.normal: 24}
"""Time to accept an assignment, by the category's emergency class (the contact center's regulation)."""

DEFINITIONS = [
    Definition("Отримано", "питання, за якими у періоді створено доручення цьому виконавцю (кожне питання — один раз)"),
    Definition(
        "Прийнято вчасно",
        "перше доручення в періоді прийнято в роботу в межах часу реакції: аварійні — 1 год, термінові — 4 год, звичайні — 24 год",
    ),
    Definition("Закрито", "питання, закриті в періоді (підтверджено, не вдалося підтвердити або роз'яснено)"),
    Definition(
        "Закрито вчасно / із запізненням",
        "останній звіт виконавця перед закриттям (якщо звіту немає — саме закриття) не пізніше / пізніше строку (продовженого, якщо керівник продовжив)",
    ),
    Definition("Прострочено відкритих", "питання, відкриті на кінець періоду (або на зараз) зі строком, що минув"),
    Definition("% вчасно (формула Києва)", "вчасно / (вчасно + із запізненням + прострочено відкритих) × 100"),
    Definition("Час вирішення", "закриття − реєстрація, календарні години; середнє та медіана по питаннях, закритих у періоді"),
    Definition("Час прийняття", "медіана (прийнято − доручено) по дорученнях періоду, години"),
    Definition(
        "% доопрацювань",
        "питання зі звітом «виконано» в періоді, які хоч раз повертались на доопрацювання / усі питання зі звітом «виконано»",
    ),
    Definition("% підтверджень", "підтвердження / (підтвердження + непідтвердження) заявником під час зворотного дзвінка в періоді"),
    Definition("Достовірність", "100 − непідтвердження / звіти «виконано» в періоді × 100"),
    Definition("Задоволеність", "середня оцінка 1–5 під час зворотного дзвінка в періоді та частка оцінок ≥ 4"),
]
COLUMNS = (
    column("executor", "Виконавець", "text"),
    column("received", "Отримано"),
    column("accepted_on_time", "Прийнято вчасно"),
    column("accepted_on_time_pct", "% прийнято вчасно", "pct"),
    column("closed", "Закрито"),
    column("closed_on_time", "Закрито вчасно"),
    column("closed_late", "Закрито із запізненням"),
    column("open_overdue", "Прострочено відкритих"),
    column("on_time_pct", "% вчасно (формула Києва)", "pct"),
    column("resolution_avg_h", "Середній час вирішення, год", "hours"),
    column("resolution_median_h", "Медіана часу вирішення, год", "hours"),
    column("accept_median_h", "Медіана часу прийняття, год", "hours"),
    column("reported_done", "Звітів «виконано» (питань)"),
    column("rework_pct", "% доопрацювань", "pct"),
    column("rework_1", "Доопрацювання 1×"),
    column("rework_2", "Доопрацювання 2×"),
    column("rework_3plus", "Доопрацювання 3+×"),
    column("confirmed", "Підтверджено заявником"),
    column("disputed", "Не підтверджено заявником"),
    column("confirmation_pct", "% підтверджень", "pct"),
    column("veracity_pct", "Достовірність, %", "pct"),
    column("satisfaction_avg", "Задоволеність (1–5)", "float"),
    column("satisfaction_4plus_pct", "% оцінок ≥ 4", "pct"),
    column("done_reports", "Звітів «виконано»"),
    column("explained_reports", "Звітів «роз'яснено»"),
    column("postponed", "У план-програму"),
)


_ASSIGNMENT_COLUMNS: list[Any] = [
    Assignment.issue_id,
    Assignment.executor_id,
    Assignment.assigned_at,
    Assignment.accepted_at,
    Category.emergency_class,
]


def _assignments(session: Session, flt: ReportFilter) -> list[Any]:
    """Assignments made in the period: (issue_id, executor_id, assigned_at, accepted_at, emergency_class) rows."""
    query = (
        select(*_ASSIGNMENT_COLUMNS)
        .join(Issue, col(Issue.id) == Assignment.issue_id)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .join(Category, col(Category.id) == Issue.category_id, isouter=True)
        .where(col(Assignment.assigned_at) >= flt.since, col(Assignment.assigned_at) < flt.until)
    )
    return list(session.exec(scoped_issues(session, flt, query)).all())


def _satisfaction(session: Session, flt: ReportFilter) -> list[tuple[int | None, int]]:
    query = (
        select(Issue.executor_id, CallbackAttempt.satisfaction)
        .join(CallbackTask, col(CallbackTask.id) == CallbackAttempt.task_id)
        .join(Issue, col(Issue.id) == CallbackTask.issue_id)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .where(col(CallbackAttempt.satisfaction).is_not(None))
        .where(col(CallbackAttempt.attempted_at) >= flt.since, col(CallbackAttempt.attempted_at) < flt.until)
    )
    return [(executor, int(score)) for executor, score in session.exec(scoped_issues(session, flt, query)).all() if score is not None]


def _acceptance(rows: list[Any]) -> tuple[int, int, list[float]]:
    """(issues received, accepted on time, hours to accept) for one executor's assignments in the period."""
    first: dict[int, Any] = {}
    for row in sorted(rows, key=lambda r: r.assigned_at):
        first.setdefault(row.issue_id, row)
    on_time = 0
    for row in first.values():
        limit = timedelta(hours=REACTION_HOURS[row.emergency_class or EmergencyClass.normal])
        if row.accepted_at is not None and row.accepted_at - row.assigned_at <= limit:
            on_time += 1
    waits = [h for r in rows if (h := hours(r.assigned_at, r.accepted_at)) is not None]
    return len(first), on_time, waits


def _timeliness(facts: list[IssueFacts], flt: ReportFilter, as_of: datetime) -> dict[str, Cell]:
    """Closed on time / late, open overdue, Kyiv's %, resolution time."""
    closed = [f for f in facts if in_period(f.closed_at, flt)]
    on_time = sum(1 for f in closed if f.closed_on_time())
    overdue = sum(1 for f in facts if f.open_overdue_then(as_of))
    durations = [h for f in closed if (h := hours(f.issue.registered_at, f.closed_at)) is not None]
    return {
        "closed": len(closed),
        "closed_on_time": on_time,
        "closed_late": len(closed) - on_time,
        "open_overdue": overdue,
        "on_time_pct": pct(on_time, len(closed) + overdue),
        "resolution_avg_h": mean(durations),
        "resolution_median_h": median(durations),
    }


_COUNTED = ("confirm", "dispute", "report_done", "report_explained", "postpone")


def _quality(facts: list[IssueFacts], flt: ReportFilter, scores: list[int]) -> dict[str, Cell]:
    """Rework, the applicant's confirmation on callback, veracity, satisfaction, kinds of report (one pass over the facts)."""
    counts: Counter[str] = Counter()
    reworks: list[int] = []
    for fact in facts:
        for name, times in fact.actions.items():
            if name in _COUNTED and (n := count_in_period(times, flt)):
                counts[name] += n
                if name == "report_done":
                    reworks.append(fact.issue.rework_count)
    confirmed, disputed, done_reports = counts["confirm"], counts["dispute"], counts["report_done"]
    return {
        "reported_done": len(reworks),
        "rework_pct": pct(sum(1 for n in reworks if n >= 1), len(reworks)),
        "rework_1": reworks.count(1),
        "rework_2": reworks.count(2),
        "rework_3plus": sum(1 for n in reworks if n >= 3),
        "confirmed": confirmed,
        "disputed": disputed,
        "confirmation_pct": pct(confirmed, confirmed + disputed),
        "veracity_pct": None if not done_reports else round(100.0 - (pct(disputed, done_reports) or 0.0), 1),
        "satisfaction_avg": mean(scores, 2),
        "satisfaction_4plus_pct": pct(sum(1 for s in scores if s >= 4), len(scores)),
        "done_reports": done_reports,
        "explained_reports": counts["report_explained"],
        "postponed": counts["postpone"],
    }


def card_row(
    facts: Iterable[IssueFacts],
    assignments: list[Any],
    scores: list[int],
    flt: ReportFilter,
    as_of: datetime,
) -> dict[str, Cell]:
    """The card's figures for one executor (or for all, in the total row)."""
    facts = list(facts)
    received, accepted_on_time, waits = _acceptance(assignments)
    row: dict[str, Cell] = {
        "received": received,
        "accepted_on_time": accepted_on_time,
        "accepted_on_time_pct": pct(accepted_on_time, received),
    }
    row.update(_timeliness(facts, flt, as_of))
    row["accept_median_h"] = median(waits)
    row.update(_quality(facts, flt, scores))
    return row


def executor_card(session: Session, flt: ReportFilter, *, now: datetime) -> Report:
    """One row per executor with any work in the period, and the total over all of them."""
    as_of = flt.as_of(now)
    facts = load_facts(session, alive_query(session, flt), as_of=as_of, actions=(*REPORT_ACTIONS, *_COUNTED))
    assignments = _assignments(session, flt)
    scores = _satisfaction(session, flt)
    by_facts: dict[int | None, list[IssueFacts]] = defaultdict(list)
    for fact in facts:
        by_facts[fact.issue.executor_id].append(fact)
    by_assign: dict[int | None, list[Any]] = defaultdict(list)
    for row in assignments:
        by_assign[row.executor_id].append(row)
    by_score: dict[int | None, list[int]] = defaultdict(list)
    for executor_id, score in scores:
        by_score[executor_id].append(score)
    names = {e.id: e.short_name or e.name for e in session.exec(select(Executor)).all()}
    rows: list[dict[str, Cell]] = []
    for executor_id in sorted(set(by_facts) | set(by_assign), key=lambda e: uk_key(names.get(e, "—") if e else "яяя")):
        row = card_row(by_facts[executor_id], by_assign[executor_id], by_score[executor_id], flt, as_of)
        if any(row[k] for k in ("received", "closed", "open_overdue", "done_reports")):
            rows.append({"executor": names.get(executor_id, "Не призначено") if executor_id else "Не призначено", **row})
    total = {"executor": "Усього", **card_row(facts, assignments, [s for _, s in scores], flt, as_of)}
    chart = Chart(
        "on_time",
        "% вчасно (формула Києва)",
        "bar",
        [str(r["executor"]) for r in rows if r["on_time_pct"] is not None],
        [Series("% вчасно", [float(str(r["on_time_pct"])) for r in rows if r["on_time_pct"] is not None])],
        unit="%",
    )
    table = Table("executors", "Картка виконавця", COLUMNS, rows, total)
    return Report("executors", "Ефективність виконавців", describe(session, flt), DEFINITIONS, [table], [chart])
