"""The callback report (domain.md §5.4.6): attempts, reach, confirmation and dispute, unverified closures, per agent and executor."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, and_, col, or_, select

from appeals.models import Appeal, CallbackAttempt, CallbackKind, CallbackOutcome, CallbackTask, Executor, Issue, IssueStatus, User
from appeals.reports.facts import closed_query
from appeals.reports.labels import CALLBACK_KIND, label, uk_key
from appeals.reports.model import Cell, Definition, Report, Table, column
from appeals.reports.scope import ReportFilter, describe, scoped_issues
from appeals.reports.stats import hours, median, pct, ratio

UNREACHED = frozenset({CallbackOutcome.no_answer.value, CallbackOutcome.busy.value, CallbackOutcome.wrong_number.value})
CONFIRMED = frozenset({CallbackOutcome.confirmed.value, CallbackOutcome.self_resolved.value})
DEFINITIONS = [
    Definition("Спроба", "один набір номера зворотного дзвінка з результатом, у періоді"),
    Definition("Дозвон", "спроби, де заявник відповів (усі, крім «не відповідає», «зайнято», «помилковий номер») / спроби × 100"),
    Definition("% підтверджень", "підтверджено (у т.ч. «вирішилось самостійно») / (підтверджено + не підтверджено) × 100"),
    Definition("% спростувань", "не підтверджено / дозвони під час перевірки виконання × 100"),
    Definition(
        "Закрито без підтвердження",
        "питання, закриті в періоді після вичерпаних спроб / питання, закриті в періоді після перевірки (підтверджені + без підтвердження) × 100 — має бути низьким",
    ),
    Definition("Спроб на завдання", "спроби / завдання, закриті в періоді"),
    Definition("До першої спроби", "медіана часу від створення завдання до першої спроби, години"),
]
KIND_COLUMNS = (
    column("kind", "Вид", "text"),
    column("created", "Створено завдань"),
    column("attempts", "Спроб"),
    column("reached", "Дозвонів"),
    column("reach_pct", "% дозвону", "pct"),
    column("closed", "Закрито завдань"),
    column("attempts_per_task", "Спроб на завдання", "float"),
    column("first_attempt_median_h", "До першої спроби (медіана), год", "hours"),
)
SUMMARY = (column("measure", "Показник", "text"), column("value", "Значення", "float"))
AGENT_COLUMNS = (
    column("agent", "Оператор", "text"),
    column("attempts", "Спроб"),
    column("reached", "Дозвонів"),
    column("confirmed", "Підтверджено"),
    column("disputed", "Не підтверджено"),
)
EXECUTOR_COLUMNS = (
    column("executor", "Виконавець", "text"),
    column("attempts", "Спроб"),
    column("confirmed", "Підтверджено"),
    column("disputed", "Не підтверджено"),
    column("confirmation_pct", "% підтверджень", "pct"),
)
Row = Any
"""An attempt in the period: (agent_id, outcome, kind, executor_id) with attribute access."""


def _issue_filters(flt: ReportFilter) -> bool:
    return (
        flt.category_id is not None
        or flt.executor_id is not None
        or bool(flt.district)
        or flt.channel is not None
        or flt.priority is not None
    )


def _attempts(session: Session, flt: ReportFilter) -> list[Row]:
    query = (
        select(CallbackAttempt.agent_id, CallbackAttempt.outcome, CallbackTask.kind, Issue.executor_id)
        .join(CallbackTask, col(CallbackTask.id) == CallbackAttempt.task_id)
        .join(Issue, col(Issue.id) == CallbackTask.issue_id, isouter=True)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id, isouter=True)
        .where(col(CallbackAttempt.attempted_at) >= flt.since, col(CallbackAttempt.attempted_at) < flt.until)
        .order_by(col(CallbackAttempt.attempted_at), col(CallbackAttempt.id))
    )
    if _issue_filters(flt):
        query = scoped_issues(session, flt, query)
    return list(session.exec(query).all())


_TASK_COLUMNS: list[Any] = [CallbackTask.id, CallbackTask.kind, CallbackTask.created_at, CallbackTask.closed_at, CallbackTask.attempts]


def _tasks(session: Session, flt: ReportFilter) -> Any:
    """Tasks created or closed in the period, as a query of (id, kind, created_at, closed_at, attempts)."""
    query = (
        select(*_TASK_COLUMNS)
        .join(Issue, col(Issue.id) == CallbackTask.issue_id, isouter=True)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id, isouter=True)
        .where(
            or_(
                and_(col(CallbackTask.created_at) >= flt.since, col(CallbackTask.created_at) < flt.until),
                and_(col(CallbackTask.closed_at) >= flt.since, col(CallbackTask.closed_at) < flt.until),
            )
        )
    )
    return scoped_issues(session, flt, query) if _issue_filters(flt) else query


def _first_attempts(session: Session, tasks: Any) -> dict[int, datetime]:
    """The first attempt of each task the query returns."""
    ids = tasks.subquery()
    rows = session.exec(
        select(CallbackAttempt.task_id, func.min(CallbackAttempt.attempted_at))
        .where(col(CallbackAttempt.task_id).in_(select(ids.c.id)))
        .group_by(col(CallbackAttempt.task_id))
    ).all()
    return {task_id: at for task_id, at in rows if at is not None}


def _by_kind(session: Session, flt: ReportFilter, attempts: Sequence[Row]) -> list[dict[str, Cell]]:
    query = _tasks(session, flt)
    tasks = session.exec(query).all()
    created = [t for t in tasks if flt.since <= t.created_at < flt.until]
    first = _first_attempts(session, query)
    rows: list[dict[str, Cell]] = []
    for kind in CallbackKind:
        mine = [a for a in attempts if a.kind is kind]
        closed = [t for t in tasks if t.kind is kind and t.closed_at is not None and flt.since <= t.closed_at < flt.until]
        made = [t for t in created if t.kind is kind]
        if not (mine or made or closed):
            continue
        reached = sum(1 for a in mine if a.outcome not in UNREACHED)
        waits = [h for t in made if (h := hours(t.created_at, first.get(t.id or 0))) is not None]
        closed_attempts = sum(t.attempts for t in closed)
        rows.append(
            {
                "kind": label(CALLBACK_KIND, kind.value),
                "created": len(made),
                "attempts": len(mine),
                "reached": reached,
                "reach_pct": pct(reached, len(mine)),
                "closed": len(closed),
                "attempts_per_task": ratio(closed_attempts, len(closed)),
                "first_attempt_median_h": median(waits),
            }
        )
    return rows


def _verification(session: Session, flt: ReportFilter, attempts: Sequence[Row]) -> list[dict[str, Cell]]:
    mine = [a for a in attempts if a.kind is CallbackKind.verification]
    reached = [a for a in mine if a.outcome not in UNREACHED]
    confirmed = sum(1 for a in mine if a.outcome in CONFIRMED)
    disputed = sum(1 for a in mine if a.outcome == CallbackOutcome.disputed.value)
    ids = closed_query(session, flt).subquery()
    by_status = dict(
        session.exec(select(Issue.status, func.count()).where(col(Issue.id).in_(select(ids.c.id))).group_by(col(Issue.status))).all()
    )
    unverified = int(by_status.get(IssueStatus.closed_unverified, 0))
    verified = int(by_status.get(IssueStatus.closed_confirmed, 0)) + unverified
    return [
        {"measure": "Спроб перевірки виконання", "value": len(mine)},
        {"measure": "Дозвонів", "value": len(reached)},
        {"measure": "% дозвону", "value": pct(len(reached), len(mine))},
        {"measure": "Підтверджено", "value": confirmed},
        {"measure": "Не підтверджено", "value": disputed},
        {"measure": "% підтверджень", "value": pct(confirmed, confirmed + disputed)},
        {"measure": "% спростувань", "value": pct(disputed, len(reached))},
        {"measure": "Закрито після перевірки", "value": verified},
        {"measure": "З них без підтвердження, %", "value": pct(unverified, verified)},
    ]


def _per(attempts: Sequence[Row], key: str, names: dict[int | None, str]) -> list[dict[str, Cell]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for attempt in attempts:
        if key == "agent":
            groups[names.get(attempt.agent_id, "Система")].append(attempt)
        elif attempt.kind is CallbackKind.verification:
            groups[names.get(attempt.executor_id, "Не призначено")].append(attempt)
    rows: list[dict[str, Cell]] = []
    for name in sorted(groups, key=uk_key):
        items = groups[name]
        confirmed = sum(1 for a in items if a.outcome in CONFIRMED)
        disputed = sum(1 for a in items if a.outcome == CallbackOutcome.disputed.value)
        row: dict[str, Cell] = {key: name, "attempts": len(items), "confirmed": confirmed, "disputed": disputed}
        if key == "agent":
            row["reached"] = sum(1 for a in items if a.outcome not in UNREACHED)
        else:
            row["confirmation_pct"] = pct(confirmed, confirmed + disputed)
        rows.append(row)
    return rows


def callback_report(session: Session, flt: ReportFilter, *, now: datetime) -> Report:
    del now
    attempts = _attempts(session, flt)
    agents: dict[int | None, str] = {u.id: u.full_name or u.username for u in session.exec(select(User)).all()}
    executors: dict[int | None, str] = {e.id: e.short_name or e.name for e in session.exec(select(Executor)).all()}
    tables = [
        Table("by_kind", "За видами завдань", KIND_COLUMNS, _by_kind(session, flt, attempts)),
        Table("verification", "Підтвердження виконання", SUMMARY, _verification(session, flt, attempts)),
        Table("by_agent", "За операторами", AGENT_COLUMNS, _per(attempts, "agent", agents)),
        Table("by_executor", "За виконавцями", EXECUTOR_COLUMNS, _per(attempts, "executor", executors)),
    ]
    return Report("callbacks", "Зворотні дзвінки", describe(session, flt), DEFINITIONS, tables)
