"""Liveness of each dependency (db, redis, ami) and the live call list."""

from __future__ import annotations

from datetime import datetime

import redis
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from agent_console.deps import NowDep, SessionDep
from appeals.calls import active_calls
from appeals.phones import display_phone
from runtime.streams import LISTENER_KEY, read_listener_state

LISTENER_SEEN_KEY = f"{LISTENER_KEY}:seen"  # written by the listener on every beat, never expires

router = APIRouter(tags=["health"])


class ActiveCall(BaseModel):
    call_id: str
    appeal_id: int | None
    caller: str | None
    caller_display: str
    did: str | None
    queue: str | None
    interface: str | None
    started_at: datetime
    answered_at: datetime | None


def _check_db(request: Request) -> dict[str, str]:
    try:
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "up"}


def _check_redis_and_ami(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    client: redis.Redis | None = request.app.state.redis
    if client is None:
        return {"status": "down", "error": "not configured"}, {"status": "unknown"}
    try:
        client.ping()
        listener = read_listener_state(client)
    except redis.RedisError as exc:
        return {"status": "down", "error": type(exc).__name__}, {"status": "unknown"}
    if listener is None:
        last_seen = client.get(LISTENER_SEEN_KEY)
        if last_seen:  # a listener ran here and stopped beating: nothing watches the PBX
            return {"status": "up"}, {"status": "down", "detail": "listener heartbeat expired", "last_seen": str(last_seen)}
        return {"status": "up"}, {"status": "unknown", "detail": "no listener heartbeat"}
    return {"status": "up"}, {"status": str(listener.get("state", "unknown")), "since": str(listener.get("since", ""))}


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """200 when the database and Redis answer and the AMI link is not known to be down; 503 otherwise."""
    db = _check_db(request)
    redis_state, ami = _check_redis_and_ami(request)
    healthy = db["status"] == "up" and redis_state["status"] == "up" and ami["status"] not in ("down", "auth_failed")
    body = {"status": "ok" if healthy else "degraded", "db": db, "redis": redis_state, "ami": ami}
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/api/calls/active")
def calls_active(session: SessionDep, now: NowDep) -> list[ActiveCall]:
    return [
        ActiveCall(
            call_id=c.call_id,
            appeal_id=c.appeal_id,
            caller=c.caller,
            caller_display=display_phone(c.caller),
            did=c.did,
            queue=c.queue,
            interface=c.interface,
            started_at=c.started_at,
            answered_at=c.answered_at,
        )
        for c in active_calls(session, now=now)
    ]
