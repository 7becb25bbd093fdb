"""Database engine construction: SQLite (embedded default) and PostgreSQL, with the pragmas each needs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # SQLite's built-in lower() folds ASCII only; Cyrillic names and streets need Python's.
    dbapi_connection.create_function("lower", 1, _py_lower, deterministic=True)


def _py_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def build_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout, its folder created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, json_serializer=_json_dumps, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return create_engine(url, echo=echo, json_serializer=_json_dumps, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _json_dumps(value: object) -> str:
    """JSON columns keep Cyrillic readable (and searchable) instead of \\u escapes."""
    return json.dumps(value, ensure_ascii=False)
