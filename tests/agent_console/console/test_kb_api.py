"""Knowledge base over the API on SQLite and PostgreSQL: CRUD by role, search in any inflection, uses counted."""

from __future__ import annotations

from sqlalchemy import Engine
from starlette.testclient import TestClient

from appeals.models import Role
from tests.conftest import Clock
from tests.factories import make_user, token_for


def test_articles_are_found_by_any_inflection_and_uses_are_counted(client: TestClient, engine: Engine, clock: Clock) -> None:
    make_user(engine, "kb_admin", Role.admin, now=clock.now)
    make_user(engine, "kb_op", Role.operator, now=clock.now)
    admin, op = token_for(client, "kb_admin"), token_for(client, "kb_op")
    heat = client.post(
        "/api/kb/articles",
        headers=admin,
        json={
            "title": "Графік опалювального сезону",
            "body": "Подача тепла починається після трьох днів холодної погоди.",
            "category_ids": [6],
        },
    )
    assert heat.status_code == 201, heat.text
    client.post("/api/kb/articles", headers=admin, json={"title": "Вивезення сміття", "body": "Графік вивезення побутових відходів."})
    found = client.get("/api/kb/articles", params={"q": "опалювальним сезоном"}, headers=op).json()
    assert [a["title"] for a in found] == ["Графік опалювального сезону"]
    both = client.get("/api/kb/articles", params={"q": "графіка"}, headers=op).json()
    assert len(both) == 2
    assert client.post("/api/kb/articles", headers=op, json={"title": "x", "body": "y"}).status_code == 403
    bad = client.post("/api/kb/articles", headers=admin, json={"title": "x", "body": ""})
    assert bad.status_code == 422
    article_id = heat.json()["id"]
    assert client.post(f"/api/kb/articles/{article_id}/uses", headers=op, json={}).status_code == 201
    assert client.get(f"/api/kb/articles/{article_id}", headers=op).json()["uses"] == 1
    edited = client.put(
        f"/api/kb/articles/{article_id}", headers=admin, json={"title": "Опалення: графік", "body": "Нове", "is_active": False}
    )
    assert edited.json()["is_active"] is False
    assert client.get("/api/kb/articles", params={"q": "опалення"}, headers=op).json() == []
    assert client.get("/api/kb/articles/999999", headers=op).status_code == 404
