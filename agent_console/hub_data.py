"""The hub's reads from the DB, each one function run in a worker thread: the caller card, the user, the worklist."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anyio
from sqlalchemy import Engine
from sqlmodel import Session, select

from agent_console.deps import user_from_token
from agent_console.hub import ConsoleUser
from agent_console.hub_state import LiveCall
from appeals.card import lookup_caller
from appeals.kb import card_articles
from appeals.models import Call, Role
from appeals.worklist import Worklist, callbacks_due, operator_drafts


def _card(engine: Engine, call_id: str, caller: str | None, caller_known: bool) -> dict[str, Any]:
    with Session(engine) as session:
        if not caller_known:
            caller = session.exec(select(Call.caller).where(Call.call_id == call_id)).first()
        card = lookup_caller(session, caller, now=datetime.now(UTC), exclude_call_id=call_id)
        body = card.model_dump(mode="json")
        body["articles"] = card_articles(
            session, incident_ids=[i.id for i in card.incidents], addresses=[c.address_text for c in card.citizens if c.address_text]
        )
        return body


def card_builder(engine: Engine) -> Any:
    """The hub's card source: one card query (plus the call's number when the hub never saw call.offered)."""

    async def build(call: LiveCall) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(_card, engine, call.call_id, call.caller, call.caller_known)

    return build


def _worklist(engine: Engine, user: ConsoleUser) -> dict[str, Any]:
    now = datetime.now(UTC)
    with Session(engine) as session:
        if user.role is Role.callback_agent:
            return Worklist(callbacks_due=callbacks_due(session, now=now)).model_dump(mode="json")
        drafts = operator_drafts(session, user_id=user.id, interface=user.extension, now=now)
        due = callbacks_due(session, now=now) if user.role is Role.supervisor else 0
        return Worklist(drafts=drafts, callbacks_due=due).model_dump(mode="json")


def worklist_reader(engine: Engine) -> Any:
    async def read(user: ConsoleUser) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(_worklist, engine, user)

    return read


def _user(engine: Engine, secret: str, token: str) -> ConsoleUser | None:
    with Session(engine) as session:
        user = user_from_token(session, secret, token, datetime.now(UTC))
        if user is None:
            return None
        return ConsoleUser(user.id or 0, user.username, user.full_name, user.role, user.extension)


async def console_user(engine: Engine, secret: str, token: str) -> ConsoleUser | None:
    """The active user a socket's token belongs to, or None."""
    if not token:
        return None
    return await anyio.to_thread.run_sync(_user, engine, secret, token)
