"""The deadline watcher (pure use cases): attention, SLA breach, overdue marking with escalation, forwarding term,
overdue callbacks, and the executors' daily digest. Each alert is raised once per issue, kind and due (an
extension or a rework sets a new due and re-arms it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from appeals import messages
from appeals.actors import SYSTEM
from appeals.deadlines import FORWARD_OUT_DAYS, KYIV, procedural_due, receipt_date
from appeals.history import record_status_change
from appeals.models import (
    TERMINAL_ISSUE_STATUSES,
    Appeal,
    Assignment,
    CallbackStatus,
    CallbackTask,
    DeadlineAlert,
    Executor,
    Issue,
    IssueStatus,
    NotificationChannel,
)
from appeals.notifications import SUPERVISORS, executor_name, issue_facts, queue_notification
from appeals.views import current_due
from appeals.workcalendar import load_calendar

S = IssueStatus
EXECUTOR_ACTIVE = (S.assigned, S.in_work, S.rework, S.extended, S.reopened)
_NOT_WATCHED = {*TERMINAL_ISSUE_STATUSES, S.draft, S.linked_to_incident}


@dataclass
class WatchReport:
    raised: dict[str, int] = field(default_factory=lambda: {"attention": 0, "sla": 0, "overdue": 0, "forward": 0, "callback": 0})


def _claim(session: Session, issue_id: int, kind: str, due: datetime, now: datetime) -> bool:
    """Record the alert; False when it was already raised (by this or a concurrent watcher)."""
    exists = session.exec(
        select(DeadlineAlert.id).where(DeadlineAlert.issue_id == issue_id, DeadlineAlert.kind == kind, DeadlineAlert.due_at == due)
    ).first()
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(DeadlineAlert(issue_id=issue_id, kind=kind, due_at=due, raised_at=now))
    except IntegrityError:
        return False
    return True


def _tell(
    session: Session, issue: Issue, appeal: Appeal, kind: str, due: datetime, now: datetime, *, executor: bool, escalate: bool
) -> None:
    facts = issue_facts(session, issue, appeal)
    org = session.get(Executor, issue.executor_id) if issue.executor_id else None
    key = f"deadline:{kind}:{issue.id}:{due.timestamp():.0f}"
    recipients: list[tuple[str, str | None, messages.Text]] = []
    if executor and org is not None:
        recipients.append(("exe", org.email, messages.deadline_alert(facts, kind=kind)))
    if escalate:
        reason = messages.deadline_alert(facts, kind=kind).subject.split("] ", 1)[-1]
        text = messages.escalation(facts, executor=executor_name(org), reason=reason)
        recipients.append(("sup", SUPERVISORS, text))
        if kind == "overdue" and org is not None:
            recipients.append(("head", org.head_email, text))
    for suffix, recipient, text in recipients:
        queue_notification(
            session,
            kind=f"deadline_{kind}",
            channel=NotificationChannel.email,
            recipient=recipient,
            dedup_key=f"{key}:{suffix}",
            text=text,
            now=now,
            appeal_id=appeal.id,
            issue_id=issue.id,
            executor_id=issue.executor_id,
        )


def _candidates(session: Session, *conditions: object, limit: int) -> list[tuple[Issue, Appeal]]:
    query = select(Issue, Appeal).join(Appeal, col(Appeal.id) == Issue.appeal_id).where(*conditions).order_by(col(Issue.id)).limit(limit)  # type: ignore[arg-type]
    return [(i, a) for i, a in session.exec(query).all()]


def watch_deadlines(session: Session, *, now: datetime, limit: int = 1000) -> WatchReport:
    """One pass over the open issues; commits. Safe to run concurrently and repeatedly."""
    report = WatchReport()
    active = col(Issue.status).in_([s.value for s in EXECUTOR_ACTIVE])
    for issue, appeal in _candidates(session, active, col(Issue.attention_at) <= now, limit=limit):
        due = issue.attention_at
        if (
            due is not None
            and (issue.sla_due_at is None or issue.sla_due_at > now)
            and _claim(session, issue.id or 0, "attention", due, now)
        ):
            _tell(session, issue, appeal, "attention", due, now, executor=True, escalate=False)
            issue.attention_notified = True
            report.raised["attention"] += 1
    for issue, appeal in _candidates(session, active, col(Issue.sla_due_at) < now, limit=limit):
        due, statutory = issue.sla_due_at, current_due(issue)
        if due is not None and statutory is not None and due < statutory and _claim(session, issue.id or 0, "sla", due, now):
            _tell(session, issue, appeal, "sla", due, now, executor=True, escalate=True)
            report.raised["sla"] += 1
    overdue = func.coalesce(col(Issue.extended_due_at), col(Issue.due_at)) < now
    for issue, appeal in _candidates(session, col(Issue.status).not_in([s.value for s in _NOT_WATCHED]), overdue, limit=limit):
        due = current_due(issue)
        if due is not None and _claim(session, issue.id or 0, "overdue", due, now):
            _mark_overdue(session, issue, appeal, due, now)
            report.raised["overdue"] += 1
    _watch_forwarding(session, report, now=now, limit=limit)
    session.commit()
    return report


def _mark_overdue(session: Session, issue: Issue, appeal: Appeal, due: datetime, now: datetime) -> None:
    issue.overdue_notified = True
    session.add(issue)
    record_status_change(
        session,
        entity="issue",
        entity_id=issue.id or 0,
        appeal_id=appeal.id,
        action="overdue",
        from_status=issue.status.value,
        to_status=issue.status.value,
        actor=SYSTEM,
        now=now,
        reason=f"строк {messages.kyiv(due)} минув",
    )
    _tell(session, issue, appeal, "overdue", due, now, executor=issue.status in EXECUTOR_ACTIVE, escalate=True)


def _watch_forwarding(session: Session, report: WatchReport, *, now: datetime, limit: int) -> None:
    """Art. 7: an issue back at dispatch must be forwarded within 5 days of receipt; warn a day ahead."""
    calendar = load_calendar(session)
    for issue, appeal in _candidates(session, Issue.status == S.returned_to_dispatch, limit=limit):
        due = procedural_due(receipt_date(appeal.received_at, appeal.channel, calendar), FORWARD_OUT_DAYS, calendar)
        if now >= due - timedelta(days=1) and _claim(session, issue.id or 0, "forward", due, now):
            facts = issue_facts(session, issue, appeal)
            text = messages.escalation(
                facts, executor="диспетчерська", reason=f"строк пересилання за належністю спливає {messages.kyiv(due)} (ст. 7)"
            )
            queue_notification(
                session,
                kind="deadline_forward",
                channel=NotificationChannel.email,
                recipient=SUPERVISORS,
                dedup_key=f"deadline:forward:{issue.id}:{due.timestamp():.0f}",
                text=text,
                now=now,
                appeal_id=appeal.id,
                issue_id=issue.id,
            )
            report.raised["forward"] += 1


def overdue_callbacks(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Callback tasks still open after their window: the desk supervisor is told once per task."""
    tasks = session.exec(
        select(CallbackTask)
        .where(col(CallbackTask.status).in_([CallbackStatus.pending, CallbackStatus.in_progress]), col(CallbackTask.due_at) < now)
        .limit(limit)
    ).all()
    count = 0
    for task in tasks:
        text = messages.Text(
            f"Прострочений зворотний дзвінок #{task.id} ({task.kind.value})",
            f"Завдання #{task.id} не виконано у строк ({messages.kyiv(task.due_at)}); спроб: {task.attempts}.\n"
            f"Список: {messages.CONSOLE}/callbacks\n",
        )
        note = queue_notification(
            session,
            kind="callback_overdue",
            channel=NotificationChannel.email,
            recipient=SUPERVISORS,
            dedup_key=f"callback_overdue:{task.id}",
            text=text,
            now=now,
            appeal_id=task.appeal_id,
            issue_id=task.issue_id,
        )
        count += int(note is not None and note.created_at == now)
    session.commit()
    return count


