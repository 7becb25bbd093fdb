"""Reference data over HTTP: categories, street autocomplete, the work calendar that deadlines follow."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from appeals.models import Role
from tests.conftest import Clock
from tests.factories import building, category, make_user, token_for


@pytest.fixture
def tokens(client: TestClient, engine: Engine, clock: Clock) -> dict[str, dict[str, str]]:
    make_user(engine, "op", Role.operator, now=clock.now)
    make_user(engine, "adm", Role.admin, now=clock.now)
    return {"op": token_for(client, "op"), "adm": token_for(client, "adm")}


def test_street_autocomplete_understands_prefixes_and_former_names(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    hits = client.get("/api/streets", params={"q": "вул. Гагаріна"}, headers=tokens["op"]).json()
    assert hits[0]["label"] == "вулиця Героїв України"
    assert hits[0]["matched_alias"] == "Гагаріна"
    street_id = client.get("/api/streets", params={"q": "київськ"}, headers=tokens["op"]).json()[0]["id"]
    houses = [b["house"] for b in client.get(f"/api/streets/{street_id}/buildings", headers=tokens["op"]).json()]
    assert houses[:8] == ["1", "2", "3", "4", "5", "6", "7", "7-А"]


def test_categories_are_a_tree_with_deadline_rules(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    categories = client.get("/api/categories", headers=tokens["op"]).json()
    by_code = {c["code"]: c for c in categories}
    assert by_code["gas_smell"]["emergency_class"] == "emergency"
    assert (by_code["gas_smell"]["sla_value"], by_code["gas_smell"]["sla_unit"]) == (1, "hours")
    assert by_code["gas_smell"]["parent_id"] == by_code["energy"]["id"]


def test_admin_edits_the_calendar_and_new_deadlines_follow_it(
    client: TestClient, tokens: dict[str, dict[str, str]], engine: Engine
) -> None:
    assert (
        client.put("/api/calendar/2026-12-09", json={"is_working": False, "note": "вихідний (зразок)"}, headers=tokens["op"]).status_code
        == 403
    )
    assert (
        client.put("/api/calendar/2026-12-09", json={"is_working": False, "note": "вихідний (зразок)"}, headers=tokens["adm"]).status_code
        == 200
    )
    days = {
        d["day"]: d for d in client.get("/api/calendar", params={"start": "2026-12-07", "end": "2026-12-13"}, headers=tokens["op"]).json()
    }
    assert days["2026-12-09"] == {"day": "2026-12-09", "is_working": False, "note": "вихідний (зразок)", "override": True}
    assert days["2026-12-12"]["is_working"] is False
    with Session(engine) as session:
        issue = {
            "category_id": category(session, "no_heating").id,
            "building_id": building(session, "Київська", "2").id,
            "description": "холодно",
        }
    body = {
        "caller": "0501234567",
        "applicant_name": "Бондар Марія",
        "applicant_address": "вул. Київська, 2",
        "issues": [issue],
        "register": True,
    }
    appeal = client.post("/api/appeals", json=body, headers=tokens["op"]).json()
    assert appeal["issues"][0]["due_at"].startswith("2026-12-10")  # 9 Dec is now a day off


def test_admin_adds_a_category_and_a_duplicate_code_conflicts(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    body = {"code": "bees", "name": "Рій бджіл у під'їзді", "emergency_class": "urgent", "sla_value": 12, "sla_unit": "hours"}
    created = client.post("/api/categories", json=body, headers=tokens["adm"])
    assert created.status_code == 201
    again = client.post("/api/categories", json=body, headers=tokens["adm"])
    assert (again.status_code, again.json()["error"]["code"]) == (409, "category_exists")
    nonsense = client.post("/api/categories", json={**body, "code": "x y"}, headers=tokens["adm"])
    assert nonsense.status_code == 422
