"""Infrastructure fixtures: real SQLite and PostgreSQL (every DB test runs on both), real Redis, the API client."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session, SQLModel
from starlette.testclient import TestClient

from agent_console.app import AppConfig, create_app
from agent_console.deps import get_now
from appeals.seeding import seed_reference
from callcenter.wiring import upgrade_database
from runtime.db import build_engine

PG_ADMIN_URL = os.environ.get("CALLCENTER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CALLCENTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
SECRET = "test-secret-key-0123456789"
REFERENCE_TABLES = frozenset({"executor", "executor_role", "category", "role_binding", "street", "building", "alembic_version"})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session", autouse=True)
def _own_redis_db() -> Iterator[None]:
    """Claim REDIS_URL's DB index for this test session: the tests flush it, so a second test run on the same index
    (another checkout, a helper's run) would wipe this one's streams mid-test. The claim lives in DB 0, which no test
    flushes; a claim left by a dead process is taken over."""
    base, _, db = REDIS_URL.partition("?")[0].rpartition("/")
    index = int(db) if db.isdigit() else 0
    registry = redis.Redis.from_url(f"{base}/0" if db.isdigit() else REDIS_URL, decode_responses=True, socket_timeout=5)
    key, me = f"cc:test:db-claim:{index}", str(os.getpid())
    try:
        holder = str(registry.set(key, me, nx=True, ex=7200, get=True) or "") or None
        if holder is not None and holder != me and _alive(int(holder)):
            pytest.exit(
                f"Redis DB {index} is in use by another test run (pid {holder}): set CALLCENTER_TEST_REDIS_URL to another index",
                returncode=3,
            )
        registry.set(key, me, ex=7200)
        yield
    finally:
        if registry.get(key) == me:
            registry.delete(key)
        registry.close()


@dataclass
class Clock:
    """The time the API and use cases see; tests move it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 24, 9, 30, tzinfo=UTC))

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Backend:
    name: str
    url: str
    engine: Engine


def _create_pg_database() -> tuple[str, Engine]:
    name = f"cc_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    return url, admin


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """A migrated, seeded database per backend for the whole session."""
    admin: Engine | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url, admin = _create_pg_database()
    upgrade_database(url)
    engine = build_engine(url)
    with Session(engine) as session:
        seed_reference(session)
    yield Backend(request.param, url, engine)
    engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()


def truncate_case_tables(engine: Engine) -> None:
    tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in reversed(tables):
                conn.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608 - table names come from our metadata
            conn.execute(text("PRAGMA foreign_keys=ON"))


@pytest.fixture
def engine(backend: Backend) -> Engine:
    """The backend's engine with every case table empty (reference data stays seeded)."""
    truncate_case_tables(backend.engine)
    return backend.engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    """The real Redis server, on its own DB index, flushed before and after."""
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True, socket_timeout=5)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def app_config() -> AppConfig:
    return AppConfig(secret_key=SECRET, reg_prefix="БР")


@pytest.fixture
def client(engine: Engine, redis_client: redis.Redis, clock: Clock, app_config: AppConfig) -> Iterator[TestClient]:
    app = create_app(app_config, engine=engine, redis_client=redis_client, drain_outbox_in_background=False)
    app.dependency_overrides[get_now] = lambda: clock.now
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
