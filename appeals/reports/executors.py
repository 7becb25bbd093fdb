"""Executor performance card (domain.md §5.4.1): on time by Kyiv's formula, overdue, speed, rework, confirmation, satisfaction."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from appeals.models import Appeal, Assignment, CallbackAttempt, CallbackTask, Category, EmergencyClass, Executor, Issue
from appeals.reports.facts import REPORT_ACTIONS, IssueFacts, alive_query, count_in_period, iter_facts, read_columns
from appeals.reports.labels import uk_key
from appeals.reports.model import Cell, Chart, Definition, Report, Series, Table, column
from appeals.reports.scope import ReportFilter, describe, scoped_issues
from appeals.reports.stats import mean, median, pct

REACTION_HOURS = {EmergencyClass.emergency: 1, EmergencyClass.urgent: 4, EmergencyClass.normal: 24}
"""Time to accept an assignment, by the category's emergency class (the contact center's regulation)."""
_REACTION = {cls: timedelta(hours=h) for cls, h in REACTION_HOURS.items()}

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
        select(
            *read_columns(Assignment, ("issue_id", "executor_id", "assigned_at", "accepted_at"), session.get_bind().dialect.name),
            *read_columns(Category, ("emergency_class",), "any"),
        )
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


_COUNTED = ("confirm", "dispute", "report_done", "report_explained", "postpone")


@dataclass
class Tally:
    """What one executor's card is computed from; tallies add up to the total row (medians from the joined lists)."""

    received: int = 0
    accepted_on_time: int = 0
    waits: list[float] = field(default_factory=list)
    closed: int = 0
    on_time: int = 0
    overdue: int = 0
    durations: list[float] = field(default_factory=list)
    reworks: list[int] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    scores: list[int] = field(default_factory=list)

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.received + other.received,
            self.accepted_on_time + other.accepted_on_time,
            self.waits + other.waits,
            self.closed + other.closed,
            self.on_time + other.on_time,
            self.overdue + other.overdue,
            self.durations + other.durations,
            self.reworks + other.reworks,
            self.counts + other.counts,
            self.scores + other.scores,
        )


def _acceptance(tally: Tally, rows: list[Any]) -> None:
    """Received issues, those accepted within the reaction time, and hours to accept, from the period's assignments."""
    first: dict[int, tuple[datetime, datetime | None, Any]] = {}
    for issue_id, _executor, assigned, accepted, emergency in sorted(rows, key=lambda r: r[2]):
        first.setdefault(issue_id, (assigned, accepted, emergency))
        if accepted is not None:
            tally.waits.append((accepted - assigned).total_seconds() / 3600)
    for assigned, accepted, emergency in first.values():
        if accepted is not None and accepted - assigned <= _REACTION[emergency or EmergencyClass.normal]:
            tally.accepted_on_time += 1
    tally.received = len(first)


def _add_fact(tally: Tally, fact: IssueFacts, flt: ReportFilter, as_of: datetime) -> None:
    """Closure on time, overdue, resolution time, and the counted history actions of one issue."""
    closed = fact.closed_at
    if closed is not None and flt.since <= closed < flt.until:
        tally.closed += 1
        tally.on_time += bool(fact.closed_on_time())
        if fact.issue.registered_at is not None:
            tally.durations.append((closed - fact.issue.registered_at).total_seconds() / 3600)
    elif fact.open_overdue_then(as_of):
        tally.overdue += 1
    for name, times in fact.actions.items():
        if name in _COUNTED and (n := count_in_period(times, flt)):
            tally.counts[name] += n
            if name == "report_done":
                tally.reworks.append(fact.issue.rework_count)


def card_row(tally: Tally) -> dict[str, Cell]:
    """The card's figures from a tally (one executor's, or the sum for the total row)."""
    counts, reworks, scores = tally.counts, tally.reworks, tally.scores
    confirmed, disputed, done_reports = counts["confirm"], counts["dispute"], counts["report_done"]
    return {
        "received": tally.received,
        "accepted_on_time": tally.accepted_on_time,
        "accepted_on_time_pct": pct(tally.accepted_on_time, tally.received),
        "closed": tally.closed,
        "closed_on_time": tally.on_time,
        "closed_late": tally.closed - tally.on_time,
        "open_overdue": tally.overdue,
        "on_time_pct": pct(tally.on_time, tally.closed + tally.overdue),
        "resolution_avg_h": mean(tally.durations),
        "resolution_median_h": median(tally.durations),
        "accept_median_h": median(tally.waits),
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


def executor_card(session: Session, flt: ReportFilter, *, now: datetime) -> Report:
    """One row per executor with any work in the period, and the total over all of them."""
    as_of = flt.as_of(now)
    tallies: dict[int | None, Tally] = defaultdict(Tally)
    for fact in iter_facts(session, alive_query(session, flt), as_of=as_of, actions=(*REPORT_ACTIONS, *_COUNTED)):
        _add_fact(tallies[fact.issue.executor_id], fact, flt, as_of)
    active = set(tallies)
    by_assign: dict[int | None, list[Any]] = defaultdict(list)
    for row in _assignments(session, flt):
        by_assign[row[1]].append(row)
    for executor_id, assigned in by_assign.items():
        _acceptance(tallies[executor_id], assigned)
    for executor_id, score in _satisfaction(session, flt):
        tallies[executor_id].scores.append(score)
    names = {e.id: e.short_name or e.name for e in session.exec(select(Executor)).all()}
    rows: list[dict[str, Cell]] = []
    for executor_id in sorted(active | set(by_assign), key=lambda e: uk_key(names.get(e, "—") if e else "яяя")):
        row = card_row(tallies[executor_id])
        if any(row[k] for k in ("received", "closed", "open_overdue", "done_reports")):
            rows.append({"executor": names.get(executor_id, "Не призначено") if executor_id else "Не призначено", **row})
    total = {"executor": "Усього", **card_row(sum(tallies.values(), Tally()))}
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
