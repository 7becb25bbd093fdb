"""E-petitions (art. 23-1): intake with the format check, publication, signatures and the statute's threshold,
consideration within 10 working days, and a failed petition turned into a collective appeal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from appeals import messages
from appeals.actors import SYSTEM, Actor
from appeals.deadlines import KYIV, end_of_day
from appeals.drafts import create_appeal
from appeals.errors import ConflictError, DomainValidationError, InvalidTransitionError, NotFoundError
from appeals.history import record_audit, record_status_change
from appeals.models import AppealForm, AppealKind, AppealSubject, Category, Channel, NotificationChannel, Petition, PetitionStatus
from appeals.notifications import SUPERVISORS, queue_notification
from appeals.numbering import next_registration_number
from appeals.petition_check import Candidate, Limits, check_petition
from appeals.schemas import AppealCreate, IssueIn
from appeals.workcalendar import load_calendar

P = PetitionStatus
PREFIX = "ЕП"
FORMAT_CHECK_WORKING_DAYS = 2
ANSWER_WORKING_DAYS = 10


@dataclass(frozen=True)
class PetitionRules:
    """The city statute's numbers (settings)."""

    threshold: int = 350
    collection_days: int = 60
    limits: Limits = field(default_factory=Limits)


class PetitionIn(BaseModel):
    """A petition as submitted (through the API or imported from the e-dem platform)."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=300)
    text: str = Field(max_length=50_000)
    author_name: str = Field(max_length=300)
    author_email: str = Field(max_length=254)
    category_id: int | None = None
    external_id: str | None = Field(default=None, max_length=100)


def get_petition(session: Session, petition_id: int) -> Petition:
    petition = session.get(Petition, petition_id)
    if petition is None:
        raise NotFoundError("petition", petition_id)
    return petition


def _require(petition: Petition, action: str, *states: PetitionStatus) -> None:
    if petition.status not in states:
        raise InvalidTransitionError("petition", petition.id, petition.status.value, action, allowed=[])


def _log(
    session: Session, petition: Petition, action: str, previous: PetitionStatus | None, actor: Actor, now: datetime, reason: str = ""
) -> None:
    record_status_change(
        session,
        entity="petition",
        entity_id=petition.id or 0,
        appeal_id=None,
        action=action,
        from_status=previous.value if previous else None,
        to_status=petition.status.value,
        actor=actor,
        now=now,
        reason=reason,
    )
    record_audit(session, actor, action, "petition", petition.id, now=now)


def _tell(session: Session, petition: Petition, key: str, title: str, text: str, now: datetime, *, desk: bool = False) -> None:
    body = messages.Text(f"Петиція {petition.number}: {title}", f"{text}\n\nПетиція {petition.number} «{petition.title}»\n")
    email = NotificationChannel.email
    for suffix, to in (("author", petition.author_email), ("desk", SUPERVISORS if desk else None)):
        queue_notification(session, kind="petition", channel=email, recipient=to, dedup_key=f"{key}:{suffix}", text=body, now=now)


def _working_days_due(session: Session, start: datetime, days: int) -> datetime:
    calendar = load_calendar(session)
    return end_of_day(calendar.add_working_days(start.astimezone(KYIV).date(), days))


def _check(session: Session, data: PetitionIn, rules: PetitionRules) -> dict[str, object]:
    states = [P.submitted, P.collecting, P.consideration]
    active = session.exec(select(Petition.id, Petition.title).where(col(Petition.status).in_(states))).all()
    return check_petition(
        title=data.title,
        text=data.text,
        author_name=data.author_name,
        author_email=data.author_email,
        limits=rules.limits,
        active=[Candidate(i or 0, t) for i, t in active],
    )


def submit_petition(session: Session, data: PetitionIn, *, rules: PetitionRules, actor: Actor, now: datetime) -> Petition:
    """Register a petition and run the format check (due within 2 working days). Idempotent by `external_id`."""
    if data.external_id and (existing := session.exec(select(Petition).where(Petition.external_id == data.external_id)).first()):
        return existing
    if data.category_id is not None and session.get(Category, data.category_id) is None:
        raise DomainValidationError(
            f"Категорії {data.category_id} немає в довіднику", code="category_unknown", fields={"category_id": "unknown"}
        )
    check = _check(session, data, rules)
    petition = Petition(
        number=next_registration_number(session, PREFIX, now.astimezone(KYIV).year),
        external_id=data.external_id or None,  # "" is "none": the column is unique
        title=data.title.strip(),
        text=data.text.strip(),
        author_name=data.author_name.strip(),
        author_email=data.author_email.strip(),
        category_id=data.category_id,
        submitted_at=now,
        format_check=check,
        format_check_due_at=_working_days_due(session, now, FORMAT_CHECK_WORKING_DAYS),
        duplicate_of_id=check["duplicate_of"],  # type: ignore[arg-type]
        signatures_required=rules.threshold,
        updated_at=now,
    )
    session.add(petition)
    session.flush()
    _log(session, petition, "submit", None, actor, now)
    _tell(
        session,
        petition,
        f"petition:{petition.id}:submitted",
        "подано на перевірку",
        "Петицію отримано; її перевірять протягом 2 робочих днів.",
        now,
        desk=True,
    )
    session.commit()
    session.refresh(petition)
    return petition


def publish_petition(
    session: Session, petition_id: int, *, rules: PetitionRules, actor: Actor, now: datetime, accept_flags: bool = False
) -> Petition:
    """Publish after the format check: signature collection starts. Banned-content flags need `accept_flags`."""
    petition = get_petition(session, petition_id)
    _require(petition, "publish", P.submitted)
    check = petition.format_check
    if not check.get("passed"):
        raise DomainValidationError(
            "Петиція не пройшла перевірку формату (поля або довжина); відхиліть її із зазначенням причини", code="petition_format_failed"
        )
    if (check.get("banned") or not check.get("in_competence", True) or check.get("duplicate_of")) and not accept_flags:
        raise ConflictError(
            "Перевірка виявила застереження (зміст, компетенція або дублікат); підтвердьте їх, щоб оприлюднити", code="petition_flags"
        )
    previous = petition.status
    petition.status, petition.published_at, petition.reviewed_by, petition.updated_at = P.collecting, now, actor.user_id, now
    petition.collection_ends_at = end_of_day((now + timedelta(days=rules.collection_days)).astimezone(KYIV).date())
    _log(session, petition, "publish", previous, actor, now)
    _tell(
        session,
        petition,
        f"petition:{petition.id}:published",
        "оприлюднено",
        f"Збір підписів триває до {messages.kyiv(petition.collection_ends_at)}; потрібно {petition.signatures_required} підписів.",
        now,
    )
    session.commit()
    session.refresh(petition)
    return petition


def reject_petition(session: Session, petition_id: int, *, reason: str, actor: Actor, now: datetime) -> Petition:
    """Not published: the author gets the reasoned refusal."""
    petition = get_petition(session, petition_id)
    _require(petition, "reject", P.submitted)
    if not reason.strip():
        raise DomainValidationError("Вкажіть причину відмови", code="reason_required", fields={"reason": "required"})
    previous = petition.status
    petition.status, petition.rejection_reason, petition.reviewed_by, petition.updated_at = P.rejected, reason, actor.user_id, now
    _log(session, petition, "reject", previous, actor, now, reason)
    _tell(session, petition, f"petition:{petition.id}:rejected", "не оприлюднено", f"Петицію не оприлюднено: {reason}", now)
    session.commit()
    session.refresh(petition)
    return petition


def _start_consideration(session: Session, petition: Petition, actor: Actor, now: datetime) -> None:
    previous = petition.status
    petition.status, petition.consideration_started_at, petition.updated_at = P.consideration, now, now
    petition.answer_due_at = _working_days_due(session, now, ANSWER_WORKING_DAYS)
    _log(session, petition, "consideration", previous, actor, now)
    text = f"Петиція набрала {petition.signatures_count} підписів; розгляд до {messages.kyiv(petition.answer_due_at)}."
    _tell(session, petition, f"petition:{petition.id}:consideration", "розпочато розгляд", text, now, desk=True)


def record_signatures(session: Session, petition_id: int, count: int, *, actor: Actor, now: datetime) -> Petition:
    """The signature count (imported from the platform); reaching the threshold starts consideration."""
    petition = get_petition(session, petition_id)
    _require(petition, "signatures", P.collecting)
    if count < 0:
        raise DomainValidationError("Кількість підписів не може бути від'ємною", code="signatures_invalid", fields={"count": "invalid"})
    petition.signatures_count, petition.updated_at = count, now
    if count >= petition.signatures_required:
        _start_consideration(session, petition, actor, now)
    session.commit()
    session.refresh(petition)
    return petition


def answer_petition(session: Session, petition_id: int, *, decision: str, decision_ref: str, actor: Actor, now: datetime) -> Petition:
    """The council's decision (support or not), published and sent to the author."""
    petition = get_petition(session, petition_id)
    _require(petition, "answer", P.consideration)
    if not decision.strip():
        raise DomainValidationError("Відповідь потребує тексту рішення", code="decision_required", fields={"decision": "required"})
    previous = petition.status
    petition.status, petition.decision_text, petition.decision_ref, petition.answered_at, petition.updated_at = (
        P.answered,
        decision,
        decision_ref,
        now,
        now,
    )
    _log(session, petition, "answer", previous, actor, now)
    _tell(session, petition, f"petition:{petition.id}:answered", "відповідь", f"{decision}\n{decision_ref}".strip(), now)
    session.commit()
    session.refresh(petition)
    return petition


