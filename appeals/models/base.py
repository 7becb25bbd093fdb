"""Column helpers shared by the table modules."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


def utcnow() -> datetime:
    """The current instant, aware, in UTC (defaults only; use cases take `now`)."""
    return datetime.now(UTC)


class StrEnumColumn(TypeDecorator[StrEnum]):
    """A StrEnum stored as a short string (adding a value needs no migration), loaded back as the enum."""

    impl = String(32)
    cache_ok = True

    def __init__(self, enum: type[StrEnum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:  # noqa: ARG002 - SQLAlchemy signature
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:  # noqa: ARG002 - SQLAlchemy signature
        return None if value is None else self.enum(value)

    def __repr__(self) -> str:
        return "sa.String(length=32)"


def enum_field(default: StrEnum, *, index: bool = False) -> Any:
    """A StrEnum column; the enum class is taken from the default."""
    return Field(default=default, sa_type=StrEnumColumn(type(default)), index=index, nullable=False)


def json_list() -> Any:
    return Field(default_factory=list, sa_type=JSON)


def json_dict() -> Any:
    return Field(default_factory=dict, sa_type=JSON)
