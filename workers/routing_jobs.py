"""The routing job (queue `routing`): `route_appeal(appeal_id)`, enqueued by registration through the outbox."""

from __future__ import annotations

from dataclasses import asdict

from appeals.dispatch import BurstRule
from appeals.dispatch import route_appeal as route
from workers.context import current
from workers.faults import crash_point


def route_appeal(appeal_id: int) -> dict[str, list[int]]:
    """Assign the appeal's registered issues (or link them to an incident) and acknowledge the applicant."""
    ctx = current()
    with ctx.session() as session:
        rule = BurstRule(calls=ctx.settings.incident_burst_calls, minutes=ctx.settings.incident_burst_minutes)
        report = route(session, appeal_id, now=ctx.now(), burst=rule)
    crash_point("route.done")
    ctx.flush_outbox()
    return asdict(report)
