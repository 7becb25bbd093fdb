"""Drill: operators keep registering appeals over HTTP while Redis and then PostgreSQL restart under them.

Afterwards every appeal the API confirmed exists exactly once with a unique number, and every notification
reached `cc:events` once Redis was back (the outbox), with the API and a worker running as real processes.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text

from runtime.streams import decode_entry, read_range
from tests.drills.conftest import Product
from tests.drills.servers import PrivatePostgres, PrivateRedis

pytestmark = pytest.mark.drill


def _register_many(base: str, token: str, count: int, confirmed: dict[str, int], failures: list[str]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=10) as http:
        for n in range(count):
            key = f"drill-{n}"
            body = {
                "caller": f"050{n:07d}",
                "applicant_name": f"Житель {n}",
                "applicant_address": "вул. Київська, 1",
                "issues": [{"category_id": 4, "address_text": "вул. Київська, 1", "description": "Немає опалення"}],
                "register": True,
            }
            deadline = time.monotonic() + 60
            while True:
                try:
                    response = http.post("/api/appeals", json=body, headers={**headers, "Idempotency-Key": key})
                except httpx.HTTPError:
                    response = None
                if response is not None and response.status_code in (200, 201):
                    confirmed[key] = response.json()["id"]
                    break
                if response is not None and response.status_code not in (503,):
                    failures.append(f"{key}: {response.status_code} {response.text[:200]}")
                    break
                if time.monotonic() > deadline:
                    failures.append(f"{key}: gave up")
                    break
                time.sleep(0.2)
            time.sleep(0.05)


def test_registrations_survive_redis_and_postgres_restarts(
    product: Product, private_pg: PrivatePostgres, private_redis: PrivateRedis
) -> None:
    assert product.cli("user", "add", "op", "--role", "operator", "--password", "drill-pw", "--extension", "PJSIP/op101").returncode == 0
    product.start_api()
    product.start("worker", "worker")
    base = f"http://127.0.0.1:{product.api_port}"
    token = httpx.post(f"{base}/api/auth/token", data={"username": "op", "password": "drill-pw"}).json()["access_token"]
    confirmed: dict[str, int] = {}
    failures: list[str] = []
    writer = threading.Thread(target=_register_many, args=(base, token, 60, confirmed, failures))
    writer.start()
    while len(confirmed) < 10:
        time.sleep(0.1)
    private_redis.stop()
    time.sleep(2)
    private_redis.start()
    while len(confirmed) < 30:
        time.sleep(0.1)
    private_pg.restart()
    writer.join(timeout=180)
    assert failures == []
    assert len(confirmed) == 60
    engine = create_engine(private_pg.url)
    with engine.connect() as conn:
        numbers = conn.execute(text("SELECT number FROM appeal WHERE status = 'registered' ORDER BY id")).scalars().all()
        deadline = time.monotonic() + 20
        while conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar() and time.monotonic() < deadline:
            time.sleep(0.2)
        unpublished = conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar()
    engine.dispose()
    assert len(numbers) == 60
    assert len(set(numbers)) == 60
    assert unpublished == 0
    client = redis.Redis.from_url(private_redis.url, decode_responses=True)
    registered = {decode_entry(fields)[3]["appeal_id"] for _, fields in read_range(client) if decode_entry(fields)[0] == "appeal.updated"}
    # Redis lost its memory in the restart: every appeal registered after it came back is on the stream.
    assert {confirmed[f"drill-{n}"] for n in range(30, 60)} <= registered
