"""Migrations build exactly the models' schema on SQLite and PostgreSQL, and run again harmlessly."""

from __future__ import annotations

from alembic import command
from alembic.util.exc import CommandError

from callcenter.wiring import alembic_config, upgrade_database
from tests.conftest import Backend


def test_models_and_migrations_agree(backend: Backend) -> None:
    config = alembic_config(backend.url)
    try:
        command.check(config)
    except CommandError as exc:  # pragma: no cover - the message is the diff
        raise AssertionError(f"models differ from migrations on {backend.name}: {exc}") from exc


def test_upgrade_is_idempotent(backend: Backend) -> None:
    upgrade_database(backend.url)
    upgrade_database(backend.url)
