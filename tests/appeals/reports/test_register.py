"""The overdue and attention register as of 1 Dec 2026 08:00 UTC (figures derived by hand, see scenario.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from appeals.reports.register import overdue_register
from appeals.reports.scope import month_filter
from tests.appeals.reports.scenario import NOW
from tests.factories import executor


def test_overdue_sorted_by_days_and_attention_list(rsession: Session) -> None:
    report = overdue_register(rsession, month_filter(2026, 11), now=NOW)
    overdue = report.table("overdue").rows
    assert [(r["number"], r["executor"], r["days_overdue"]) for r in overdue] == [
        ("БР-2026-000005/1", "Броварський ліфт", 13),  # A4: due 17 Nov 23:59:59 Kyiv
        ("БР-2026-000004/1", "Броваритепловодоенергія", 5),  # A9: due 25 Nov 23:59:59 Kyiv
    ]
    assert overdue[0]["due_at"] == datetime(2026, 11, 17, 21, 59, 59, tzinfo=UTC)
    assert overdue[0]["status"] == "В роботі"
    assert overdue[1]["address"] == "вул. Симона Петлюри, 5"
    [veteran] = report.table("attention").rows
    assert veteran["number"] == "БР-2026-000007/1"  # A8: SLA (25 Nov) passed, statutory due 7 Dec (5 Dec is a Saturday)
    assert (veteran["hours_left"], veteran["sla_breached"], veteran["priority"], veteran["days_overdue"]) == (158.0, True, True, None)
    assert report.table("by_executor").rows == [
        {"executor": "Броваритепловодоенергія", "overdue": 1, "attention": 0, "priority": 0},
        {"executor": "Броварський ліфт", "overdue": 1, "attention": 0, "priority": 0},
        {"executor": "КК «Масив»", "overdue": 0, "attention": 1, "priority": 1},
    ]
    assert report.scope == "станом на 01.12.2026 10:00"


def test_register_filters_by_executor(rsession: Session) -> None:
    lift = executor(rsession, "lift").id
    report = overdue_register(rsession, month_filter(2026, 11, executor_id=lift), now=NOW)
    assert [r["number"] for r in report.table("overdue").rows] == ["БР-2026-000005/1"]
    assert report.table("attention").rows == []
    assert report.scope == "станом на 01.12.2026 10:00; виконавець: Броварський ліфт (з підлеглими)"
