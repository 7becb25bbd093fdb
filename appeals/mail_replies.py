"""Replies by e-mail to our messages, matched by the registration number in the subject: an executor's report
(the first line names the action) or the applicant writing back about their appeal."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals import messages
from appeals.actors import Actor
from appeals.errors import AppealsError
from appeals.history import record_status_change
from appeals.issues import ActionInput, transition_issue
from appeals.models import Appeal, Citizen, Executor, Issue, IssueAction, MailOutcome, NotificationChannel, Role, User
from appeals.notifications import SUPERVISORS, queue_notification

NUMBER = re.compile(r"([A-ZА-ЯІЇЄҐ]{1,6}-\d{4}-\d{6})(?:/(\d+))?")
COMMANDS: tuple[tuple[tuple[str, ...], IssueAction], ...] = (
    (("НЕ В КОМПЕТЕНЦІЇ", "НЕ НАЛЕЖИТЬ", "NOT COMPETENT"), IssueAction.return_to_dispatch),
    (("ПРИЙНЯТО", "ПРИЙНЯТО В РОБОТУ", "ACCEPT"), IssueAction.accept),
    (("ВИКОНАНО", "DONE"), IssueAction.report_done),
    (("РОЗ'ЯСНЕНО", "РОЗЯСНЕНО", "РОЗ’ЯСНЕНО", "EXPLAINED"), IssueAction.report_explained),
)
_QUOTE_START = re.compile(
    r"^(>|-{2,}\s*(Original Message|Вихідне повідомлення|Исходное сообщение)|On .+ wrote:|.+ пише:|.+ написал\(а\)?:)", re.I
)


def strip_quoted(text: str) -> str:
    """The reply's own text: stop at the quoted original."""
    lines = []
    for line in text.splitlines():
        if _QUOTE_START.match(line.strip()):
            break
        lines.append(line)
    return "\n".join(lines).strip()


def parse_command(text: str) -> tuple[IssueAction | None, str]:
    """The action the first line names and the rest as the report."""
    own = strip_quoted(text)
    first, _, rest = own.partition("\n")
    head = first.strip().upper().rstrip(".!:")
    for words, action in COMMANDS:
        for word in words:
            if head == word or head.startswith(word + " ") or head.startswith(word + ":"):
                tail = first.strip()[len(word) :].strip(" :.-")
                return action, "\n".join(p for p in (tail, rest.strip()) if p)
    return None, own


def _executor_of(session: Session, sender: str) -> tuple[Executor, int | None] | None:
    low = sender.lower()
    org = (
        session.exec(select(Executor).where(func.lower(Executor.email) == low)).first()
        or session.exec(select(Executor).where(func.lower(Executor.dispatch_email) == low)).first()
    )
    user = session.exec(
        select(User).where(func.lower(User.email) == low, User.role == Role.executor, col(User.is_active).is_(True))
    ).first()
    if org is None and user is not None and user.executor_id is not None:
        org = session.get(Executor, user.executor_id)
    return (org, user.id if user else None) if org is not None else None


def _issue(session: Session, number: str, seq: str | None) -> tuple[Appeal, Issue] | None:
    appeal = session.exec(select(Appeal).where(Appeal.number == number)).first()
    if appeal is None:
        return None
    issues = session.exec(select(Issue).where(Issue.appeal_id == appeal.id).order_by(col(Issue.seq))).all()
    chosen = next((i for i in issues if str(i.seq) == seq), None) if seq else (issues[0] if len(issues) == 1 else None)
    return (appeal, chosen) if chosen is not None else None


def _answer_executor(session: Session, sender: str, subject: str, text: str, now: datetime, key: str) -> None:
    queue_notification(
        session,
        kind="executor_mail_error",
        channel=NotificationChannel.email,
        recipient=sender,
        dedup_key=f"mail_error:{key}",
        text=messages.Text(f"Re: {subject}"[:300], f"{text}\n\n{messages.REPLY_HINT}\n"),
        payload={"auto_submitted": "auto-replied"},
        now=now,
    )


