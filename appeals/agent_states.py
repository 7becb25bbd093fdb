"""Agent states over time: recording the queue members' states the listener reports, and time per state today."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from appeals.models import AgentStateLog, User
from appeals.wallboard import OperatorFigures, agent_state, operator_figures

LOOKBACK = timedelta(hours=24)
"""How far before the period a state may have begun and still count (a pause that began before midnight)."""


@dataclass(frozen=True)
class MemberState:
    interface: str
    state: str
    reason: str
    since: datetime


def _moment(value: object, default: datetime) -> datetime:
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return default
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return default


def member_states(members: Iterable[dict[str, Any]], *, at: datetime) -> list[MemberState]:
    """The people-facing state of each member of a live queue snapshot (`since` from the snapshot, else `at`)."""
    out = []
    for member in members:
        interface = str(member.get("interface") or "")
        if not interface:
            continue
        state = agent_state(
            status=int(member.get("status") or 0),
            paused=bool(member.get("paused")),
            paused_reason=str(member.get("paused_reason") or ""),
            in_call=bool(member.get("in_call")),
        )
        reason = str(member.get("paused_reason") or "")[:80] if state in ("paused", "wrapup") else ""
        out.append(MemberState(interface, state, reason, _moment(member.get("since"), at)))
    return out


def record_states(session: Session, states: Iterable[MemberState]) -> int:
    """Insert the states not recorded yet (idempotent: several API instances record the same events); commits."""
    added = 0
    for item in states:
        exists = session.exec(
            select(AgentStateLog.id).where(
                AgentStateLog.interface == item.interface, AgentStateLog.since == item.since, AgentStateLog.state == item.state
            )
        ).first()
        if exists is not None:
            continue
        try:
            with session.begin_nested():
                session.add(AgentStateLog(interface=item.interface, state=item.state, reason=item.reason, since=item.since))
            added += 1
        except IntegrityError:  # another instance recorded it a moment ago
            continue
    session.commit()
    return added


def time_in_states(session: Session, *, since: datetime, until: datetime) -> dict[str, dict[str, float]]:
    """Seconds each interface spent in each state within [since, until): a state lasts until the next one."""
    rows = session.exec(
        select(AgentStateLog.interface, AgentStateLog.state, AgentStateLog.since)
        .where(col(AgentStateLog.since) >= since - LOOKBACK, col(AgentStateLog.since) < until)
        .order_by(col(AgentStateLog.interface), col(AgentStateLog.since), col(AgentStateLog.id))
    ).all()
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for index, (interface, state, start) in enumerate(rows):
        following = rows[index + 1] if index + 1 < len(rows) else None
        end = following[2] if following is not None and following[0] == interface else until
        begin, finish = max(_aware(start), since), min(_aware(end), until)
        if finish > begin:
            out[interface][state] += (finish - begin).total_seconds()
    return {k: dict(v) for k, v in out.items()}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def operator_board(session: Session, *, since: datetime, until: datetime) -> list[OperatorFigures]:
    """Per operator: answered calls, talk, AHT (from call records) and pause / wrap-up time (from the state log);
    an operator who only paused today is listed too."""
    figures = operator_figures(session, since=since, until=until)
    times = time_in_states(session, since=since, until=until)
    out = []
    for row in figures:
        spent = times.pop(row.extension or "", {})
        out.append(replace(row, pause_seconds=round(spent.get("paused", 0.0), 1), wrapup_seconds=round(spent.get("wrapup", 0.0), 1)))
    idle = {k: v for k, v in times.items() if v.get("paused") or v.get("wrapup")}
    users = {u.extension: u for u in session.exec(select(User).where(col(User.extension).in_(list(idle)))).all()} if idle else {}
    for interface, spent in sorted(idle.items()):
        user = users.get(interface)
        name = (user.full_name or user.username) if user else interface
        out.append(
            OperatorFigures(
                user_id=user.id if user else None,
                name=name,
                extension=interface,
                calls=0,
                talk_seconds=0.0,
                aht_seconds=None,
                pause_seconds=round(spent.get("paused", 0.0), 1),
                wrapup_seconds=round(spent.get("wrapup", 0.0), 1),
            )
        )
    return out
