"""The other ends of a draft: answered as a consultation, discarded with a reason, restored by a supervisor."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from appeals.actors import Actor
from appeals.drafts import cancel_draft_issues, draft_issues, get_appeal, require_draft
from appeals.errors import DomainValidationError, InvalidTransitionError
from appeals.models import Appeal, AppealStatus, Category, DiscardReason, IssueStatus
from appeals.status import set_appeal_status


def mark_consultation(session: Session, appeal_id: int, *, actor: Actor, now: datetime, category_id: int | None, note: str) -> Appeal:
    """The operator answered the caller: counted, not registered."""
    appeal = get_appeal(session, appeal_id)
    require_draft(appeal, "consultation")
    if category_id is not None and session.get(Category, category_id) is None:
        raise DomainValidationError(
            f"Категорії {category_id} немає в довіднику", code="category_unknown", fields={"category_id": "unknown"}
        )
    appeal.consultation_category_id, appeal.consultation_note = category_id, note
    appeal.operator_id = appeal.operator_id or actor.user_id
    appeal.closed_at = now
    cancel_draft_issues(session, appeal_id)
    set_appeal_status(session, appeal, AppealStatus.consultation, action="consultation", actor=actor, now=now, reason=note)
    session.commit()
    session.refresh(appeal)
    return appeal


def discard_appeal(session: Session, appeal_id: int, *, actor: Actor, now: datetime, reason: DiscardReason, note: str = "") -> Appeal:
    """A draft that is no appeal (silence, wrong number…), with the reason kept."""
    appeal = get_appeal(session, appeal_id)
    require_draft(appeal, "discard")
    if reason is DiscardReason.other and not note.strip():
        raise DomainValidationError(
            "Для причини «інше» додайте примітку, чому це не звернення", code="reason_required", fields={"note": "required"}
        )
    appeal.discard_reason, appeal.discard_note = reason.value, note
    appeal.operator_id = appeal.operator_id or actor.user_id
    appeal.closed_at = now
    cancel_draft_issues(session, appeal_id)
    set_appeal_status(
        session, appeal, AppealStatus.discarded, action="discard", actor=actor, now=now, reason=f"{reason.value}: {note}".strip(": ")
    )
    session.commit()
    session.refresh(appeal)
    return appeal


def restore_draft(session: Session, appeal_id: int, *, actor: Actor, now: datetime, reason: str) -> Appeal:
    """Undo a discard or a consultation: the appeal is a draft again (a supervisor's correction)."""
    appeal = get_appeal(session, appeal_id)
    if appeal.status not in (AppealStatus.discarded, AppealStatus.consultation):
        raise InvalidTransitionError("appeal", appeal_id, appeal.status.value, "restore", allowed=[])
    if not reason.strip():
        raise DomainValidationError("Щоб відновити чернетку, вкажіть причину", code="reason_required", fields={"reason": "required"})
    appeal.closed_at = None
    appeal.discard_reason = None
    set_appeal_status(session, appeal, AppealStatus.draft, action="restore", actor=actor, now=now, reason=reason)
    for issue in draft_issues(session, appeal_id):
        if issue.status is IssueStatus.cancelled and issue.registered_at is None:
            issue.status = IssueStatus.draft
            session.add(issue)
    session.commit()
    session.refresh(appeal)
    return appeal
