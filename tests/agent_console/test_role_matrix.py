"""Walk every route of the app against the declared role matrix: 401 without a token, 403 for every other role."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from agent_console.access import PUBLIC, ROUTE_ROLES
from appeals.actors import SYSTEM, Actor
from appeals.issues import transition_issue
from appeals.models import IssueAction, Role
from tests.conftest import Clock
from tests.factories import executor, issues_of, make_registered, make_user, token_for

SAMPLE = {"day": "2026-12-01"}


def _routes(client: TestClient) -> list[tuple[str, str]]:
    spec = client.app.openapi()  # type: ignore[attr-defined]
    return sorted((method.upper(), path) for path, ops in spec["paths"].items() for method in ops)


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "999999"), path)  # nothing real is touched


def test_every_route_has_a_row_and_every_row_a_route(client: TestClient) -> None:
    routes = set(_routes(client))
    assert routes - set(ROUTE_ROLES) == set(), "routes without a role-matrix row"
    assert set(ROUTE_ROLES) - routes == set(), "matrix rows without a route"


def test_each_route_refuses_anonymous_and_every_role_outside_its_row(client: TestClient, engine: Engine, clock: Clock) -> None:
    tokens = {}
    for role in Role:
        make_user(engine, f"u_{role.value}", role, now=clock.now)
        tokens[role] = token_for(client, f"u_{role.value}")
    checked = 0
    for method, path in _routes(client):
        allowed = ROUTE_ROLES[(method, path)]
        if allowed == PUBLIC:
            continue
        url = _url(path)
        assert client.request(method, url).status_code == 401, (method, path)
        for role in Role:
            status = client.request(method, url, headers=tokens[role], json={}).status_code
            if role in allowed:
                assert status not in (401, 403), (method, path, role, status)
            else:
                assert status == 403, (method, path, role, status)
            checked += 1
    assert checked >= 40 * len(Role)


def test_an_executor_gets_404_for_another_organisations_assignment(client: TestClient, engine: Engine, clock: Clock) -> None:
    make_user(engine, "heat", Role.executor, now=clock.now, org="btve")
    make_user(engine, "lifts", Role.executor, now=clock.now, org="lift")
    with Session(engine) as session:
        appeal = make_registered(session, Actor(None, Role.operator), now=clock.now)
        [issue] = issues_of(session, appeal.id or 0)
        transition_issue(session, issue.id or 0, IssueAction.assign, actor=SYSTEM, now=clock.now)
        assert issue.executor_id == executor(session, "btve").id
    own = client.get(f"/api/executor/assignments/{issue.id}", headers=token_for(client, "heat"))
    assert own.status_code == 200
    assert own.json()["contact_phone"] == "+380 50 123 4567"  # urgent category: the crew may need to call
    foreign = token_for(client, "lifts")
    for response in (
        client.get(f"/api/executor/assignments/{issue.id}", headers=foreign),
        client.get(f"/api/issues/{issue.id}", headers=foreign),
        client.post(f"/api/issues/{issue.id}/transitions", headers=foreign, json={"action": "accept"}),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] in ("assignment_not_found", "issue_not_found")
    assert client.get("/api/executor/assignments", headers=foreign).json() == []


@pytest.mark.parametrize("path", ["/openapi.json", "/healthz"])
def test_public_routes_need_no_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200
