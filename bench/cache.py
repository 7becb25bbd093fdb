"""Generated benchmark data sets kept in their own PostgreSQL database, reused while their version matches."""

from __future__ import annotations

import sys

from sqlalchemy import create_engine, text


def cached_database(admin_url: str, name: str, version: str) -> tuple[str, bool]:
    """The URL of database `name` and whether it holds data set `version` (its `bench_meta` table says so). When it
    does not, the database is dropped and created empty, for the caller to generate into and stamp `bench_meta`."""
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine = create_engine(url)
        with engine.connect() as conn:
            ready = conn.execute(text("SELECT to_regclass('bench_meta')")).scalar()
            found = conn.execute(text("SELECT version FROM bench_meta")).scalar() if ready else None
        engine.dispose()
        if found == version:
            sys.stdout.write(f"reusing the generated data set in {name}\n")
            return url, True
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return url, False
    finally:
        admin.dispose()