def _convert(session: Session, petition: Petition, now: datetime) -> None:
    """Too few signatures: the petition becomes a draft collective appeal for the desk to complete and register."""
    data = AppealCreate(
        channel=Channel.petition,
        kind=AppealKind.proposal,
        form=AppealForm.electronic,
        subject=AppealSubject.collective,
        applicant_name=petition.author_name,
        reply_channel="email",
        reply_email=petition.author_email,
        summary=f"Петиція {petition.number}: {petition.title}",
        source_ref=f"petition:{petition.number}",
        received_at=petition.submitted_at,
        issues=[IssueIn(category_id=petition.category_id, description=petition.text[:20_000])],
    )
    appeal = create_appeal(session, data, actor=SYSTEM, now=now)
    previous = petition.status
    petition.status, petition.converted_appeal_id, petition.updated_at = P.converted, appeal.id, now
    _log(session, petition, "convert", previous, SYSTEM, now)
    text = (
        f"Петиція не набрала {petition.signatures_required} підписів ({petition.signatures_count}); її розглянуть як колективне звернення."
    )
    _tell(session, petition, f"petition:{petition.id}:converted", "розглядатиметься як звернення", text, now, desk=True)


def advance_petitions(session: Session, *, now: datetime) -> dict[str, int]:
    """The timers: collection ended (threshold → consideration, else a collective appeal), checks and answers overdue."""
    done = {"consideration": 0, "converted": 0, "late": 0}
    for petition in session.exec(select(Petition).where(Petition.status == P.collecting, col(Petition.collection_ends_at) < now)).all():
        if petition.signatures_count >= petition.signatures_required:
            _start_consideration(session, petition, SYSTEM, now)
            done["consideration"] += 1
        else:
            _convert(session, petition, now)
            done["converted"] += 1
        session.commit()
    late = session.exec(
        select(Petition).where(
            or_(
                and_(col(Petition.status) == P.submitted, col(Petition.format_check_due_at) < now),
                and_(col(Petition.status) == P.consideration, col(Petition.answer_due_at) < now),
            )
        )
    ).all()
    for petition in late:
        what = "перевірку не завершено" if petition.status is P.submitted else "відповідь прострочено"
        key = f"petition:{petition.id}:late:{petition.status.value}"
        queue_notification(
            session,
            kind="petition_late",
            channel=NotificationChannel.email,
            recipient=SUPERVISORS,
            dedup_key=key,
            text=messages.Text(f"Петиція {petition.number}: {what}", f"Петиція {petition.number} «{petition.title}»: {what}.\n"),
            now=now,
        )
        done["late"] += 1
    session.commit()
    return done
