"""Schemathesis against `/openapi.json`: every operation, fuzzed with valid and invalid input by a user whose role
may call it (agent_console/access.py; admin first), never answers 5xx, and every JSON error outside Open311 is
`{"error": {"code", "message"}}`.

The real app runs in-process (ASGI) on a migrated, seeded SQLite database with a few appeals, a citizen, a callback
task and users, and a real Redis on its own DB index. Deterministic (derandomized) so `make test` is stable;
`CALLCENTER_FUZZ_EXAMPLES=200 CALLCENTER_FUZZ_RANDOM=1 pytest tests/agent_console/test_openapi_fuzz.py` explores more.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine
from sqlmodel import Session

from agent_console.access import PUBLIC, roles_for
from agent_console.app import AppConfig, create_app
from agent_console.tokens import issue_token
from appeals.models import Role
from appeals.seeding import seed_reference
from callcenter.wiring import upgrade_database
from runtime.db import build_engine
from tests.conftest import REDIS_URL
from tests.factories import actor_of, make_citizen, make_draft, make_registered, make_user

MAX_EXAMPLES = int(os.environ.get("CALLCENTER_FUZZ_EXAMPLES", "10"))
DERANDOMIZE = os.environ.get("CALLCENTER_FUZZ_RANDOM", "") == ""
FUZZ_REDIS_DB = 13  # its own index: the module-long app must not be flushed by other tests' fixtures
SECRET = "fuzz-secret-0123456789"
ROLE_PREFERENCE = (Role.admin, Role.operator, Role.supervisor, Role.head, Role.callback_agent, Role.executor)
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


@dataclass
class Fuzzed:
    app: Any
    headers: dict[Role, dict[str, str]]
    protected_user_ids: set[int]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    root: Path = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{root / 'fuzz.db'}"
    upgrade_database(url)
    engine = build_engine(url)
    with Session(engine) as session:
        seed_reference(session)
    users = {role: make_user(engine, f"fuzz-{role.value}", role, now=NOW) for role in ROLE_PREFERENCE}
    operator = users[Role.operator]
    with Session(engine) as session:
        make_citizen(session, "Петренко Ольга Миколаївна", ["+380441234567"], now=NOW)
        make_draft(session, actor_of(operator), now=NOW)
        make_registered(session, actor_of(operator), now=NOW, caller="+380501112233")
        make_draft(session, actor_of(operator), now=NOW, caller=None)
    client = redis.Redis.from_url(REDIS_URL.rsplit("/", 1)[0] + f"/{FUZZ_REDIS_DB}", decode_responses=True, socket_timeout=5)
    client.flushdb()
    APP.state.engine, APP.state.redis, APP.state.recordings_dir = engine, client, root / "recordings"
    headers = {
        role: {"Authorization": f"Bearer {issue_token(SECRET, user.id or 0, now=datetime.now(UTC), ttl=timedelta(hours=1))}"}
        for role, user in users.items()
    }
    yield Fuzzed(APP, headers, {u.id or 0 for u in users.values()})
    client.flushdb()
    client.close()
    engine.dispose()


# One app for the module: its schema is loaded at collection (a test per operation); the fixture gives it its
# database and Redis (app.state is read per request).
APP = create_app(AppConfig(secret_key=SECRET), engine=cast("Engine", None), redis_client=None, drain_outbox_in_background=False)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


def _follows_error_format(case: Any, response: Any) -> None:
    if response.status_code < 400 or case.operation.path.startswith("/open311/"):
        return
    if "application/json" not in response.headers.get("content-type", [""])[0]:
        return
    body = response.json()
    assert isinstance(body, dict), f"{case.operation.label}: error body is not an object: {body!r}"
    error = body.get("error")
    assert isinstance(error, dict), f"{case.operation.label}: error body without 'error': {body!r}"
    assert isinstance(error.get("code"), str), f"{case.operation.label}: error without a code: {body!r}"
    assert isinstance(error.get("message"), str), f"{case.operation.label}: error without a message: {body!r}"


def _caller(method: str, path: str) -> Role:
    """The first role of ROLE_PREFERENCE the matrix lets call this route (public routes: admin)."""
    allowed = roles_for(method, path)
    assert allowed is not None, f"{method} {path} is not in the role matrix"
    return next((r for r in ROLE_PREFERENCE if allowed == PUBLIC or r in allowed), Role.admin)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=DERANDOMIZE, suppress_health_check=list(HealthCheck), database=None)
def test_no_server_error_and_errors_in_the_contract_format(case: Any, fuzzed: Fuzzed) -> None:
    if case.operation.path.startswith("/api/users/{user_id}/") and case.path_parameters.get("user_id") in fuzzed.protected_user_ids:
        return  # deactivating the fuzzing accounts would only turn the rest of the run into 401s
    response = case.call(headers=fuzzed.headers[_caller(case.operation.method, case.operation.path)])
    case.validate_response(response, checks=[not_a_server_error])
    _follows_error_format(case, response)
