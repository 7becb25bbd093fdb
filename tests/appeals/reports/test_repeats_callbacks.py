"""Repeat/reopen rates, chronic addresses and the callback report on the November data set (derived by hand)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from appeals.reports.callback_desk import callback_report
from appeals.reports.model import Cell
from appeals.reports.repeats import repeats
from appeals.reports.scope import month_filter
from tests.appeals.reports.scenario import NOW


def _measures(rows: list[dict[str, Cell]]) -> dict[Cell, Cell]:
    return {r["measure"]: r["value"] for r in rows}


def test_repeat_and_reopen_rates(rsession: Session) -> None:
    report = repeats(rsession, month_filter(2026, 11), now=NOW)
    assert _measures(report.table("summary").rows) == {
        "Зареєстровано звернень": 9,
        "Повторних": 1,
        "Частка повторних, %": 11.1,
        "Закрито питань": 5,
        "Відкрито повторно": 1,
        "Частка повторно відкритих, %": 20.0,
    }
    assert report.table("repeated").rows == [
        {"number": "БР-2026-000004", "previous": "БР-2026-000001", "registered_at": datetime(2026, 11, 10, 10, tzinfo=UTC)}
    ]
    assert report.table("chronic").rows == [
        {
            "address": "вул. Симона Петлюри, 5",
            "category": "Відсутність опалення в квартирі",
            "issues": 3,
            "last_registered_at": datetime(2026, 11, 10, 10, tzinfo=UTC),
        }
    ]


def test_callback_report(rsession: Session) -> None:
    report = callback_report(rsession, month_filter(2026, 11), now=NOW)
    assert report.table("by_kind").rows == [
        {
            "kind": "Підтвердження виконання",
            "created": 4,
            "attempts": 6,
            "reached": 3,
            "reach_pct": 50.0,
            "closed": 4,
            "attempts_per_task": 1.5,
            "first_attempt_median_h": 3.0,
        },
        {
            "kind": "Пропущений дзвінок",
            "created": 1,
            "attempts": 1,
            "reached": 1,
            "reach_pct": 100.0,
            "closed": 1,
            "attempts_per_task": 1.0,
            "first_attempt_median_h": 2.0,
        },
    ]
    assert _measures(report.table("verification").rows) == {
        "Спроб перевірки виконання": 6,
        "Дозвонів": 3,
        "% дозвону": 50.0,
        "Підтверджено": 2,
        "Не підтверджено": 1,
        "% підтверджень": 66.7,
        "% спростувань": 33.3,
        "Закрито після перевірки": 3,
        "З них без підтвердження, %": 33.3,
    }
    assert report.table("by_agent").rows == [{"agent": "cb", "attempts": 7, "reached": 4, "confirmed": 2, "disputed": 1}]
    assert report.table("by_executor").rows == [
        {"executor": "Броваритепловодоенергія", "attempts": 6, "confirmed": 2, "disputed": 1, "confirmation_pct": 66.7}
    ]
