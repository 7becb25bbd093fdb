"""The executor performance card on the November data set: every figure derived by hand (see scenario.py)."""

from __future__ import annotations

from sqlmodel import Session

from appeals.reports.executors import executor_card
from appeals.reports.scope import month_filter
from tests.appeals.reports.scenario import NOW


def test_card_per_executor_and_total(rsession: Session) -> None:
    report = executor_card(rsession, month_filter(2026, 11), now=NOW)
    table = report.table("executors")
    rows = {r["executor"]: r for r in table.rows}
    assert set(rows) == {"Броваритепловодоенергія", "Броварський ліфт", "Дороги і транспорт"}
    heat = rows["Броваритепловодоенергія"]
    assert heat == {
        "executor": "Броваритепловодоенергія",
        "received": 4,
        "accepted_on_time": 3,
        "accepted_on_time_pct": 75.0,
        "closed": 4,
        "closed_on_time": 3,
        "closed_late": 1,
        "open_overdue": 1,
        "on_time_pct": 60.0,
        "resolution_avg_h": 152.5,
        "resolution_median_h": 40.0,
        "accept_median_h": 1.0,
        "reported_done": 3,
        "rework_pct": 33.3,
        "rework_1": 1,
        "rework_2": 0,
        "rework_3plus": 0,
        "confirmed": 2,
        "disputed": 1,
        "confirmation_pct": 66.7,
        "veracity_pct": 75.0,
        "satisfaction_avg": 3.67,
        "satisfaction_4plus_pct": 66.7,
        "done_reports": 4,
        "explained_reports": 1,
        "postponed": 0,
    }
    lift = rows["Броварський ліфт"]
    assert (lift["received"], lift["accepted_on_time"], lift["closed"], lift["open_overdue"], lift["on_time_pct"]) == (1, 0, 0, 1, 0.0)
    assert lift["accept_median_h"] == 24.0
    roads = rows["Дороги і транспорт"]
    assert (roads["closed"], roads["closed_on_time"], roads["on_time_pct"], roads["resolution_avg_h"], roads["explained_reports"]) == (
        1,
        1,
        100.0,
        218.0,
        2,
    )
    total = table.total
    assert total is not None
    assert (total["received"], total["accepted_on_time"], total["closed"], total["closed_on_time"], total["open_overdue"]) == (
        6,
        4,
        5,
        4,
        2,
    )
    assert (total["on_time_pct"], total["resolution_avg_h"], total["resolution_median_h"], total["accept_median_h"]) == (
        57.1,
        165.6,
        51.0,
        2.0,
    )


def test_executor_filter_rolls_up_to_the_parent(rsession: Session) -> None:
    from tests.factories import executor

    parent = executor(rsession, "ubzhkgit").id  # the department over the communal enterprises
    rolled = executor_card(rsession, month_filter(2026, 11, executor_id=parent), now=NOW).table("executors")
    assert [r["executor"] for r in rolled.rows] == ["Броваритепловодоенергія", "Броварський ліфт", "Дороги і транспорт"]
    assert rolled.total is not None
    assert (rolled.total["closed"], rolled.total["open_overdue"], rolled.total["on_time_pct"]) == (5, 2, 57.1)
    lift = executor_card(rsession, month_filter(2026, 11, executor_id=executor(rsession, "lift").id), now=NOW).table("executors")
    assert [r["executor"] for r in lift.rows] == ["Броварський ліфт"]
    assert lift.total is not None
    assert lift.total["open_overdue"] == 1
