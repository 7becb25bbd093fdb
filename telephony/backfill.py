"""Backfill from Asterisk's CDR table: inbound calls that began and ended while the AMI link was down.

Asterisk writes one `cdr` row per leg (cdr_pgsql / cdr_adaptive_odbc). A call is inbound when it has a row whose
`uniqueid` is its `linkedid`, on a trunk channel, in an inbound context. Calls we already have are skipped, so
the backfill is idempotent. The call's draft is kept as a missed call unless a row shows an operator answered; a
caller who pressed "call me back" (the dialplan marks `userfield`) gets the requested-callback task, not a missed one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from appeals.calls import CallEnd, end_call
from appeals.models import Call
from runtime.log import fields
from telephony.effects import CallbackRequested, Offered
from telephony.store import Store

logger = logging.getLogger(__name__)
CALLBACK_USERFIELD = "callcenter-callback"  # extensions.conf sets CDR(userfield) to this when the caller presses 1
QUERY = text(
    "SELECT calldate, src, dst, dcontext, channel, dstchannel, duration, billsec, disposition, uniqueid, linkedid, userfield "
    "FROM cdr WHERE calldate >= :since AND calldate <= :until ORDER BY calldate"
)


@dataclass(frozen=True)
class CdrCall:
    call_id: str
    caller: str | None
    did: str | None
    channel: str
    started_at: datetime
    ended_at: datetime
    answered: bool
    callback_requested: bool = False


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    moment: datetime = value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def inbound_from_cdr(
    rows: list[dict[str, Any]], *, is_trunk: Callable[[str], bool], is_phone: Callable[[str], bool], contexts: frozenset[str]
) -> list[CdrCall]:
    """Group CDR rows by linkedid and keep the inbound calls (pure)."""
    by_call: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_call.setdefault(str(row["linkedid"] or row["uniqueid"]), []).append(row)
    out: list[CdrCall] = []
    for call_id, legs in by_call.items():
        first = next((r for r in legs if r["uniqueid"] == call_id and is_trunk(str(r["channel"] or ""))), None)
        if first is None or str(first["dcontext"] or "") not in contexts:
            continue
        start = _aware(first["calldate"])
        end = max(_aware(r["calldate"]) + timedelta(seconds=int(r["duration"] or 0)) for r in legs)
        answered = any(r["disposition"] == "ANSWERED" and is_phone(str(r["dstchannel"] or "")) for r in legs)
        src = str(first["src"] or "") or None
        requested = any(CALLBACK_USERFIELD in str(r.get("userfield") or "") for r in legs)
        out.append(CdrCall(call_id, src, str(first["dst"] or "") or None, str(first["channel"]), start, end, answered, requested))
    return out


def backfill(
    store: Store, cdr_engine: Engine, calls_of: Callable[[list[dict[str, Any]]], list[CdrCall]], *, since: datetime, until: datetime
) -> list[str]:
    """Create the drafts of inbound calls the CDR has and we do not; returns their call ids."""
    try:
        with cdr_engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(QUERY, {"since": since, "until": until})]
    except SQLAlchemyError as exc:
        logger.warning("cdr backfill failed", extra=fields(error=type(exc).__name__))
        return []
    made: list[str] = []
    for cdr in calls_of(rows):
        with Session(store.engine) as session:
            if session.exec(select(Call.id).where(Call.call_id == cdr.call_id)).first() is not None:
                continue
        store.offer(Offered(cdr.call_id, cdr.caller, None, cdr.did, cdr.channel, cdr.started_at), now=cdr.started_at, source="cdr")
        if cdr.callback_requested:  # the caller pressed "call me back" (its UserEvent went nowhere while we were away)
            store.callback(CallbackRequested(cdr.call_id, cdr.caller, None), now=cdr.ended_at)
        with Session(store.engine) as session:
            end = CallEnd(cause_text="backfilled from CDR", answered=cdr.answered, abandoned=not cdr.answered)
            end_call(session, cdr.call_id, end, now=cdr.ended_at)
        made.append(cdr.call_id)
    if made:
        store.drain()
        logger.info("calls backfilled from cdr", extra=fields(count=len(made)))
    return made
