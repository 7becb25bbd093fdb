"""/healthz: each dependency's state, 503 when the database or Redis is gone or the AMI link is down."""

from __future__ import annotations

import json

import redis
from sqlalchemy import Engine
from starlette.testclient import TestClient

from agent_console.app import AppConfig, create_app
from runtime.streams import LISTENER_KEY
from tests.conftest import SECRET


def test_healthy_with_no_listener_yet(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["db"] == {"status": "up"}
    assert body["redis"] == {"status": "up"}
    assert body["ami"]["status"] == "unknown"


def test_ami_state_follows_the_listener_heartbeat(client: TestClient, redis_client: redis.Redis) -> None:
    redis_client.set(LISTENER_KEY, json.dumps({"state": "down", "since": "2026-11-24T09:00:00+00:00", "at": "x"}), ex=10)
    down = client.get("/healthz")
    assert down.status_code == 503
    assert down.json()["ami"]["status"] == "down"
    redis_client.set(LISTENER_KEY, json.dumps({"state": "up", "since": "2026-11-24T09:01:00+00:00", "at": "x"}), ex=10)
    assert client.get("/healthz").status_code == 200


def test_a_listener_that_stopped_beating_means_ami_down(client: TestClient, redis_client: redis.Redis) -> None:
    """The listener process died (its heartbeat expired): nobody watches the PBX, so /healthz says so."""
    redis_client.set(f"{LISTENER_KEY}:seen", "2026-11-24T09:00:00+00:00")
    redis_client.delete(LISTENER_KEY)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["ami"]["status"] == "down"
    assert response.json()["ami"]["detail"] == "listener heartbeat expired"


def test_redis_gone_is_503_not_a_crash(engine: Engine) -> None:
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, socket_timeout=0.2)
    app = create_app(AppConfig(secret_key=SECRET), engine=engine, redis_client=dead, drain_outbox_in_background=False)
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"]["status"] == "down"
    assert response.json()["db"]["status"] == "up"
