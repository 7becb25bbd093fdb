"""Sign-in: OAuth2 password flow, throttling, expiry, immediate revocation on deactivation."""

from __future__ import annotations

from sqlalchemy import Engine
from starlette.testclient import TestClient

from appeals.models import Role
from tests.conftest import Clock
from tests.factories import PASSWORD, make_user, token_for


def test_login_returns_a_bearer_token_that_works(client: TestClient, engine: Engine, clock: Clock) -> None:
    make_user(engine, "op1", Role.operator, now=clock.now, extension="PJSIP/op101")
    response = client.post("/api/auth/token", data={"username": "op1", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["extension"] == "PJSIP/op101"


def test_wrong_password_and_unknown_user_get_the_same_clear_error(client: TestClient, engine: Engine, clock: Clock) -> None:
    make_user(engine, "op1", Role.operator, now=clock.now)
    for username in ("op1", "nobody"):
        response = client.post("/api/auth/token", data={"username": username, "password": "wrong"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_credentials"


def test_repeated_failures_are_throttled_then_released(client: TestClient, engine: Engine, clock: Clock) -> None:
    make_user(engine, "op1", Role.operator, now=clock.now)
    for _ in range(5):
        assert client.post("/api/auth/token", data={"username": "op1", "password": "wrong"}).status_code == 401
    blocked = client.post("/api/auth/token", data={"username": "op1", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "login_throttled"
    assert "Retry-After" in blocked.headers
    clock.advance(minutes=6)
    assert client.post("/api/auth/token", data={"username": "op1", "password": PASSWORD}).status_code == 200


def test_expired_tampered_and_missing_tokens_are_refused(client: TestClient, engine: Engine, clock: Clock) -> None:
    make_user(engine, "sup", Role.supervisor, now=clock.now)
    headers = token_for(client, "sup")
    assert client.get("/api/auth/me").status_code == 401
    tampered = {"Authorization": headers["Authorization"][:-2] + "xx"}
    assert client.get("/api/auth/me", headers=tampered).json()["error"]["code"] == "unauthorized"
    clock.advance(hours=13)
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_deactivation_stops_existing_tokens_at_once(client: TestClient, engine: Engine, clock: Clock) -> None:
    op = make_user(engine, "op1", Role.operator, now=clock.now)
    make_user(engine, "root", Role.admin, now=clock.now)
    op_headers, admin = token_for(client, "op1"), token_for(client, "root")
    assert client.get("/api/auth/me", headers=op_headers).status_code == 200
    clock.advance(seconds=1)
    assert client.post(f"/api/users/{op.id}/deactivate", headers=admin).status_code == 200
    assert client.get("/api/auth/me", headers=op_headers).status_code == 401
    assert client.post("/api/auth/token", data={"username": "op1", "password": PASSWORD}).status_code == 401
    clock.advance(seconds=1)
    client.post(f"/api/users/{op.id}/activate", headers=admin)
    assert client.get("/api/auth/me", headers=op_headers).status_code == 401  # old token stays dead
    assert client.get("/api/auth/me", headers=token_for(client, "op1")).status_code == 200
