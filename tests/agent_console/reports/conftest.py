"""HTTP tests over the November 2026 data set: one app per module and backend, reading only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from agent_console.app import AppConfig, create_app
from agent_console.deps import get_now
from appeals.models import Role
from tests.appeals.reports.conftest import november
from tests.appeals.reports.scenario import NOW, Scenario
from tests.conftest import SECRET
from tests.factories import make_user, token_for

__all__ = ["november"]


@pytest.fixture(scope="module")
def nov_client(november: tuple[Engine, Scenario]) -> Iterator[TestClient]:
    engine, _ = november
    app = create_app(
        AppConfig(secret_key=SECRET, service_level_seconds=20), engine=engine, redis_client=None, drain_outbox_in_background=False
    )
    app.dependency_overrides[get_now] = lambda: NOW
    for name, role in (("boss", Role.supervisor), ("clerk", Role.operator), ("mayor", Role.head)):
        make_user(engine, name, role, now=NOW)
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def boss(nov_client: TestClient) -> dict[str, str]:
    return token_for(nov_client, "boss")
