"""E-petitions: intake, the supervisor's review (publish or reject), signatures, the council's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlmodel import col, select

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.models import Petition, PetitionStatus
from appeals.petition_check import Limits
from appeals.petitions import (
    PetitionIn,
    PetitionRules,
    answer_petition,
    get_petition,
    publish_petition,
    record_signatures,
    reject_petition,
    submit_petition,
)
from workers.settings import WorkerSettings, get_worker_settings

router = APIRouter(tags=["petitions"])


def rules(settings: Annotated[WorkerSettings, Depends(get_worker_settings)]) -> PetitionRules:
    return PetitionRules(
        threshold=settings.petition_threshold,
        collection_days=settings.petition_collection_days,
        limits=Limits(settings.petition_title_min, settings.petition_title_max, settings.petition_text_max),
    )


RulesDep = Annotated[PetitionRules, Depends(rules)]


class PetitionPublic(BaseModel):
    id: int
    number: str | None
    external_id: str | None
    status: str
    title: str
    text: str
    author_name: str
    author_email: str
    category_id: int | None
    submitted_at: datetime
    format_check: dict[str, object]
    format_check_due_at: datetime | None
    rejection_reason: str
    duplicate_of_id: int | None
    published_at: datetime | None
    collection_ends_at: datetime | None
    signatures_required: int
    signatures_count: int
    consideration_started_at: datetime | None
    answer_due_at: datetime | None
    decision_text: str
    decision_ref: str
    answered_at: datetime | None
    converted_appeal_id: int | None


class PublishIn(BaseModel):
    accept_flags: bool = False


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class SignaturesIn(BaseModel):
    count: int = Field(ge=0, le=10_000_000)


class AnswerIn(BaseModel):
    decision: str = Field(min_length=1, max_length=20_000)
    decision_ref: str = Field(default="", max_length=200)


def _out(petition: Petition) -> PetitionPublic:
    return PetitionPublic.model_validate(petition.model_dump())


@router.post("/api/petitions", status_code=201)
def submit(body: PetitionIn, session: SessionDep, actor: ActorDep, now: NowDep, rules: RulesDep) -> PetitionPublic:
    """Register a petition (idempotent by `external_id`) and run the format check."""
    return _out(submit_petition(session, body, rules=rules, actor=actor, now=now))


@router.get("/api/petitions")
def petitions(
    session: SessionDep, status: PetitionStatus | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[PetitionPublic]:
    query = select(Petition)
    if status:
        query = query.where(Petition.status == status)
    return [_out(p) for p in session.exec(query.order_by(col(Petition.id).desc()).limit(limit)).all()]


@router.get("/api/petitions/{petition_id}")
def read(petition_id: int, session: SessionDep) -> PetitionPublic:
    return _out(get_petition(session, petition_id))


@router.post("/api/petitions/{petition_id}/publish")
def publish(petition_id: int, body: PublishIn, session: SessionDep, actor: ActorDep, now: NowDep, rules: RulesDep) -> PetitionPublic:
    """Publish after review; flags (content, competence, duplicate) must be accepted explicitly."""
    return _out(publish_petition(session, petition_id, rules=rules, actor=actor, now=now, accept_flags=body.accept_flags))


@router.post("/api/petitions/{petition_id}/reject")
def reject(petition_id: int, body: RejectIn, session: SessionDep, actor: ActorDep, now: NowDep) -> PetitionPublic:
    return _out(reject_petition(session, petition_id, reason=body.reason, actor=actor, now=now))


@router.post("/api/petitions/{petition_id}/signatures")
def signatures(petition_id: int, body: SignaturesIn, session: SessionDep, actor: ActorDep, now: NowDep) -> PetitionPublic:
    """The current signature count (imported from the petitions platform); the threshold starts consideration."""
    return _out(record_signatures(session, petition_id, body.count, actor=actor, now=now))


@router.post("/api/petitions/{petition_id}/answer")
def answer(petition_id: int, body: AnswerIn, session: SessionDep, actor: ActorDep, now: NowDep) -> PetitionPublic:
    return _out(answer_petition(session, petition_id, decision=body.decision, decision_ref=body.decision_ref, actor=actor, now=now))