def _digest_sections(session: Session, items: list[tuple[Issue, Appeal]], now: datetime) -> list[tuple[str, list[messages.IssueFacts]]]:
    new_since = now - timedelta(days=1)
    assigned_at = dict(
        session.exec(
            select(Assignment.issue_id, func.max(Assignment.assigned_at))
            .where(col(Assignment.issue_id).in_([i.id for i, _ in items]))
            .group_by(col(Assignment.issue_id))
        ).all()
    )
    sections: list[tuple[str, list[messages.IssueFacts]]] = [
        ("Прострочені", [issue_facts(session, i, a) for i, a in items if (d := current_due(i)) and d < now]),
        ("Перевищено нормативний строк", [issue_facts(session, i, a) for i, a in items if i.sla_due_at and i.sla_due_at < now]),
        ("Наближається строк", [issue_facts(session, i, a) for i, a in items if i.attention_at and i.attention_at <= now]),
        ("Очікують прийняття", [issue_facts(session, i, a) for i, a in items if i.status is S.assigned]),
        ("Нові за добу", [issue_facts(session, i, a) for i, a in items if (t := assigned_at.get(i.id or 0)) and t >= new_since]),
    ]
    return [s for s in sections if s[1]]


def executor_digests(session: Session, *, now: datetime) -> int:
    """One digest per executor with something to act on (overdue, breached, attention, unaccepted, new)."""
    rows = session.exec(
        select(Issue, Appeal)
        .join(Appeal, col(Appeal.id) == Issue.appeal_id)
        .where(col(Issue.status).in_([s.value for s in (*EXECUTOR_ACTIVE, S.postponed)]), col(Issue.executor_id).is_not(None))
        .order_by(col(Issue.executor_id), col(Issue.due_at))
    ).all()
    by_executor: dict[int, list[tuple[Issue, Appeal]]] = {}
    for issue, appeal in rows:
        by_executor.setdefault(issue.executor_id or 0, []).append((issue, appeal))
    day = now.astimezone(KYIV).date()
    sent = 0
    for executor_id, items in by_executor.items():
        org = session.get(Executor, executor_id)
        if org is None or not org.email or not org.is_active:
            continue
        queue_notification(
            session,
            kind="digest",
            channel=NotificationChannel.email,
            recipient=org.email,
            dedup_key=f"digest:{executor_id}:{day.isoformat()}",
            text=messages.digest(executor_name(org), day.strftime("%d.%m.%Y"), _digest_sections(session, items, now)),
            now=now,
            executor_id=executor_id,
        )
        sent += 1
    session.commit()
    return sent
