"""The supervisor wallboard's REST snapshot (live queue state + today's figures) and listen / whisper / barge."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import redis
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlmodel import Session, col, select

from agent_console.commands import send_command
from agent_console.deps import ActorDep, CurrentUser, NowDep, SessionDep
from appeals.agent_states import operator_board
from appeals.errors import DomainValidationError
from appeals.history import record_audit
from appeals.models import User
from appeals.pauses import PAUSE_REASONS
from appeals.phones import display_phone
from appeals.wallboard import (
    AGENT_STATES,
    LoadBucket,
    OperatorFigures,
    QueueFigures,
    agent_state,
    day_start,
    queue_figures,
    queue_load,
)
from appeals.wallboard_lists import ExecutorDeadlines, MissedCall, deadline_board, missed_calls
from runtime.streams import QUEUES_KEY, read_listener_state

router = APIRouter(tags=["wallboard"])


class Waiting(BaseModel):
    call_id: str
    caller_masked: str
    position: int
    wait_seconds: float
    entered_at: str | None


class Agent(BaseModel):
    interface: str
    name: str
    user_id: int | None
    state: str
    state_label: str
    paused_reason: str
    since: str | None


class QueueLive(BaseModel):
    queue: str
    waiting: list[Waiting]
    longest_wait_seconds: float
    agents: list[Agent]
    counters: dict[str, Any]


class MissedPublic(BaseModel):
    call: MissedCall
    caller_display: str


class Wallboard(BaseModel):
    generated_at: datetime
    day_start: datetime
    service_level_seconds: int
    listener: dict[str, Any] | None
    live: list[QueueLive]
    today: list[QueueFigures]
    operators: list[OperatorFigures]
    load: list[LoadBucket]
    missed: list[MissedPublic]
    deadlines: list[ExecutorDeadlines]


class SpyIn(BaseModel):
    interface: str
    mode: Literal["listen", "whisper", "barge"] = "listen"


class CommandAccepted(BaseModel):
    command_id: str
    kind: str
    expires_at: datetime


def read_queue_states(client: redis.Redis | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The listener's `cc:queues` snapshots and heartbeat; empty when Redis is down (the wallboard shows it)."""
    if client is None:
        return [], None
    try:
        raw: Any = client.hgetall(QUEUES_KEY) or {}
        listener = read_listener_state(client)
    except redis.RedisError:
        return [], None
    states: list[dict[str, Any]] = []
    for name, value in sorted(raw.items(), key=lambda kv: str(kv[0])):
        try:
            state = json.loads(value)
        except (TypeError, json.JSONDecodeError):
            continue
        if isinstance(state, dict):
            states.append({**state, "queue": state.get("queue") or str(name)})
    return states, listener


def _reason_label(code: str) -> str:
    """The console pauses with a catalogue code (`lunch`); people read its label (Обід). Free text stays as it is."""
    return PAUSE_REASONS.get(code, code)


def _agents(session: Session, members: list[dict[str, Any]]) -> list[Agent]:
    interfaces = [str(m.get("interface", "")) for m in members]
    users = {u.extension: u for u in session.exec(select(User).where(col(User.extension).in_(interfaces))).all()} if interfaces else {}
    out = []
    for member in members:
        interface = str(member.get("interface", ""))
        user = users.get(interface)
        state = agent_state(
            status=int(member.get("status") or 0),
            paused=bool(member.get("paused")),
            paused_reason=str(member.get("paused_reason") or ""),
            in_call=bool(member.get("in_call")),
        )
        out.append(
            Agent(
                interface=interface,
                name=(user.full_name or user.username) if user else str(member.get("name") or interface),
                user_id=user.id if user else None,
                state=state,
                state_label=AGENT_STATES[state],
                paused_reason=_reason_label(str(member.get("paused_reason") or "")),
                since=member.get("since"),
            )
        )
    return out


def live_queues(session: Session, states: list[dict[str, Any]]) -> list[QueueLive]:
    out = []
    for state in states:
        waiting = [Waiting.model_validate(w) for w in state.get("waiting") or [] if isinstance(w, dict)]
        raw_counters = state.get("counters")
        counters: dict[str, Any] = raw_counters if isinstance(raw_counters, dict) else {}
        longest = max((w.wait_seconds for w in waiting), default=float(counters.get("longest_wait_seconds") or 0))
        out.append(
            QueueLive(
                queue=str(state["queue"]),
                waiting=waiting,
                longest_wait_seconds=longest,
                agents=_agents(session, state.get("members") or []),
                counters=counters,
            )
        )
    return out


class LiveBoard(BaseModel):
    generated_at: datetime
    listener: dict[str, Any] | None
    live: list[QueueLive]


@router.get("/api/wallboard/live")
def wallboard_live(request: Request, session: SessionDep, now: NowDep) -> LiveBoard:
    """Only the live part (no figures): what the page refetches when a `queue.state` delta arrives."""
    states, listener = read_queue_states(request.app.state.redis)
    return LiveBoard(generated_at=now, listener=listener, live=live_queues(session, states))


@router.get("/api/wallboard")
def wallboard(
    request: Request,
    session: SessionDep,
    now: NowDep,
    hours: Annotated[int, Query(ge=1, le=24, description="hours of queue load in the chart")] = 8,
    bucket_minutes: Annotated[int, Query(ge=5, le=120)] = 15,
) -> Wallboard:
    """Everything the wallboard shows: live queues from the listener, today's figures from the call records."""
    threshold = int(request.app.state.service_level_seconds)
    start = day_start(now)
    bucket = timedelta(minutes=bucket_minutes)
    load_since = now - timedelta(hours=hours)
    load_since -= (load_since - start) % bucket if load_since > start else timedelta(0)
    states, listener = read_queue_states(request.app.state.redis)
    return Wallboard(
        generated_at=now,
        day_start=start,
        service_level_seconds=threshold,
        listener=listener,
        live=live_queues(session, states),
        today=queue_figures(session, since=start, until=now, threshold=threshold),
        operators=operator_board(session, since=start, until=now),
        load=queue_load(session, since=load_since, until=now, bucket=bucket),
        missed=[MissedPublic(call=m, caller_display=display_phone(m.caller)) for m in missed_calls(session, since=start)],
        deadlines=deadline_board(session, now=now),
    )


@router.post("/api/wallboard/spy", status_code=202)
def spy(body: SpyIn, request: Request, session: SessionDep, user: CurrentUser, actor: ActorDep, now: NowDep) -> CommandAccepted:
    """Listen to, whisper to or barge into an operator's call: the supervisor's phone rings first (ChanSpy)."""
    if not user.extension:
        raise DomainValidationError(
            "Your account has no phone extension: an admin must set one (e.g. PJSIP/op190) before you can listen to calls",
            code="extension_required",
            fields={"extension": "missing"},
        )
    target = body.interface.strip()
    if "/" not in target or target == user.extension:
        raise DomainValidationError(
            f"'{body.interface}' is not an operator's phone interface such as PJSIP/op101",
            code="spy_target_invalid",
            fields={"interface": "invalid"},
        )
    command = send_command(
        request.app.state.redis, "spy", now=now, user_id=user.id, interface=user.extension, number=target, reason=body.mode
    )
    record_audit(session, actor, "spy", "call", target, now=now, detail={"mode": body.mode, "command_id": command.command_id})
    session.commit()
    return CommandAccepted(command_id=command.command_id, kind=command.kind, expires_at=command.expires_at)
