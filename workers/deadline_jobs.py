"""Periodic jobs of the deadline watcher: the watch itself, executors' daily digests, and the reconciler."""

from __future__ import annotations

import logging

from appeals.deadline_watch import executor_digests
from appeals.deadline_watch import watch_deadlines as watch
from appeals.followups import FOLLOW_REPORT_JOB
from appeals.notifications import DELIVER_JOB, DELIVERY_RETRY, NOTIFY_QUEUE
from appeals.reconcile import stale_notifications, stale_reports, stale_routing, stale_transcriptions
from appeals.registration import ROUTE_JOB
from workers.context import current
from workers.queues import ASR, CALLBACKS, ROUTING, enqueue

logger = logging.getLogger(__name__)
TRANSCRIBE_JOB = "workers.asr_jobs.transcribe"


def watch_deadlines() -> dict[str, int]:
    """Attention, SLA breach, overdue (with escalation), the forwarding term."""
    ctx = current()
    with ctx.session() as session:
        report = watch(session, now=ctx.now())
    ctx.flush_outbox()
    if any(report.raised.values()):
        logger.info("deadline alerts raised", extra={"event_data": report.raised})
    return report.raised


def send_digests() -> int:
    """The executors' daily digest (the scheduler runs it once a working day)."""
    ctx = current()
    with ctx.session() as session:
        count = executor_digests(session, now=ctx.now())
    ctx.flush_outbox()
    return count


def reconcile() -> dict[str, int]:
    """Re-enqueue, by their usual ids, jobs the database says are due but Redis may have lost."""
    ctx = current()
    with ctx.session() as session:
        now = ctx.now()
        routing, notes, reports = stale_routing(session, now=now), stale_notifications(session, now=now), stale_reports(session, now=now)
        recordings = stale_transcriptions(session, now=now)
    for appeal_id in routing:
        enqueue(ctx.redis, ROUTING, ROUTE_JOB, [appeal_id], job_id=f"route-{appeal_id}")
    for note_id in notes:
        enqueue(ctx.redis, NOTIFY_QUEUE, DELIVER_JOB, [note_id], job_id=f"notify-{note_id}", retry=DELIVERY_RETRY)
    for issue_id in reports:
        enqueue(ctx.redis, CALLBACKS, FOLLOW_REPORT_JOB, [issue_id], job_id=f"report-{issue_id}-reconcile")
    for recording_id in recordings:  # an asr job still queued, scheduled or running is left as it is (same id)
        enqueue(ctx.redis, ASR, TRANSCRIBE_JOB, [recording_id], job_id=f"transcribe-{recording_id}")
    found = {"routing": len(routing), "notifications": len(notes), "reports": len(reports), "transcriptions": len(recordings)}
    if any(found.values()):
        logger.warning("reconciler re-enqueued lost work", extra={"event_data": found})
    return found
