"""Regressions for the 5xx that schemathesis found (tests/agent_console/test_openapi_fuzz.py): each answered 500."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from appeals.models import Role
from tests.conftest import Clock
from tests.factories import make_user, token_for


@pytest.fixture
def admin(client: TestClient, engine: Engine, clock: Clock) -> dict[str, str]:
    make_user(engine, "adm", Role.admin, now=clock.now)
    return token_for(client, "adm")


def test_creating_a_user_returns_the_new_user(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        "/api/users", json={"username": "op7", "password": "pw-1234", "role": "operator", "extension": "PJSIP/op107"}, headers=admin
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["username"], body["role"], body["extension"], body["is_active"]) == ("op7", "operator", "PJSIP/op107", True)
    assert isinstance(body["id"], int)


@pytest.mark.parametrize(("path", "param"), [("/api/notifications", "status"), ("/api/mail/messages", "outcome")])
def test_an_unknown_filter_value_is_a_422_naming_the_parameter(client: TestClient, admin: dict[str, str], path: str, param: str) -> None:
    response = client.get(path, params={param: "null"}, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"
    assert param in response.json()["error"]["fields"]


def test_a_petition_in_an_unknown_category_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    body = {"title": "Облаштувати сквер", "text": "Текст", "author_name": "Іван", "author_email": "i@example.org", "category_id": 999999}
    response = client.post("/api/petitions", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "category_unknown"


def test_petitions_with_an_empty_external_id_are_distinct(client: TestClient, admin: dict[str, str]) -> None:
    body = {"title": "Облаштувати сквер", "text": "Текст", "author_name": "Іван", "author_email": "i@example.org", "external_id": ""}
    first = client.post("/api/petitions", json=body, headers=admin)
    second = client.post("/api/petitions", json={**body, "title": "Відремонтувати дорогу"}, headers=admin)
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert first.json()["id"] != second.json()["id"]
    assert second.json()["external_id"] is None


@pytest.fixture
def operator(client: TestClient, engine: Engine, clock: Clock) -> dict[str, str]:
    make_user(engine, "op", Role.operator, now=clock.now)
    return token_for(client, "op")


def test_appeal_search_takes_empty_filters_and_refuses_unknown_ones(client: TestClient, operator: dict[str, str]) -> None:
    empty = client.get("/api/appeals", params={"phone": "", "status": "", "channel": "", "q": ""}, headers=operator)
    assert empty.status_code == 200, empty.text
    for param in ("status", "channel"):
        response = client.get("/api/appeals", params={param: "null"}, headers=operator)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == f"{param}_unknown"


def test_appeal_search_by_creation_time_is_audited(client: TestClient, operator: dict[str, str]) -> None:
    response = client.get(
        "/api/appeals", params={"created_from": "2026-01-01T00:00:00Z", "created_to": "2027-01-01T00:00:00Z"}, headers=operator
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "total": 0}


def test_drafts_with_an_empty_idempotency_key_are_distinct(client: TestClient, operator: dict[str, str]) -> None:
    body = {"caller": "0501234567", "issues": [], "idempotency_key": ""}
    first = client.post("/api/appeals", json=body, headers=operator)
    second = client.post("/api/appeals", json=body, headers=operator)
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert first.json()["id"] != second.json()["id"]


def test_a_citizen_in_an_unknown_building_is_refused(client: TestClient, operator: dict[str, str]) -> None:
    response = client.post("/api/citizens", json={"full_name": "Петренко Ольга", "phones": [], "building_id": 999999}, headers=operator)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "building_unknown"


def test_a_callback_for_an_unknown_appeal_is_refused(client: TestClient, operator: dict[str, str]) -> None:
    response = client.post("/api/callbacks", json={"phone": "0501234567", "appeal_id": 999999, "comment": ""}, headers=operator)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "appeal_unknown"


def test_an_unknown_incident_status_is_a_422(client: TestClient, operator: dict[str, str]) -> None:
    response = client.get("/api/incidents", params={"status": "null"}, headers=operator)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize(("path", "param"), [("/api/callbacks", "status"), ("/api/callbacks", "kind"), ("/api/petitions", "status")])
def test_unknown_list_filters_are_a_422(client: TestClient, engine: Engine, clock: Clock, path: str, param: str) -> None:
    make_user(engine, "sup", Role.supervisor, now=clock.now)
    response = client.get(path, params={param: "null"}, headers=token_for(client, "sup"))
    assert response.status_code == 422, response.text
    assert param in response.json()["error"]["fields"]


def test_a_number_beyond_the_database_range_is_a_422(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post("/api/routing-rules", json={"category_id": 2**63, "executor_id": 1}, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "value_out_of_range"


def test_patching_a_citizen_with_nulls_clears_or_refuses(client: TestClient, operator: dict[str, str]) -> None:
    created = client.post(
        "/api/citizens", json={"full_name": "Петренко Ольга", "phones": [], "address_text": "вул. Київська, 1"}, headers=operator
    )
    citizen_id = created.json()["id"]
    cleared = client.patch(f"/api/citizens/{citizen_id}", json={"address_text": None, "privileges": None}, headers=operator)
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["address_text"], cleared.json()["privileges"]) == ("", [])
    refused = client.patch(f"/api/citizens/{citizen_id}", json={"full_name": None}, headers=operator)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "name_required"


def test_an_answer_naming_an_issue_of_no_appeal_is_refused(
    client: TestClient, engine: Engine, clock: Clock, operator: dict[str, str]
) -> None:
    draft = client.post("/api/appeals", json={"caller": "0501234567", "issues": []}, headers=operator).json()
    make_user(engine, "sup", Role.supervisor, now=clock.now)
    response = client.post(
        f"/api/appeals/{draft['id']}/answers",
        json={"text": "Відповідь", "channel": "phone", "issue_id": 999999},
        headers=token_for(client, "sup"),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "issue_not_in_appeal"


@pytest.mark.parametrize("request_id", ["%C2%B2", "99999999999999999999999"])
def test_open311_request_ids_that_are_not_plain_numbers_are_not_found(client: TestClient, request_id: str) -> None:
    response = client.get(f"/open311/v2/requests/{request_id}.json")
    assert response.status_code == 404, response.text
