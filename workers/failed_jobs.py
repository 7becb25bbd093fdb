"""Failed jobs for supervisors: what failed, why (last line of the error), and a retry by id."""

from __future__ import annotations

from datetime import datetime

import redis
from pydantic import BaseModel
from rq.job import Job
from rq.registry import FailedJobRegistry

from workers.queues import ALL_QUEUES, queue, rq_connection


class FailedJob(BaseModel):
    id: str
    queue: str
    func: str
    args: list[object]
    error: str
    failed_at: datetime | None


class QueueStats(BaseModel):
    queue: str
    queued: int
    failed: int
    scheduled: int


def _error(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else "невідома помилка"


def failed_jobs(client: redis.Redis, *, limit: int = 200) -> list[FailedJob]:
    """The newest failures of every queue (jobs keep 30 days in the failed list)."""
    out: list[FailedJob] = []
    connection = rq_connection(client)
    for name in ALL_QUEUES:
        registry = FailedJobRegistry(queue=queue(name, client))
        for job in Job.fetch_many(registry.get_job_ids(desc=True)[:limit], connection=connection):
            if job is None:
                continue
            out.append(FailedJob(id=job.id, queue=name, func=job.func_name, args=list(job.args), error=_error(job), failed_at=job.ended_at))
    return sorted(out, key=lambda j: j.failed_at.timestamp() if j.failed_at else 0, reverse=True)[:limit]


def retry_failed(client: redis.Redis, job_id: str) -> str:
    """Put a failed job back on its queue (same id, fresh retries); returns the queue name.

    Raises:
        LookupError: no failed job with this id.
    """
    for name in ALL_QUEUES:
        registry = FailedJobRegistry(queue=queue(name, client))
        if job_id in registry.get_job_ids():
            registry.requeue(job_id)
            return name
    msg = f"no failed job {job_id}"
    raise LookupError(msg)


def queue_stats(client: redis.Redis) -> list[QueueStats]:
    stats = []
    for name in ALL_QUEUES:
        q = queue(name, client)
        stats.append(QueueStats(queue=name, queued=q.count, failed=q.failed_job_registry.count, scheduled=q.scheduled_job_registry.count))
    return stats
