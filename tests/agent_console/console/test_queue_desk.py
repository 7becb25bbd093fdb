"""Queue actions from the operator's desk become cc:commands entries for the listener (real Redis)."""

from __future__ import annotations

import json

import redis
from sqlalchemy import Engine
from starlette.testclient import TestClient

from appeals.events import Command
from appeals.models import Role
from runtime.streams import COMMANDS, read_range
from tests.conftest import Clock
from tests.factories import make_user, token_for


def test_pause_login_and_unpause_are_commands_for_the_operators_phone(
    client: TestClient, engine: Engine, clock: Clock, redis_client: redis.Redis
) -> None:
    make_user(engine, "op_q", Role.operator, now=clock.now, extension="PJSIP/op101")
    headers = token_for(client, "op_q")
    assert [r["code"] for r in client.get("/api/console/pause-reasons", headers=headers).json()][:2] == ["wrap_up", "break"]
    sent = client.post("/api/console/queue", headers=headers, json={"action": "pause", "reason": "lunch"})
    assert sent.status_code == 202, sent.text
    client.post("/api/console/queue", headers=headers, json={"action": "login", "queue": "hotline"})
    client.post("/api/console/queue", headers=headers, json={"action": "unpause"})
    entries = read_range(redis_client, COMMANDS)
    commands = [Command.model_validate(json.loads(fields["data"])) for _id, fields in entries]
    assert [(c.kind, c.interface, c.queue, c.reason) for c in commands] == [
        ("queue_pause", "PJSIP/op101", None, "lunch"),
        ("queue_login", "PJSIP/op101", "hotline", None),
        ("queue_unpause", "PJSIP/op101", None, None),
    ]
    assert commands[0].command_id == sent.json()["command_id"]
    assert (commands[0].expires_at - clock.now).total_seconds() == 30


def test_an_unknown_pause_reason_and_a_user_without_a_phone_are_refused(
    client: TestClient, engine: Engine, clock: Clock, redis_client: redis.Redis
) -> None:
    make_user(engine, "op_r", Role.operator, now=clock.now, extension="PJSIP/op102")
    make_user(engine, "sup_r", Role.supervisor, now=clock.now)
    bad = client.post("/api/console/queue", headers=token_for(client, "op_r"), json={"action": "pause", "reason": "nap"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_pause_reason"
    none = client.post("/api/console/queue", headers=token_for(client, "sup_r"), json={"action": "login"})
    assert none.status_code == 409
    assert none.json()["error"]["code"] == "no_extension"
    assert read_range(redis_client, COMMANDS) == []
