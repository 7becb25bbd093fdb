"""The category report and hot spots on the November data set (figures derived by hand, see scenario.py)."""

from __future__ import annotations

from sqlmodel import Session

from appeals.reports.categories import by_category
from appeals.reports.scope import ReportFilter, month_filter
from tests.appeals.reports.scenario import NOW
from tests.factories import category


def test_volume_share_resolution_and_sla_by_category(rsession: Session) -> None:
    report = by_category(rsession, month_filter(2026, 11), now=NOW)
    table = report.table("categories")
    rows = {r["category"]: r for r in table.rows}
    assert table.rows[0]["category"] == "Відсутність опалення в квартирі"
    assert {k: r["volume"] for k, r in rows.items()} == {
        "Відсутність опалення в квартирі": 3,
        "Низька температура в квартирі (недогрів)": 1,
        "Не працює ліфт": 1,
        "Ямковий ремонт доріг": 1,
        "Прибирання прибудинкової території": 1,
        "Прорив водогону": 1,
        "Інше питання": 1,
    }
    heating = rows["Відсутність опалення в квартирі"]
    assert (heating["share_pct"], heating["closed"], heating["resolution_avg_h"], heating["resolution_median_h"]) == (33.3, 2, 38.5, 38.5)
    assert heating["within_sla_pct"] == 100.0  # A2's SLA restarted at the rework (3 Nov 12:00 + 24 h) and the redo came at 09:00
    assert (heating["previous"], heating["trend_pct"], heating["year_ago"]) == (0, None, 0)
    assert heating["group"] == "Теплопостачання"
    assert rows["Низька температура в квартирі (недогрів)"]["within_sla_pct"] == 0.0  # 3-day SLA, explained on 23 Nov
    assert rows["Прорив водогону"]["within_sla_pct"] == 100.0  # done 3 h after a 4 h SLA started
    assert rows["Прорив водогону"]["emergency"] == "Аварійна"
    total = table.total
    assert total is not None
    assert (total["volume"], total["closed"], total["resolution_avg_h"], total["within_sla_pct"]) == (9, 5, 165.6, 80.0)
    assert total["emergency"] == "аварійних 11.1 %"


def test_hot_spots_group_by_building_without_flats(rsession: Session) -> None:
    spots = by_category(rsession, month_filter(2026, 11), now=NOW).table("hot_spots").rows
    assert spots[0] == {
        "address": "вул. Симона Петлюри, 5",
        "issues": 3,
        "top_category": "Відсутність опалення в квартирі",
        "categories": 1,
    }
    assert len(spots) == 7


def test_trend_against_the_previous_period(rsession: Session) -> None:
    december = by_category(rsession, month_filter(2026, 12), now=NOW).table("categories")
    assert december.rows == []
    week = ReportFilter(start=month_filter(2026, 11).start.replace(day=9), end=month_filter(2026, 11).start.replace(day=15))
    rows = {r["category"]: r for r in by_category(rsession, week, now=NOW).table("categories").rows}
    heating = rows["Відсутність опалення в квартирі"]
    assert (heating["volume"], heating["previous"], heating["trend_pct"]) == (1, 2, -50.0)  # A9 vs A1+A2 the week before


def test_category_filter_takes_the_subtree(rsession: Session) -> None:
    heating = category(rsession, "heating").id
    rows = by_category(rsession, month_filter(2026, 11, category_id=heating), now=NOW).table("categories").rows
    assert {r["category"]: r["volume"] for r in rows} == {
        "Відсутність опалення в квартирі": 3,
        "Низька температура в квартирі (недогрів)": 1,
    }


def test_district_and_priority_filters(rsession: Session) -> None:
    centre = by_category(rsession, month_filter(2026, 11, district="Старий центр"), now=NOW).table("categories")
    assert sorted(str(r["category"]) for r in centre.rows) == ["Інше питання", "Не працює ліфт", "Прорив водогону", "Ямковий ремонт доріг"]
    privileged = by_category(rsession, month_filter(2026, 11, priority=True), now=NOW).table("categories")
    assert [(r["category"], r["volume"]) for r in privileged.rows] == [("Прибирання прибудинкової території", 1)]
