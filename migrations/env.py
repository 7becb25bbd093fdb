"""Alembic environment: migrates `SQLModel.metadata` of the appeals core on SQLite or PostgreSQL."""

from __future__ import annotations

import os
from typing import Any, Literal

from alembic import context
from sqlmodel import SQLModel

import appeals.models  # noqa: F401 - registers the tables on SQLModel.metadata
from appeals.models.base import StrEnumColumn
from runtime.db import build_engine

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, _autogen_context: Any) -> str | Literal[False]:
    """Our StrEnum columns are plain VARCHAR(32) in the database: render them so."""
    if type_ == "type" and isinstance(obj, StrEnumColumn):
        return "sa.String(length=32)"
    return False


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("CALLCENTER_DATABASE_URL", "")
    if not url:
        msg = "No database URL: set CALLCENTER_DATABASE_URL or run `callcenter db upgrade`"
        raise RuntimeError(msg)
    return url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True, compare_type=True, render_item=render_item
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=True, render_item=render_item
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = build_engine(_url(), pool_size=1)
    with engine.connect() as conn:
        context.configure(
            connection=conn, target_metadata=target_metadata, render_as_batch=True, compare_type=True, render_item=render_item
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
