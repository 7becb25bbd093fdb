"""Call records: what is ringing or talking now, one call's record."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from appeals.models import Call

STALE_AFTER = timedelta(hours=6)


def active_calls(session: Session, *, now: datetime) -> list[Call]:
    """Calls not yet ended (recent ones: a record the PBX never closed does not linger forever)."""
    return list(
        session.exec(
            select(Call).where(col(Call.ended_at).is_(None), col(Call.started_at) > now - STALE_AFTER).order_by(col(Call.started_at))
        ).all()
    )
