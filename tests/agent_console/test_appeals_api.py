"""The appeals API in the shapes ARCHITECTURE.md pins, driven as an operator, a supervisor and an executor would."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from appeals.models import AuditEvent, Role
from tests.conftest import Clock
from tests.factories import building, category, make_user, token_for


@pytest.fixture
def staff(client: TestClient, engine: Engine, clock: Clock) -> dict[str, dict[str, str]]:
    for name, role in (("op", Role.operator), ("sup", Role.supervisor), ("crew", Role.executor), ("boss", Role.head)):
        make_user(engine, name, role, now=clock.now)
    return {name: token_for(client, name) for name in ("op", "sup", "crew", "boss")}


def _issue(engine: Engine, code: str = "no_heating", street: str = "Симона Петлюри", house: str = "5") -> dict[str, object]:
    with Session(engine) as session:
        return {
            "category_id": category(session, code).id,
            "building_id": building(session, street, house).id,
            "description": "Холодні батареї, третій день",
        }


def _create(client: TestClient, headers: dict[str, str], engine: Engine, **extra: object) -> dict[str, object]:
    body = {
        "caller": "050 123 45 67",
        "applicant_name": "Іваненко Петро Іванович",
        "applicant_address": "вул. Симона Петлюри, 5, кв. 3",
        "issues": [_issue(engine)],
        **extra,
    }
    response = client.post("/api/appeals", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_register_through_the_api_returns_the_contract_shape(client: TestClient, staff: dict[str, dict[str, str]], engine: Engine) -> None:
    draft = _create(client, staff["op"], engine)
    assert (draft["status"], draft["number"], draft["caller"]) == ("draft", None, "+380501234567")
    registered = client.post(f"/api/appeals/{draft['id']}/register", headers=staff["op"]).json()
    assert isinstance(registered["id"], int)
    assert registered["number"] == "БР-2026-000001"
    assert registered["status"] == "registered"
    assert registered["channel"] == "phone"
    assert registered["caller_display"] == "+380 50 123 4567"
    assert isinstance(registered["citizen_id"], int)
    assert registered["call_ids"] == []
    datetime.fromisoformat(registered["created_at"])
    [issue] = registered["issues"]
    assert issue["number"] == "БР-2026-000001/1"
    assert issue["category_name"] == "Відсутність опалення в квартирі"
    assert issue["address"] == "вул. Симона Петлюри, 5"
    assert issue["executor_name"] == "Броваритепловодоенергія"
    assert issue["status"] == "registered"
    assert issue["due_at"].startswith("2026-12-09T")
    assert issue["overdue"] is False


def test_create_and_register_in_one_request_or_keep_nothing(client: TestClient, staff: dict[str, dict[str, str]], engine: Engine) -> None:
    done = _create(client, staff["op"], engine, register=True)
    assert done["status"] == "registered"
    bad = client.post("/api/appeals", json={"caller": "0509998877", "issues": [_issue(engine)], "register": True}, headers=staff["op"])
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "appeal_incomplete"
    assert set(bad.json()["error"]["fields"]) == {"applicant_name", "applicant_address"}
    assert client.get("/api/appeals", headers=staff["op"]).json()["total"] == 1


def test_validation_errors_carry_codes_for_programs_and_ukrainian_for_the_operator(
    client: TestClient, staff: dict[str, dict[str, str]], engine: Engine
) -> None:
    incomplete = client.post("/api/appeals", json={"caller": "0509998877", "issues": [{}], "register": True}, headers=staff["op"])
    error = incomplete.json()["error"]
    assert (incomplete.status_code, error["code"]) == (422, "appeal_incomplete")
    assert error["fields"] == {
        "issues.0.category_id": "required",
        "issues.0.description": "required",
        "applicant_name": "required",
        "applicant_address": "required",
    }
    assert error["field_messages"]["applicant_name"] == "Вкажіть ПІБ заявника (ст. 5) або позначте звернення анонімним"
    assert error["field_messages"]["issues.0.category_id"] == "Оберіть категорію питання"
    assert error["message"].startswith("Звернення не можна зареєструвати: оберіть категорію питання")
    malformed = client.post("/api/appeals", json={"channel": "pigeon"}, headers=staff["op"]).json()["error"]
    assert (malformed["code"], malformed["fields"]["channel"]) == ("validation_failed", "enum")
    assert malformed["field_messages"]["channel"].startswith("Допустимі значення: ")
    assert malformed["message"].startswith("Некоректний запит: ")
    unknown = client.post("/api/appeals", json={"issues": [{"category_id": 999_999}]}, headers=staff["op"]).json()["error"]
    assert (unknown["code"], unknown["fields"], unknown["field_messages"]) == (
        "category_unknown",
        {"category_id": "unknown"},
        {"category_id": "Такого запису немає в довіднику"},
    )
    assert unknown["message"] == "Категорії 999999 немає в довіднику або її вилучено"


def test_list_filters_by_phone_in_any_format_status_text_and_paging(
    client: TestClient, staff: dict[str, dict[str, str]], engine: Engine
) -> None:
    first = _create(client, staff["op"], engine, register=True)
    lift = {**_issue(engine, "lift_broken"), "description": "Ліфт стоїть з ранку"}
    _create(client, staff["op"], engine, caller="+380 67 000 11 22", summary="Ліфт", issues=[lift])
    listing = client.get("/api/appeals", headers=staff["op"]).json()
    assert set(listing) == {"items", "total"}
    assert listing["total"] == 2  # drafts are included unless status filters
    for phone in ("0501234567", "+380 50 123 45 67", "380501234567"):
        found = client.get("/api/appeals", params={"phone": phone}, headers=staff["op"]).json()
        assert [a["id"] for a in found["items"]] == [first["id"]]
    assert client.get("/api/appeals", params={"status": "draft"}, headers=staff["op"]).json()["total"] == 1
    assert client.get("/api/appeals", params={"q": "ЛІФТ"}, headers=staff["op"]).json()["total"] == 1
    assert client.get("/api/appeals", params={"q": "батареї"}, headers=staff["op"]).json()["total"] == 1
    assert client.get("/api/appeals", params={"number": "000001"}, headers=staff["op"]).json()["total"] == 1
    page = client.get("/api/appeals", params={"limit": 1, "offset": 1}, headers=staff["op"]).json()
    assert (len(page["items"]), page["total"]) == (1, 2)
    bad = client.get("/api/appeals", params={"phone": "call me"}, headers=staff["op"])
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "phone_invalid")


def test_errors_have_one_shape(client: TestClient, staff: dict[str, dict[str, str]], engine: Engine) -> None:
    missing = client.get("/api/appeals/4242", headers=staff["op"])
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "appeal_not_found", "message": "Звернення 4242 не існує або недоступне вам"}}
    done = _create(client, staff["op"], engine, register=True)
    twice = client.post(f"/api/appeals/{done['id']}/register", headers=staff["op"])
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "appeal_invalid_transition"
    malformed = client.post("/api/appeals", json={"channel": "pigeon"}, headers=staff["op"])
    assert malformed.status_code == 422
    assert malformed.json()["error"]["code"] == "validation_failed"
    assert "channel" in malformed.json()["error"]["fields"]


def test_issue_actions_through_the_api(client: TestClient, staff: dict[str, dict[str, str]], engine: Engine) -> None:
    done = _create(client, staff["op"], engine, register=True)
    issue_id = done["issues"][0]["id"]  # type: ignore[index]
    assigned = client.post(f"/api/issues/{issue_id}/transitions", json={"action": "assign"}, headers=staff["sup"])
    assert assigned.status_code == 200
    assert "accept" in client.get(f"/api/issues/{issue_id}", headers=staff["crew"]).json()["allowed_actions"]
    illegal = client.post(f"/api/issues/{issue_id}/transitions", json={"action": "confirm"}, headers=staff["sup"])
    assert illegal.status_code == 409
    assert "у стані «Передано виконавцю»" in illegal.json()["error"]["message"]
    assert "дія «підтвердити» недоступна; з цього стану можна: " in illegal.json()["error"]["message"]
    forbidden = client.post(
        f"/api/issues/{issue_id}/transitions", json={"action": "extend", "reason": "x", "new_due": "2026-12-20"}, headers=staff["sup"]
    )
    assert (forbidden.status_code, forbidden.json()["error"]["code"]) == (403, "action_forbidden")
    unknown = client.post(f"/api/issues/{issue_id}/transitions", json={"action": "teleport"}, headers=staff["sup"])
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "action_unknown")
    accepted = client.post(f"/api/issues/{issue_id}/transitions", json={"action": "accept"}, headers=staff["crew"])
    assert accepted.json()["issue"]["status"] == "in_work"
    extended = client.post(
        f"/api/issues/{issue_id}/transitions",
        json={"action": "extend", "reason": "закупівля", "new_due": "2026-12-30"},
        headers=staff["boss"],
    )
    assert extended.json()["issue"]["current_due_at"].startswith("2026-12-30")
    history = client.get(f"/api/appeals/{done['id']}", headers=staff["sup"]).json()["history"]
    assert [h["action"] for h in history][-3:] == ["assign", "accept", "extend"]
    assert history[-1]["reason"] == "закупівля"


def test_reads_of_personal_data_are_audited(client: TestClient, staff: dict[str, dict[str, str]], engine: Engine) -> None:
    done = _create(client, staff["op"], engine, register=True)
    client.get(f"/api/appeals/{done['id']}", headers=staff["sup"])
    client.get("/api/citizens/lookup", params={"phone": "0501234567"}, headers=staff["op"])
    with Session(engine) as session:
        reads = session.exec(select(AuditEvent).where(AuditEvent.pii == True)).all()  # noqa: E712
    assert {(r.action, r.entity) for r in reads} >= {("read", "appeal"), ("lookup", "citizen")}
    assert all(r.actor_id is not None and r.ip for r in reads)


def test_caller_card_lookup_accepts_any_format(client: TestClient, staff: dict[str, dict[str, str]], engine: Engine) -> None:
    _create(client, staff["op"], engine, register=True)
    card = client.get("/api/citizens/lookup", params={"phone": "+38 050 123-45-67"}, headers=staff["op"]).json()
    assert card["phone"] == "+380501234567"
    assert [c["full_name"] for c in card["citizens"]] == ["Іваненко Петро Іванович"]
    assert len(card["open_appeals"]) == 1
    withheld = client.get("/api/citizens/lookup", params={"phone": "anonymous"}, headers=staff["op"]).json()
    assert withheld["phone"] is None
    assert withheld["citizens"] == []


def test_a_retried_create_with_the_same_idempotency_key_returns_the_first_appeal(
    client: TestClient, staff: dict[str, dict[str, str]], engine: Engine
) -> None:
    body = {
        "caller": "0501234567",
        "applicant_name": "Іваненко Петро",
        "applicant_address": "вул. Київська, 1",
        "issues": [_issue(engine)],
        "register": True,
    }
    headers = {**staff["op"], "Idempotency-Key": "form-7f3a"}
    first = client.post("/api/appeals", json=body, headers=headers)
    retry = client.post("/api/appeals", json=body, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    assert retry.json()["number"] == first.json()["number"] == "БР-2026-000001"
    assert client.get("/api/appeals", headers=staff["op"]).json()["total"] == 1
