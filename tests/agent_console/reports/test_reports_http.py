"""Reports over HTTP: JSON, the HTML fragment with charts, CSV and XLSX export (audited), filters and their errors."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from appeals.models import AuditEvent
from tests.appeals.reports.scenario import Scenario
from tests.factories import category, token_for

NOV = {"start": "2026-11-01", "end": "2026-11-30"}


def test_catalogue_and_a_report_as_json(nov_client: TestClient, boss: dict[str, str]) -> None:
    keys = [r["key"] for r in nov_client.get("/api/reports", headers=boss).json()]
    assert keys == [
        "executors",
        "categories",
        "overdue",
        "repeats",
        "callbacks",
        "emergency",
        "consultations",
        "statutory",
        "compliance",
        "operations",
    ]
    body = nov_client.get("/api/reports/executors", params=NOV, headers=boss).json()
    assert body["scope"] == "період 01.11.2026 — 30.11.2026"
    [table] = body["tables"]
    assert table["total"]["on_time_pct"] == 57.1
    assert {d["term"] for d in body["definitions"]} >= {"% вчасно (формула Києва)", "Прострочено відкритих"}
    assert body["charts"][0]["series"][0]["values"] == [60.0, 0.0, 100.0]


def test_filters_reach_the_report_and_bad_ones_are_named(
    nov_client: TestClient, boss: dict[str, str], november: tuple[Engine, Scenario]
) -> None:
    with Session(november[0]) as session:
        heating = category(session, "heating").id
    rows = nov_client.get("/api/reports/categories", params={**NOV, "category_id": heating}, headers=boss).json()["tables"][0]["rows"]
    assert {r["category"] for r in rows} == {"Відсутність опалення в квартирі", "Низька температура в квартирі (недогрів)"}
    phone_only = nov_client.get("/api/reports/statutory", params={**NOV, "channel": "email"}, headers=boss).json()["tables"][0]["rows"]
    assert phone_only[0]["current"] == 1
    backwards = nov_client.get("/api/reports/executors", params={"start": "2026-11-30", "end": "2026-11-01"}, headers=boss)
    assert backwards.status_code == 422
    assert backwards.json()["error"]["code"] == "report_period_invalid"
    unknown = nov_client.get("/api/reports/executors", params={**NOV, "category_id": 999999}, headers=boss)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "category_unknown")
    assert nov_client.get("/api/reports/nope", headers=boss).json()["error"]["code"] == "report_not_found"
    assert nov_client.get("/api/reports/executors", params={"channel": "fax"}, headers=boss).status_code == 422


def test_html_fragment_has_definitions_charts_and_kyiv_formatting(nov_client: TestClient, boss: dict[str, str]) -> None:
    html = nov_client.get("/api/reports/overdue/html", headers=boss).text
    assert "станом на 01.12.2026 10:00" in html
    assert "17.11.2026 23:59" in html  # A4's due, in Kyiv time
    assert "<dt>Прострочено</dt>" in html
    chart = nov_client.get("/api/reports/operations/html", params=NOV, headers=boss).text
    assert "<svg" in chart
    assert "Дзвінки за днями" in chart
    assert "50,0 %" in chart  # service level in Ukrainian number style


def test_csv_export_is_one_table_with_labels_and_is_audited(
    nov_client: TestClient, boss: dict[str, str], november: tuple[Engine, Scenario]
) -> None:
    response = nov_client.get("/api/reports/categories/export.csv", params={**NOV, "table": "hot_spots"}, headers=boss)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="categories_2026-11-01_2026-11-30_hot_spots.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Адреса", "Питань", "Найчастіша категорія", "Різних категорій"]
    assert rows[1] == ["вул. Симона Петлюри, 5", "3", "Відсутність опалення в квартирі", "1"]
    with Session(november[0]) as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.entity_id == "categories")).all()
    assert audit
    assert audit[-1].detail["format"] == "csv"
    missing = nov_client.get("/api/reports/categories/export.csv", params={"table": "nope"}, headers=boss)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "report_table_not_found")


def test_xlsx_export_has_a_sheet_per_table_and_the_definitions(nov_client: TestClient, boss: dict[str, str]) -> None:
    response = nov_client.get("/api/reports/executors/export.xlsx", params=NOV, headers=boss)
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Картка виконавця", "Визначення"]
    sheet = book["Картка виконавця"]
    header = [c.value for c in sheet[1]]
    row = {header[i]: c.value for i, c in enumerate(sheet[2])}
    assert row["Виконавець"] == "Броваритепловодоенергія"
    assert row["% вчасно (формула Києва)"] == 60.0
    assert sheet.cell(sheet.max_row, 1).value == "Усього"
    assert book["Визначення"]["A1"].value == "Ефективність виконавців"


def test_reports_are_for_supervisors_heads_and_admins(nov_client: TestClient) -> None:
    assert nov_client.get("/api/reports/executors").status_code == 401
    assert nov_client.get("/api/reports/executors", headers=token_for(nov_client, "clerk")).status_code == 403
    assert nov_client.get("/api/reports/executors", headers=token_for(nov_client, "mayor")).status_code == 200


def test_page_shells_hold_no_data(nov_client: TestClient) -> None:
    index = nov_client.get("/reports")
    assert index.status_code == 200
    assert "Ефективність виконавців" in index.text
    assert "Броваритепловодоенергія" not in index.text
    page = nov_client.get("/reports/executors")
    assert 'name="start"' in page.text
    assert "/api/reports/${KEY}/html" in page.text
    assert nov_client.get("/reports/overdue").text.count('type="date"') == 0  # a point-in-time register has no period
    assert nov_client.get("/reports/nope").status_code == 404
