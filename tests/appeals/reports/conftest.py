"""The November 2026 data set, built once per backend for a module of read-only report tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.appeals.reports.scenario import Scenario, build_november
from tests.conftest import Backend, truncate_case_tables


@pytest.fixture(scope="module")
def november(backend: Backend) -> Iterator[tuple[Engine, Scenario]]:
    """(engine, scenario): tests using it only read, so the month is built once per module and backend."""
    truncate_case_tables(backend.engine)
    yield backend.engine, build_november(backend.engine)
    truncate_case_tables(backend.engine)


@pytest.fixture
def rsession(november: tuple[Engine, Scenario]) -> Iterator[Session]:
    with Session(november[0]) as session:
        yield session
