"""Appeals: search, create, read with history, edit drafts, register, consult, discard, attach, answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from agent_console.deps import ActorDep, NowDep, SessionDep
from appeals.draft_outcomes import discard_appeal, mark_consultation, restore_draft
from appeals.drafts import get_appeal, update_draft
from appeals.history import record_audit
from appeals.issues import record_answer
from appeals.registration import attach_draft, register_appeal, submit_appeal
from appeals.schemas import AppealCreate, AppealPublic, AppealsPublic, AppealUpdate, ConsultationIn, DiscardIn, IssueIn
from appeals.search import AppealFilter, search_appeals
from appeals.views import appeal_history, appeal_views

router = APIRouter(tags=["appeals"])


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class AttachIn(BaseModel):
    target_id: int
    issues: list[IssueIn] = Field(default_factory=list)


class AnswerIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)
    channel: str = Field(default="phone", pattern="^(phone|email|post|in_person|sms)$")
    issue_id: int | None = None
    interim: bool = False


class AnswerOut(BaseModel):
    id: int
    appeal_id: int
    issue_id: int | None
    channel: str
    interim: bool
    sent_at: datetime


def _one(session: SessionDep, appeal_id: int, now: datetime, *, history: bool = False) -> AppealPublic:
    view = appeal_views(session, [get_appeal(session, appeal_id)], now=now)[0]
    if history:
        view.history = appeal_history(session, appeal_id)
    return view


@router.get("/api/appeals")
def list_appeals(
    session: SessionDep,
    actor: ActorDep,
    now: NowDep,
    phone: str | None = None,
    number: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: str | None = None,
    channel: str | None = None,
    executor_id: int | None = None,
    category_id: int | None = None,
    citizen_id: int | None = None,
    overdue: bool | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AppealsPublic:
    """Every status, drafts included, unless `status` filters; newest first."""
    f = AppealFilter(
        phone=phone,
        number=number,
        q=q,
        status=status,
        channel=channel,
        executor_id=executor_id,
        category_id=category_id,
        citizen_id=citizen_id,
        overdue=overdue,
        created_from=created_from,
        created_to=created_to,
        limit=limit,
        offset=offset,
    )
    rows, total = search_appeals(session, f, now=now)
    record_audit(
        session,
        actor,
        "search",
        "appeal",
        now=now,
        pii=True,
        detail={
            "filters": jsonable_encoder({k: v for k, v in f.__dict__.items() if v is not None and k not in ("phone", "q")}),
            "count": len(rows),
        },
    )
    session.commit()
    return AppealsPublic(items=appeal_views(session, rows, now=now), total=total)


@router.post("/api/appeals", status_code=201, responses={200: {"description": "a retry with the same Idempotency-Key: the first result"}})
def create(request: Request, body: AppealCreate, session: SessionDep, actor: ActorDep, now: NowDep) -> JSONResponse:
    """Create a draft; with `register: true` it is registered in the same request (or nothing is kept).

    An `Idempotency-Key` header (or `idempotency_key` field) makes retries safe: the same key returns the first appeal.
    """
    key = request.headers.get("idempotency-key") or body.idempotency_key
    appeal, created = submit_appeal(
        session, body.model_copy(update={"idempotency_key": key}), actor=actor, now=now, reg_prefix=request.app.state.reg_prefix
    )
    return JSONResponse(jsonable_encoder(_one(session, appeal.id or 0, now)), status_code=201 if created else 200)


@router.get("/api/appeals/{appeal_id}")
def read(appeal_id: int, session: SessionDep, actor: ActorDep, now: NowDep) -> AppealPublic:
    view = _one(session, appeal_id, now, history=True)
    record_audit(session, actor, "read", "appeal", appeal_id, now=now, pii=True)
    session.commit()
    return view


@router.patch("/api/appeals/{appeal_id}")
def update(appeal_id: int, body: AppealUpdate, session: SessionDep, actor: ActorDep, now: NowDep) -> AppealPublic:
    update_draft(session, appeal_id, body, actor=actor, now=now)
    return _one(session, appeal_id, now)


@router.post("/api/appeals/{appeal_id}/register")
def register(
    request: Request, appeal_id: int, session: SessionDep, actor: ActorDep, now: NowDep, body: AppealUpdate | None = None
) -> AppealPublic:
    """Register a draft (optionally applying last changes): number, deadlines and executor are assigned."""
    register_appeal(session, appeal_id, actor=actor, now=now, reg_prefix=request.app.state.reg_prefix, changes=body)
    return _one(session, appeal_id, now)


@router.post("/api/appeals/{appeal_id}/consultation")
def consultation(appeal_id: int, body: ConsultationIn, session: SessionDep, actor: ActorDep, now: NowDep) -> AppealPublic:
    mark_consultation(session, appeal_id, actor=actor, now=now, category_id=body.category_id, note=body.note)
    return _one(session, appeal_id, now)


@router.post("/api/appeals/{appeal_id}/discard")
def discard(appeal_id: int, body: DiscardIn, session: SessionDep, actor: ActorDep, now: NowDep) -> AppealPublic:
    discard_appeal(session, appeal_id, actor=actor, now=now, reason=body.reason, note=body.note)
    return _one(session, appeal_id, now)


@router.post("/api/appeals/{appeal_id}/restore")
def restore(appeal_id: int, body: ReasonIn, session: SessionDep, actor: ActorDep, now: NowDep) -> AppealPublic:
    restore_draft(session, appeal_id, actor=actor, now=now, reason=body.reason)
    return _one(session, appeal_id, now)


@router.post("/api/appeals/{appeal_id}/attach")
def attach(appeal_id: int, body: AttachIn, session: SessionDep, actor: ActorDep, now: NowDep) -> AppealPublic:
    """A repeated contact: the draft's call joins the caller's open appeal (with any new issues)."""
    target = attach_draft(session, appeal_id, body.target_id, actor=actor, now=now, issues=body.issues)
    return _one(session, target.id or 0, now)


@router.post("/api/appeals/{appeal_id}/answers", status_code=201)
def answer(appeal_id: int, body: AnswerIn, session: SessionDep, actor: ActorDep, now: NowDep) -> AnswerOut:
    row = record_answer(
        session, appeal_id, text=body.text, channel=body.channel, actor=actor, now=now, issue_id=body.issue_id, interim=body.interim
    )
    return AnswerOut(
        id=row.id or 0, appeal_id=row.appeal_id, issue_id=row.issue_id, channel=row.channel, interim=row.interim, sent_at=row.sent_at
    )
