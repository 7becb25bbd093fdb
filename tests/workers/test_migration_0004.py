"""Migration 0004 on a database that already holds appeals: rebuilding `issue` for its incident key loses nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlmodel import Session

from appeals.actors import Actor
from appeals.models import Role
from appeals.seeding import seed_reference
from callcenter.wiring import alembic_config
from runtime.db import build_engine
from tests.conftest import Clock
from tests.factories import make_registered


def test_sqlite_upgrade_keeps_issues_and_the_rows_that_point_at_them(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    command.upgrade(alembic_config(url), "0001")
    engine = build_engine(url)
    with Session(engine) as session:
        seed_reference(session)
        for _ in range(3):
            make_registered(session, Actor(None, Role.operator), now=clock.now)  # registration touches only 0001 tables
    engine.dispose()
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO assignment (issue_id, executor_id, state, is_override, assigned_at, result_text) VALUES (2, 2, 'new', 0, '2026-11-24 09:30:00', '')"
        )
        before = db.execute("SELECT id, appeal_id, status, description FROM issue ORDER BY id").fetchall()
    command.upgrade(alembic_config(url), "head")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT id, appeal_id, status, description FROM issue ORDER BY id").fetchall() == before
        assert db.execute("SELECT issue_id FROM assignment").fetchall() == [(2,)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        keys = db.execute("PRAGMA foreign_key_list(issue)").fetchall()
        assert any(row[2] == "incident" and row[3] == "incident_id" for row in keys)
    command.downgrade(alembic_config(url), "0001")
    with sqlite3.connect(path) as db:
        assert len(db.execute("SELECT id FROM issue").fetchall()) == 3
