"""The supervisor wallboard's figures from call records: per queue today, per operator, queue load over the last hours.

Definitions are the contact-center operations report's (appeals/reports/operations.py): inbound calls that started
in the period; service level = answered within the threshold / offered; average wait over answered calls; AHT is
the talk time of answered calls. Each panel is one aggregate query, so a busy day costs the same as a quiet one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from appeals.deadlines import KYIV
from appeals.models import Call, CallDirection, User
from appeals.reports.stats import pct

ALL_QUEUES = ""
"""The key of the all-queues total row."""


def day_start(now: datetime) -> datetime:
    """Midnight of `now`'s day in Kyiv (the contact center's day), as an aware datetime."""
    local = now.astimezone(KYIV)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class QueueFigures:
    queue: str
    offered: int
    answered: int
    abandoned: int
    answered_in_sl: int
    service_level_pct: float | None
    abandoned_pct: float | None
    avg_wait_seconds: float | None
    avg_talk_seconds: float | None


@dataclass(frozen=True)
class _Sums:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    fast: int = 0
    wait_sum: float = 0.0
    wait_n: int = 0
    talk_sum: float = 0.0
    talk_n: int = 0

    def plus(self, other: _Sums) -> _Sums:
        return _Sums(*(a + b for a, b in zip(self.__dict__.values(), other.__dict__.values(), strict=True)))

    def figures(self, queue: str) -> QueueFigures:
        return QueueFigures(
            queue=queue,
            offered=self.offered,
            answered=self.answered,
            abandoned=self.abandoned,
            answered_in_sl=self.fast,
            service_level_pct=pct(self.fast, self.offered),
            abandoned_pct=pct(self.abandoned, self.offered),
            avg_wait_seconds=round(self.wait_sum / self.wait_n, 1) if self.wait_n else None,
            avg_talk_seconds=round(self.talk_sum / self.talk_n, 1) if self.talk_n else None,
        )


def _columns(*columns: Any) -> list[Any]:
    """Many-column selects, past the typed overloads of `select`."""
    return list(columns)


def _inbound_between(since: datetime, until: datetime) -> list[Any]:
    return [Call.direction == CallDirection.inbound, col(Call.started_at) >= since, col(Call.started_at) < until]


def queue_figures(session: Session, *, since: datetime, until: datetime, threshold: int) -> list[QueueFigures]:
    """Offered / answered / abandoned, service level, average wait and talk per queue, plus the total (queue "")."""
    answered = col(Call.answered).is_(True)
    wait = case((and_(answered, col(Call.wait_seconds).is_not(None)), Call.wait_seconds), else_=None)
    talk = case((and_(answered, col(Call.talk_seconds).is_not(None)), Call.talk_seconds), else_=None)
    columns: list[Any] = [
        Call.queue,
        func.count(),
        func.sum(case((answered, 1), else_=0)),
        func.sum(case((col(Call.abandoned).is_(True), 1), else_=0)),
        func.sum(case((and_(answered, col(Call.wait_seconds) <= threshold), 1), else_=0)),
        func.sum(wait),
        func.count(wait),
        func.sum(talk),
        func.count(talk),
    ]
    rows = session.exec(select(*columns).where(*_inbound_between(since, until)).group_by(col(Call.queue))).all()
    out: list[QueueFigures] = []
    total = _Sums()
    for queue, *values in sorted(rows, key=lambda r: r[0] or ""):
        sums = _Sums(*(type(default)(v or 0) for default, v in zip(_Sums().__dict__.values(), values, strict=True)))
        total = total.plus(sums)
        out.append(sums.figures(queue or "—"))
    out.append(total.figures(ALL_QUEUES))
    return out


@dataclass(frozen=True)
class OperatorFigures:
    user_id: int | None
    name: str
    extension: str | None
    calls: int
    talk_seconds: float
    aht_seconds: float | None
    pause_seconds: float = 0.0
    wrapup_seconds: float = 0.0


def operator_figures(session: Session, *, since: datetime, until: datetime) -> list[OperatorFigures]:
    """Answered inbound calls per operator with talk time and average handle time (talk, as the report counts it)."""
    talk = func.coalesce(func.sum(Call.talk_seconds), 0.0)
    rows = session.exec(
        select(*_columns(Call.operator_id, Call.interface, User.full_name, User.username, User.extension, func.count(), talk))
        .join(User, col(User.id) == Call.operator_id, isouter=True)
        .where(*_inbound_between(since, until), col(Call.answered).is_(True))
        .group_by(col(Call.operator_id), col(Call.interface), col(User.full_name), col(User.username), col(User.extension))
    ).all()
    calls: dict[object, int] = {}
    seconds: dict[object, float] = {}
    who: dict[object, tuple[int | None, str, str | None]] = {}
    for user_id, interface, full_name, username, extension, n, talked in rows:
        key = user_id if user_id is not None else interface
        who.setdefault(key, (user_id, full_name or username or interface or "—", extension or interface))
        calls[key] = calls.get(key, 0) + int(n)
        seconds[key] = seconds.get(key, 0.0) + float(talked or 0)
    out = [
        OperatorFigures(
            user_id=user_id,
            name=name,
            extension=extension,
            calls=calls[key],
            talk_seconds=round(seconds[key], 1),
            aht_seconds=round(seconds[key] / calls[key], 1) if calls[key] else None,
        )
        for key, (user_id, name, extension) in who.items()
    ]
    return sorted(out, key=lambda o: (-o.calls, o.name))


@dataclass(frozen=True)
class LoadBucket:
    start: datetime
    offered: int
    answered: int
    abandoned: int
    avg_waiting: float
    """Average number of callers waiting during the bucket (from each call's time in the queue)."""


def queue_load(session: Session, *, since: datetime, until: datetime, bucket: timedelta) -> list[LoadBucket]:
    """Calls offered, answered and abandoned per time bucket, and the average queue length, from `since` to `until`."""
    rows = session.exec(
        select(Call.started_at, Call.answered, Call.abandoned, Call.wait_seconds)
        .where(*_inbound_between(since, until))
        .order_by(col(Call.started_at))
    ).all()
    count = max(1, -(-int((until - since) / timedelta(seconds=1)) // int(bucket / timedelta(seconds=1))))
    offered, answered, abandoned = [0] * count, [0] * count, [0] * count
    waited = [0.0] * count
    for started, was_answered, was_abandoned, wait in rows:
        index = min(count - 1, int((started - since) / bucket))
        offered[index] += 1
        answered[index] += 1 if was_answered else 0
        abandoned[index] += 1 if was_abandoned else 0
        _spread_wait(waited, since, bucket, started, min(until, started + timedelta(seconds=wait or 0)))
    seconds = bucket.total_seconds()
    return [LoadBucket(since + i * bucket, offered[i], answered[i], abandoned[i], round(waited[i] / seconds, 2)) for i in range(count)]


def _spread_wait(waited: list[float], since: datetime, bucket: timedelta, start: datetime, end: datetime) -> None:
    """Add the seconds of [start, end) to each bucket they overlap."""
    index = int((start - since) / bucket)
    while start < end and 0 <= index < len(waited):
        bucket_end = since + (index + 1) * bucket
        piece = min(end, bucket_end)
        waited[index] += (piece - start).total_seconds()
        start, index = piece, index + 1


AGENT_STATES = {
    "free": "вільний",
    "ringing": "дзвонить",
    "on_call": "розмова",
    "paused": "пауза",
    "wrapup": "обробка",
    "offline": "не в мережі",
}
_WRAPUP_MARKS = ("wrap", "обробк", "після дзвінка")


def agent_state(*, status: int, paused: bool, paused_reason: str, in_call: bool) -> str:
    """A queue member's state for people: free / ringing / on_call / paused / wrapup / offline.

    `status` is the member's device state as the live queue state carries it (0 unknown, 1 not in use, 2 in use,
    3 busy, 4 invalid, 5 unavailable, 6 ringing, 7 ringing while in use, 8 on hold). Wrap-up is a pause whose
    reason says so (the console pauses the operator after a call with that reason).
    """
    if status in (4, 5):
        return "offline"
    if status in (6, 7):
        return "ringing"
    if in_call or status in (2, 3, 8):
        return "on_call"
    if paused:
        reason = paused_reason.casefold()
        return "wrapup" if any(mark in reason for mark in _WRAPUP_MARKS) else "paused"
    return "free"
