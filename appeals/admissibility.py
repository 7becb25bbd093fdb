"""Registration rules of the law: mandatory content (art. 5), anonymity (art. 8), complaint terms (art. 17), repeats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals.deadlines import complaint_in_time
from appeals.errors import DomainValidationError
from appeals.models import (
    CLOSED_ISSUE_STATUSES,
    Admissibility,
    Appeal,
    AppealForm,
    AppealKind,
    AppealSubject,
    Category,
    Issue,
    IssueStatus,
    NotConsideredReason,
)


@dataclass(frozen=True)
class Admission:
    """What registration does with an appeal: accept it, return it (art. 5) or not consider it (art. 8)."""

    admissibility: Admissibility
    issue_status: IssueStatus
    reason: str
    not_considered: NotConsideredReason | None = None


ACCEPTED = Admission(Admissibility.accepted, IssueStatus.registered, "")


def validate_for_registration(appeal: Appeal, issues: Sequence[Issue], categories: dict[int, Category]) -> None:
    """The checks an operator can fix on the spot; each failing field is named.

    Raises:
        DomainValidationError: code `appeal_incomplete`; `fields` names what is missing (problem code `required`) and
            `field_messages` says it in Ukrainian.
    """
    problems: dict[str, str] = {}
    hints: dict[str, str] = {}

    def problem(field: str, code: str, hint: str) -> None:
        problems[field], hints[field] = code, hint

    if not issues:
        problem("issues", "required", "Додайте хоча б одне питання")
    for index, issue in enumerate(issues):
        category = categories.get(issue.category_id or 0)
        if category is None:
            problem(f"issues.{index}.category_id", "required", "Оберіть категорію питання")
        if not issue.description.strip():
            problem(f"issues.{index}.description", "required", "Опишіть суть питання (ст. 5)")
        needs_address = category is not None and category.requires_address
        if (
            needs_address
            and appeal.form is AppealForm.oral
            and issue.building_id is None
            and not issue.address_text.strip()
            and not issue.street_id
        ):
            problem(f"issues.{index}.address", "required", "Для цієї категорії потрібна адреса")
    if appeal.form is AppealForm.oral and appeal.subject is not AppealSubject.anonymous:
        if not appeal.applicant_name.strip():
            problem("applicant_name", "required", "Вкажіть ПІБ заявника (ст. 5) або позначте звернення анонімним")
        if not appeal.applicant_address.strip():
            problem("applicant_address", "required", "Вкажіть місце проживання заявника (ст. 5) або позначте звернення анонімним")
    if problems:
        first = next(iter(hints.values()))
        more = f"; ще полів до заповнення: {len(problems) - 1}" if len(problems) > 1 else ""
        raise DomainValidationError(
            f"Звернення не можна зареєструвати: {first[:1].lower()}{first[1:]}{more}",
            code="appeal_incomplete",
            fields=problems,
            hints=hints,
        )


def assess(appeal: Appeal, issues: Sequence[Issue], t0: date) -> Admission:
    """Admissibility of a written or electronic appeal; oral appeals taken by an operator are accepted."""
    if appeal.form is AppealForm.oral:
        return ACCEPTED
    has_name = bool(appeal.applicant_name.strip())
    has_address = bool(appeal.applicant_address.strip())
    if appeal.subject is AppealSubject.anonymous or not (has_name or has_address):
        return Admission(
            Admissibility.not_considered,
            IssueStatus.not_considered,
            "Анонімне письмове звернення не розглядається (ст. 8)",
            NotConsideredReason.anonymous,
        )
    if (
        appeal.kind is AppealKind.complaint
        and not appeal.deadline_restored
        and not complaint_in_time(t0, decision=appeal.contested_decision_date, acquainted=appeal.acquainted_date)
    ):
        return Admission(
            Admissibility.not_considered,
            IssueStatus.not_considered,
            "Скаргу подано з пропуском строку (ст. 17)",
            NotConsideredReason.complaint_late,
        )
    missing = []
    if not has_name:
        missing.append("ПІБ")
    if not has_address:
        missing.append("місце проживання")
    if appeal.form is AppealForm.electronic and not (appeal.reply_email or appeal.caller):
        missing.append("e-mail або інший контакт для відповіді")
    if appeal.form is AppealForm.written and not appeal.signed:
        missing.append("підпис")
    if any(not i.description.strip() for i in issues):
        missing.append("суть питання")
    if missing:
        return Admission(
            Admissibility.returned_incomplete, IssueStatus.returned_incomplete, "Повернуто: не зазначено " + ", ".join(missing) + " (ст. 5)"
        )
    return ACCEPTED


def find_previous_decided(session: Session, appeal: Appeal, issue: Issue) -> int | None:
    """The latest earlier appeal of the same citizen on the same category and address whose issue was closed."""
    if appeal.citizen_id is None or issue.category_id is None:
        return None
    query = (
        select(Appeal.id)
        .join(Issue, col(Issue.appeal_id) == Appeal.id)
        .where(Appeal.citizen_id == appeal.citizen_id, Appeal.id != appeal.id, Issue.category_id == issue.category_id)
        .where(col(Issue.status).in_([s.value for s in CLOSED_ISSUE_STATUSES]))
    )
    if issue.building_id is not None:
        query = query.where(Issue.building_id == issue.building_id)
    elif issue.address_text.strip():
        query = query.where(func.lower(Issue.address_text) == issue.address_text.strip().lower())
    else:
        return None
    return session.exec(query.order_by(col(Appeal.created_at).desc()).limit(1)).first()
