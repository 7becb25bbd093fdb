"""Registration numbers unique per year (`БР-2026-000123`), issued by one atomic upsert."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

_UPSERT = text(
    "INSERT INTO registration_counter (prefix, year, value) VALUES (:prefix, :year, 1) ON CONFLICT (prefix, year) DO UPDATE SET value = registration_counter.value + 1 RETURNING value"
)


def next_registration_number(session: Session, prefix: str, year: int) -> str:
    """The next number for `prefix` and `year`.

    The upsert takes a row lock on PostgreSQL (and the write lock on SQLite), so parallel registrations
    never get the same number; a rolled-back registration leaves a gap, which the register tolerates.
    """
    value = session.execute(_UPSERT, {"prefix": prefix, "year": year}).scalar_one()
    return f"{prefix}-{year}-{value:06d}"