def _executor_report(
    session: Session,
    org: Executor,
    user_id: int | None,
    appeal: Appeal,
    issue: Issue,
    *,
    subject: str,
    sender: str,
    text: str,
    now: datetime,
) -> tuple[MailOutcome, int, int, str]:
    action, report = parse_command(text)
    actor = Actor(user_id=user_id, role=Role.executor, executor_id=org.id)
    if issue.executor_id != org.id:
        return MailOutcome.executor_reply, appeal.id or 0, issue.id or 0, "відправник не є виконавцем цього питання; дію не виконано"
    if action is None:
        record_status_change(
            session,
            entity="issue",
            entity_id=issue.id or 0,
            appeal_id=appeal.id,
            action="executor_mail",
            from_status=issue.status.value,
            to_status=issue.status.value,
            actor=actor,
            now=now,
            reason=report[:1000],
        )
        session.commit()
        return MailOutcome.executor_reply, appeal.id or 0, issue.id or 0, "коментар виконавця (без дії)"
    try:
        transition_issue(session, issue.id or 0, action, actor=actor, now=now, data=ActionInput(reason=report[:1000]))
    except AppealsError as exc:
        session.rollback()
        _answer_executor(session, sender, subject, f"Дію «{action.value}» не виконано: {exc.message}", now, f"{issue.id}:{now.timestamp()}")
        return MailOutcome.executor_reply, appeal.id or 0, issue.id or 0, f"відмовлено: {exc.message}"
    return MailOutcome.executor_reply, appeal.id or 0, issue.id or 0, f"дія виконавця: {action.value}"


def _citizen_reply(session: Session, appeal: Appeal, issue: Issue, own: str, now: datetime) -> None:
    """The applicant wrote back: kept in the history, and the desk is told (it may reopen or dispute)."""
    record_status_change(
        session,
        entity="appeal",
        entity_id=appeal.id or 0,
        appeal_id=appeal.id,
        action="citizen_mail",
        from_status=appeal.status.value,
        to_status=appeal.status.value,
        actor=Actor(None, None),
        now=now,
        reason=own[:1000],
    )
    queue_notification(
        session,
        kind="citizen_reply",
        channel=NotificationChannel.email,
        recipient=SUPERVISORS,
        dedup_key=f"citizen_reply:{appeal.id}:{now.timestamp():.6f}",
        text=messages.Text(f"[{appeal.number}] Лист від заявника", f"{own[:4000]}\n\nЗвернення: {messages.CONSOLE}/issues/{issue.id}\n"),
        now=now,
        appeal_id=appeal.id,
        issue_id=issue.id,
    )
    session.commit()


def handle_reply(
    session: Session, subject: str, sender: str, text: str, *, in_reply_to: str, now: datetime
) -> tuple[MailOutcome, int, int | None, str] | None:
    """The reply's effect, or None when the message is not a reply to one of our appeals (then it is a new appeal)."""
    del in_reply_to  # threading is informative; the number and the sender decide
    found = NUMBER.search(subject)
    target = _issue(session, found.group(1), found.group(2)) if found else None
    if found is None or target is None:
        return None
    appeal, issue = target
    executor = _executor_of(session, sender)
    if executor is not None:
        return _executor_report(session, executor[0], executor[1], appeal, issue, subject=subject, sender=sender, text=text, now=now)
    citizen = session.get(Citizen, appeal.citizen_id) if appeal.citizen_id else None
    if sender.lower() not in {e.lower() for e in (appeal.reply_email, citizen.email if citizen else None) if e}:
        return None
    _citizen_reply(session, appeal, issue, strip_quoted(text), now)
    return MailOutcome.citizen_reply, appeal.id or 0, issue.id, "лист заявника додано до звернення"
