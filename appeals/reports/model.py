"""The shape every report has: definitions shown beside the figures, tables of rows, and chart series."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ColumnKind = Literal["text", "int", "float", "pct", "hours", "date", "datetime", "flag"]
Cell = str | int | float | bool | datetime | None


@dataclass(frozen=True)
class Column:
    """One column: a stable key (CSV header, JSON field), a Ukrainian label and how to format it."""

    key: str
    label: str
    kind: ColumnKind = "int"


@dataclass(frozen=True)
class Definition:
    """A term shown in the report and the rule it is computed by."""

    term: str
    rule: str


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Cell]]
    total: dict[str, Cell] | None = None
    note: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]


@dataclass(frozen=True)
class Chart:
    """Data for a server-rendered chart: `bar` (horizontal, one series) or `columns` (by day, several series)."""

    key: str
    title: str
    kind: Literal["bar", "columns"]
    labels: list[str]
    series: list[Series]
    unit: str = ""


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    scope: str
    definitions: list[Definition]
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)

    def table(self, key: str) -> Table:
        """The table with this key.

        Raises:
            KeyError: the report has no such table.
        """
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


def column(key: str, label: str, kind: ColumnKind = "int") -> Column:
    return Column(key, label, kind)
