"""The /metrics collector: reads the register, the live state in Redis and the rq queues at scrape time.

A source that is down does not fail the scrape: its metrics are left out and `callcenter_metrics_source_up`
says which source it was.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import redis
from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from appeals.reports.live import live_counts
from runtime.metrics import ASR_RTF, CARD_LATENCY, read_shared_histogram
from runtime.streams import LISTENER_KEY, QUEUES_KEY, read_listener_state
from workers.monitoring import queue_stats

logger = logging.getLogger(__name__)
_FAST: weakref.WeakKeyDictionary[redis.Redis, redis.Redis] = weakref.WeakKeyDictionary()
AMI_STATES = ("up", "down", "auth_failed", "unknown")
SEEN_KEY = f"{LISTENER_KEY}:seen"


def _gauge(name: str, doc: str, labels: list[str], items: dict[tuple[str, ...], float]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels)
    for key, value in sorted(items.items()):
        family.add_metric(list(key), value)
    return family


def _db_metrics(engine: Engine, now: datetime) -> Iterator[Metric]:
    with Session(engine) as session:
        counts = live_counts(session, now=now)
    for name, index, doc in (
        ("offered", 0, "Inbound calls offered"),
        ("answered", 1, "Inbound calls answered"),
        ("abandoned", 2, "Inbound calls abandoned in the queue"),
    ):
        family = CounterMetricFamily(f"callcenter_calls_{name}", doc, labels=["queue"])
        for queue, values in sorted(counts.calls.items()):
            family.add_metric([queue], values[index])
        yield family
    yield _gauge("callcenter_appeals", "Appeals by status", ["status"], {(k,): v for k, v in counts.appeals.items()})
    yield _gauge("callcenter_issues", "Issues by lifecycle status", ["status"], {(k,): v for k, v in counts.issues.items()})
    yield GaugeMetricFamily("callcenter_issues_overdue", "Open issues past their (extended) due date", value=counts.overdue)
    yield GaugeMetricFamily("callcenter_issues_attention", "Open issues past their attention point, not yet due", value=counts.attention)
    yield _gauge("callcenter_callbacks_open", "Open callback tasks by kind", ["kind"], {(k,): v for k, v in counts.callbacks_open.items()})


def _ami_state(client: redis.Redis) -> str:
    beat = read_listener_state(client)
    if beat is not None:
        return str(beat.get("state", "unknown"))
    return "down" if client.exists(SEEN_KEY) else "unknown"


def _snapshots(client: redis.Redis) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, raw in (client.hgetall(QUEUES_KEY) or {}).items():
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            continue
        if isinstance(value, dict):
            out[str(name.decode() if isinstance(name, bytes) else name)] = value
    return out


def _waiting(snap: dict[str, Any]) -> float:
    waiting = snap.get("waiting", 0)
    return float(len(waiting) if isinstance(waiting, list) else waiting or 0)


def _redis_metrics(client: redis.Redis) -> Iterator[Metric]:
    state = _ami_state(client)
    yield GaugeMetricFamily("callcenter_ami_up", "1 when the listener reports its AMI session up", value=1.0 if state == "up" else 0.0)
    yield _gauge(
        "callcenter_ami_state",
        "The listener's AMI state (1 for the current one)",
        ["state"],
        {(s,): float(s == state) for s in {*AMI_STATES, state}},
    )
    snaps = _snapshots(client)
    yield _gauge(
        "callcenter_callers_waiting", "Callers waiting in each queue now", ["queue"], {(q,): _waiting(s) for q, s in snaps.items()}
    )
    longest: dict[tuple[str, ...], float] = {
        (q,): float((s.get("counters") or {}).get("longest_wait_seconds", 0) or 0) for q, s in snaps.items()
    }
    yield _gauge("callcenter_queue_longest_wait_seconds", "The longest current wait in each queue", ["queue"], longest)
    agents: dict[tuple[str, ...], float] = {
        (q, k): float((s.get("counters") or {}).get(k, 0) or 0)
        for q, s in snaps.items()
        for k in ("logged_in", "available", "paused", "in_call")
    }
    yield _gauge("callcenter_queue_agents", "Queue members by state", ["queue", "state"], agents)
    stats = queue_stats(client)
    yield _gauge("callcenter_rq_queue_depth", "Jobs waiting in each rq queue", ["queue"], {(s.name,): float(s.queued) for s in stats})
    yield _gauge("callcenter_rq_jobs_running", "Jobs being worked on", ["queue"], {(s.name,): float(s.started) for s in stats})
    yield _gauge(
        "callcenter_rq_jobs_scheduled", "Jobs scheduled for later (retries)", ["queue"], {(s.name,): float(s.scheduled) for s in stats}
    )
    yield _gauge(
        "callcenter_rq_jobs_failed", "Jobs in the failed registry (kept 30 days)", ["queue"], {(s.name,): float(s.failed) for s in stats}
    )
    rtf = read_shared_histogram(client, ASR_RTF)
    family = HistogramMetricFamily(ASR_RTF.name, ASR_RTF.help)
    family.add_metric([], rtf.buckets, sum_value=rtf.total)
    yield family


def no_retry(client: redis.Redis) -> redis.Redis:
    """A twin of `client` that fails at once: redis-py retries 10 times with backoff, longer than a scrape may take."""
    fast = _FAST.get(client)
    if fast is None:
        kwargs = dict(client.connection_pool.connection_kwargs)
        kwargs["retry"] = Retry(NoBackoff(), 0)
        pool = redis.ConnectionPool(connection_class=client.connection_pool.connection_class, **kwargs)
        fast = _FAST[client] = redis.Redis(connection_pool=pool)
    return fast


class LiveCollector(Collector):
    """Collects on every scrape; `now` is injectable for tests."""

    def __init__(self, engine: Engine, redis_client: redis.Redis | None, now: Callable[[], datetime] | None = None) -> None:
        self.engine, self.now = engine, now or (lambda: datetime.now(UTC))
        self.redis = no_retry(redis_client) if redis_client is not None else None

    def collect(self) -> Iterator[Metric]:
        up: dict[tuple[str, ...], float] = {("db",): 0.0, ("redis",): 0.0}
        try:
            yield from list(_db_metrics(self.engine, self.now()))
            up[("db",)] = 1.0
        except SQLAlchemyError as exc:
            logger.warning("metrics: database unavailable", extra={"event_data": {"error": type(exc).__name__}})
        if self.redis is not None:
            try:
                yield from list(_redis_metrics(self.redis))
                up[("redis",)] = 1.0
            except (redis.RedisError, OSError) as exc:
                logger.warning("metrics: redis unavailable", extra={"event_data": {"error": type(exc).__name__}})
        yield _gauge("callcenter_metrics_source_up", "1 when the source answered this scrape", ["source"], up)


def build_registry(engine: Engine, redis_client: redis.Redis | None, now: Callable[[], datetime] | None = None) -> CollectorRegistry:
    """The API's registry: live figures, the in-process card latency histogram, and the process's own stats."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LiveCollector(engine, redis_client, now))
    registry.register(CARD_LATENCY)
    ProcessCollector(registry=registry)
    return registry
