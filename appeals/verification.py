"""After an executor reports: the verification callback (прозвон) and the answers the law requires the applicant get."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals import messages
from appeals.actors import SYSTEM
from appeals.callback_tasks import create_callback_task, desk_slot, verification_window_end
from appeals.history import record_status_change
from appeals.lifecycle import plan_transition
from appeals.models import (
    Answer,
    Appeal,
    AppealForm,
    CallbackKind,
    CallbackStatus,
    CallbackTask,
    Category,
    CitizenPhone,
    EmergencyClass,
    Issue,
    IssueAction,
    IssueStatus,
    NotificationChannel,
)
from appeals.notifications import SUPERVISORS, citizen_contact, notify_citizen, queue_notification
from appeals.workcalendar import load_calendar


def _callback_phone(session: Session, appeal: Appeal) -> str | None:
    if appeal.caller:
        return appeal.caller
    if appeal.citizen_id is None:
        return None
    return session.exec(
        select(CitizenPhone.phone).where(CitizenPhone.citizen_id == appeal.citizen_id).order_by(col(CitizenPhone.id))
    ).first()


def follow_report(session: Session, issue_id: int, *, now: datetime) -> CallbackTask | None:
    """After an executor's report: answer the applicant (written/electronic appeals) and put the verification call
    on the desk. Idempotent: a report already followed (or an issue that moved on) is left alone."""
    issue = session.get(Issue, issue_id)
    appeal = session.get(Appeal, issue.appeal_id) if issue else None
    if issue is None or appeal is None:
        return None
    if issue.status in (IssueStatus.reported_done, IssueStatus.reported_explained):
        explained = issue.status is IssueStatus.reported_explained
        answer_citizen(session, issue, appeal, text=issue.resolution_text, explained=explained, now=now)
        task = start_verification(session, issue, appeal, now=now)
    elif issue.status is IssueStatus.on_verification and _open_verification(session, issue_id) is None:
        task = _verification_task(session, issue, appeal, now=now)
    else:
        return None
    session.commit()
    return task


def _open_verification(session: Session, issue_id: int) -> CallbackTask | None:
    return session.exec(
        select(CallbackTask).where(
            CallbackTask.issue_id == issue_id,
            CallbackTask.kind == CallbackKind.verification,
            col(CallbackTask.status).in_([CallbackStatus.pending, CallbackStatus.in_progress]),
        )
    ).first()


def start_verification(session: Session, issue: Issue, appeal: Appeal, *, now: datetime) -> CallbackTask:
    """reported → on_verification, and a verification task on the callback desk (3 tries over 2 working days)."""
    plan_transition(issue.id, issue.status, IssueAction.start_verification, None)
    record_status_change(
        session,
        entity="issue",
        entity_id=issue.id or 0,
        appeal_id=appeal.id,
        action=IssueAction.start_verification.value,
        from_status=issue.status.value,
        to_status=IssueStatus.on_verification.value,
        actor=SYSTEM,
        now=now,
    )
    issue.status = IssueStatus.on_verification
    session.add(issue)
    return _verification_task(session, issue, appeal, now=now)


def _verification_task(session: Session, issue: Issue, appeal: Appeal, *, now: datetime) -> CallbackTask:
    calendar = load_calendar(session)
    cycle = session.exec(
        select(func.count())
        .select_from(CallbackTask)
        .where(CallbackTask.issue_id == issue.id, CallbackTask.kind == CallbackKind.verification)
    ).one()
    category = session.get(Category, issue.category_id) if issue.category_id else None
    urgent = category is not None and category.emergency_class is not EmergencyClass.normal
    task, _ = create_callback_task(
        session,
        CallbackKind.verification,
        dedup_key=f"verification:{issue.id}:{int(cycle) + 1}",
        now=now,
        phone=_callback_phone(session, appeal),
        appeal_id=appeal.id,
        issue_id=issue.id,
        citizen_id=appeal.citizen_id,
        due_at=verification_window_end(now, calendar),
        priority=(2 if appeal.is_priority else 0) + (1 if urgent else 0),
        next_attempt=desk_slot(now, calendar),
    )
    return task


def interim_notice(session: Session, issue: Issue, appeal: Appeal, *, title: str, text: str, key: str, now: datetime) -> None:
    """A procedural notice to the applicant (forwarded, returned, extended, postponed), kept as an interim answer."""
    body = messages.citizen_notice(appeal.number or "", title=title, text=text)
    notes = notify_citizen(session, appeal, body, kind="citizen_notice", key=key, now=now, issue_id=issue.id)
    if notes:
        session.add(
            Answer(appeal_id=appeal.id or 0, issue_id=issue.id, text=text, channel=notes[0].channel.value, interim=True, sent_at=now)
        )


def answer_citizen(session: Session, issue: Issue, appeal: Appeal, *, text: str, explained: bool, now: datetime) -> None:
    """Written and electronic appeals get the executor's result as the answer (art. 19) by e-mail.

    Oral appeals are answered by the verification call. An appeal the head must answer personally (arts. 14–15)
    is not answered automatically: the dispatch desk is asked to prepare the head's answer.
    """
    if appeal.form is AppealForm.oral or citizen_contact(session, appeal).email is None:
        return
    number = appeal.number or ""
    if appeal.requires_first_head:
        queue_notification(
            session,
            kind="head_answer_needed",
            channel=NotificationChannel.email,
            recipient=SUPERVISORS,
            dedup_key=f"head_answer:{issue.id}:{issue.rework_count}:{issue.reopen_count}",
            text=messages.Text(f"[{number}] Потрібна відповідь за підписом керівника", f"Виконавець звітував:\n{text}\n"),
            now=now,
            appeal_id=appeal.id,
            issue_id=issue.id,
        )
        return
    lead = "Надаємо роз'яснення щодо вашого звернення" if explained else "За вашим зверненням виконано роботи"
    answer = f"{lead}.\n\n{text.strip() or '—'}\n\nЯкщо проблему не усунено, дайте відповідь на цей лист, зазначивши номер звернення."
    body = messages.citizen_notice(number, title="результат розгляду", text=answer)
    notes = notify_citizen(
        session,
        appeal,
        body,
        kind="citizen_answer",
        key=f"answer:{issue.id}:{issue.rework_count}:{issue.reopen_count}",
        now=now,
        issue_id=issue.id,
    )
    email = [n for n in notes if n.channel is NotificationChannel.email]
    if email:
        session.add(Answer(appeal_id=appeal.id or 0, issue_id=issue.id, text=answer, channel="email", interim=False, sent_at=now))
