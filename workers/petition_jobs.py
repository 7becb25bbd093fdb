"""The petitions' timers (queue `default`, every 10 minutes from the scheduler)."""

from __future__ import annotations

from appeals.petitions import advance_petitions as advance
from workers.context import current


def advance_petitions() -> dict[str, int]:
    """Close collection periods, convert failed petitions, warn about late checks and answers."""
    ctx = current()
    with ctx.session() as session:
        done = advance(session, now=ctx.now())
    ctx.flush_outbox()
    return done
