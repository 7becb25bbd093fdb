"""The public statistics: the staff reports' figures, aggregated, on the November data set (derived by hand)."""

from __future__ import annotations

from sqlmodel import Session

from appeals.reports.catalog import REPORTS, ReportOptions, build_report
from appeals.reports.public import public_statistics
from appeals.reports.scope import month_filter
from tests.appeals.reports.scenario import NOW


def test_public_statistics(rsession: Session) -> None:
    report = public_statistics(rsession, month_filter(2026, 11), now=NOW, service_level_seconds=20)
    assert {r["measure"]: r["value"] for r in report.table("overview").rows} == {
        "Питань зареєстровано": 9,
        "Питань закрито": 5,
        "Закрито вчасно, %": 57.1,
        "Прострочено відкритих на кінець періоду": 2,
        "Медіана часу вирішення, год": 51.0,
        "Задоволеність заявників (1–5)": 3.67,
        "Консультацій надано": 2,
        "Дзвінків надійшло": 10,
        "Рівень обслуговування (20 с), %": 50.0,
    }
    assert report.table("groups").rows == [
        {"group": "Житлово-комунальне господарство", "issues": 7, "closed": 4, "resolution_median_h": 40.0},
        {"group": "Дороги та транспорт", "issues": 1, "closed": 1, "resolution_median_h": 218.0},
        {"group": "Інші питання", "issues": 1, "closed": 0, "resolution_median_h": None},
    ]
    heat = report.table("executors").rows[0]
    assert heat == {
        "executor": "Броваритепловодоенергія",
        "received": 4,
        "closed": 4,
        "on_time_pct": 60.0,
        "resolution_median_h": 40.0,
        "satisfaction_avg": 3.67,
    }


def test_every_catalogued_report_builds_with_definitions(rsession: Session) -> None:
    for key, spec in REPORTS.items():
        report = build_report(key, rsession, month_filter(2026, 11), now=NOW, options=ReportOptions(service_level_seconds=30))
        assert report.key == key
        assert report.definitions, key
        assert report.tables, key
        for table in report.tables:
            keys = {c.key for c in table.columns}
            assert all(set(row) <= keys for row in table.rows), (key, table.key)
        assert spec.title


def test_names_sort_in_ukrainian_alphabetical_order() -> None:
    from appeals.reports.labels import uk_key

    assert sorted(["Інші питання", "Дороги", "Єдність", "Ґанок", "Авто", "ямки"], key=uk_key) == [
        "Авто",
        "Ґанок",
        "Дороги",
        "Єдність",
        "Інші питання",
        "ямки",
    ]
