"""GET /metrics in Prometheus text: calls, queues, AMI, rq, ASR RTF, card latency, appeals by state, overdue."""

from __future__ import annotations

import json
from datetime import timedelta

import redis
from prometheus_client.parser import text_string_to_metric_families
from rq import SimpleWorker
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from agent_console.app import AppConfig, create_app
from appeals.actors import Actor
from appeals.drafts import IncomingCall, open_call_draft
from appeals.models import Role
from runtime.metrics import CARD_LATENCY, record_asr_rtf
from runtime.streams import LISTENER_KEY, QUEUES_KEY
from tests.conftest import SECRET, Clock
from tests.factories import make_registered
from workers.queues import enqueue, queue, rq_connection

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def _calls(engine: Engine, clock: Clock) -> None:
    with Session(engine) as session:
        for n, (answered, abandoned) in enumerate([(True, False), (True, False), (False, True)]):
            record, _, _ = open_call_draft(
                session, IncomingCall(call_id=f"m-{n}", caller="+380501112233", started_at=clock.now, queue="hotline"), now=clock.now
            )
            record.answered, record.abandoned, record.ended_at = answered, abandoned, clock.now
            session.add(record)
        session.commit()


def test_metrics_from_the_register_redis_and_rq(client: TestClient, engine: Engine, redis_client: redis.Redis, clock: Clock) -> None:
    _calls(engine, clock)
    with Session(engine) as session:
        make_registered(session, Actor(None, Role.operator), now=clock.now - timedelta(days=30))  # no_heating: due after 15 days
        make_registered(session, Actor(None, Role.operator), now=clock.now)
    redis_client.set(LISTENER_KEY, json.dumps({"state": "up", "since": clock.now.isoformat(), "at": clock.now.isoformat()}))
    snapshot = {
        "queue": "hotline",
        "waiting": 3,
        "callers": [],
        "members": [],
        "counters": {"longest_wait_seconds": 42.5, "logged_in": 4, "available": 1, "paused": 1, "in_call": 2},
    }
    redis_client.hset(QUEUES_KEY, "hotline", json.dumps(snapshot))
    enqueue(redis_client, "routing", "workers.outbox.drain_outbox", [], job_id="waiting-job")
    enqueue(redis_client, "asr", "builtins.int", ["not a number"], job_id="broken-job", retry=None)
    SimpleWorker([queue("asr", redis_client)], connection=rq_connection(redis_client)).work(burst=True)
    record_asr_rtf(redis_client, 0.3)
    record_asr_rtf(redis_client, 1.2)
    before = next(iter(CARD_LATENCY.collect())).samples
    CARD_LATENCY.observe(0.12)
    m = _scrape(client)
    assert m[("callcenter_calls_offered_total", (("queue", "hotline"),))] == 3
    assert m[("callcenter_calls_answered_total", (("queue", "hotline"),))] == 2
    assert m[("callcenter_calls_abandoned_total", (("queue", "hotline"),))] == 1
    assert m[("callcenter_appeals", (("status", "registered"),))] == 2
    assert m[("callcenter_appeals", (("status", "draft"),))] == 3  # the calls' drafts
    assert m[("callcenter_appeals", (("status", "consultation"),))] == 0  # every state is a series
    assert m[("callcenter_callbacks_open", (("kind", "missed_call"),))] == 0
    assert m[("callcenter_issues", (("status", "registered"),))] == 2
    assert m[("callcenter_issues_overdue", ())] == 1
    assert m[("callcenter_ami_up", ())] == 1
    assert m[("callcenter_ami_state", (("state", "up"),))] == 1
    assert m[("callcenter_ami_state", (("state", "down"),))] == 0
    assert m[("callcenter_callers_waiting", (("queue", "hotline"),))] == 3
    assert m[("callcenter_queue_longest_wait_seconds", (("queue", "hotline"),))] == 42.5
    assert m[("callcenter_queue_agents", (("queue", "hotline"), ("state", "available")))] == 1
    assert m[("callcenter_rq_queue_depth", (("queue", "routing"),))] == 1
    assert m[("callcenter_rq_jobs_failed", (("queue", "asr"),))] == 1
    assert m[("callcenter_rq_queue_depth", (("queue", "asr"),))] == 0
    assert m[("callcenter_asr_real_time_factor_count", ())] == 2
    assert m[("callcenter_asr_real_time_factor_bucket", (("le", "0.3"),))] == 1
    assert m[("callcenter_asr_real_time_factor_bucket", (("le", "1.5"),))] == 2
    assert m[("callcenter_asr_real_time_factor_sum", ())] == 1.5
    count_before = next(s.value for s in before if s.name.endswith("_count"))
    assert m[("callcenter_card_latency_seconds_count", ())] == count_before + 1
    assert m[("callcenter_metrics_source_up", (("source", "db"),))] == 1
    assert m[("callcenter_metrics_source_up", (("source", "redis"),))] == 1


def test_ami_down_when_the_heartbeat_expired(client: TestClient, redis_client: redis.Redis) -> None:
    assert _scrape(client)[("callcenter_ami_state", (("state", "unknown"),))] == 1  # no listener deployed yet
    redis_client.set(f"{LISTENER_KEY}:seen", "2026-11-24T09:00:00+00:00")
    m = _scrape(client)
    assert m[("callcenter_ami_up", ())] == 0
    assert m[("callcenter_ami_state", (("state", "down"),))] == 1


def test_redis_down_is_reported_not_raised(engine: Engine, app_config: AppConfig) -> None:
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    app = create_app(app_config, engine=engine, redis_client=dead, drain_outbox_in_background=False)
    with TestClient(app) as client:
        m = _scrape(client)
    assert m[("callcenter_metrics_source_up", (("source", "redis"),))] == 0
    assert m[("callcenter_metrics_source_up", (("source", "db"),))] == 1
    assert ("callcenter_issues_overdue", ()) in m
    assert SECRET
