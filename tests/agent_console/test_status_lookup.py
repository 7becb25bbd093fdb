"""The public status lookup: registration number + the phone's last four digits; one answer for every miss; throttled."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from appeals.actors import Actor
from appeals.models import AuditEvent, Role
from tests.conftest import Clock
from tests.factories import make_draft, make_registered

OPERATOR = Actor(None, Role.operator)


def _appeal(engine: Engine, clock: Clock, caller: str = "+380501234567") -> str:
    with Session(engine) as session:
        return make_registered(session, OPERATOR, now=clock.now, caller=caller).number or ""


def test_a_match_shows_the_public_status(client: TestClient, engine: Engine, clock: Clock) -> None:
    number = _appeal(engine, clock)
    response = client.post("/api/public/status", json={"number": number.lower().replace("000001", "1"), "phone_last4": "4567"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["number"], body["status"]) == (number, "На розгляді")
    assert [(i["category"], i["status"]) for i in body["issues"]] == [("Відсутність опалення в квартирі", "Зареєстровано")]
    assert "Іваненко" not in response.text
    with Session(engine) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "status_lookup")).first() is not None


def test_a_wrong_ending_and_an_unknown_number_get_the_same_answer(client: TestClient, engine: Engine, clock: Clock) -> None:
    number = _appeal(engine, clock)
    with Session(engine) as session:
        draft = make_draft(session, OPERATOR, now=clock.now)
    wrong = client.post("/api/public/status", json={"number": number, "phone_last4": "0000"})
    unknown = client.post("/api/public/status", json={"number": "БР-2026-999999", "phone_last4": "4567"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "status_not_found"
    assert draft.number is None
    malformed = client.post("/api/public/status", json={"number": "12345", "phone_last4": "45a7"})
    assert (malformed.status_code, malformed.json()["error"]["code"]) == (422, "status_lookup_invalid")


def test_guessing_one_number_is_locked_after_five_misses(client: TestClient, engine: Engine, clock: Clock) -> None:
    number = _appeal(engine, clock)
    for ending in ("0001", "0002", "0003", "0004", "0005"):
        assert client.post("/api/public/status", json={"number": number, "phone_last4": ending}).status_code == 404
    locked = client.post("/api/public/status", json={"number": number, "phone_last4": "4567"})
    assert (locked.status_code, locked.json()["error"]["code"]) == (429, "status_lookup_throttled")
    clock.advance(hours=1, minutes=1)
    assert client.post("/api/public/status", json={"number": number, "phone_last4": "4567"}).status_code == 200


def test_one_address_trying_many_numbers_is_locked_after_ten_misses(client: TestClient, engine: Engine, clock: Clock) -> None:
    number = _appeal(engine, clock)
    for seq in range(100, 110):
        assert client.post("/api/public/status", json={"number": f"БР-2026-{seq:06d}", "phone_last4": "1111"}).status_code == 404
    assert client.post("/api/public/status", json={"number": number, "phone_last4": "4567"}).status_code == 429


def test_the_form_page(client: TestClient, engine: Engine, clock: Clock) -> None:
    number = _appeal(engine, clock)
    assert 'name="phone_last4"' in client.get("/status").text
    found = client.post("/status", data={"number": number, "phone_last4": "4567"})
    assert found.status_code == 200
    assert f"Звернення № {number}" in found.text
    assert "Відсутність опалення в квартирі" in found.text
    missed = client.post("/status", data={"number": number, "phone_last4": "9999"})
    assert missed.status_code == 404
    assert "не знайдено" in missed.text
