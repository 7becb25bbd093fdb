"""The statutory report and the legal compliance checks on the November data set (derived by hand)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from appeals.reports.compliance import compliance
from appeals.reports.scope import ReportFilter, month_filter
from appeals.reports.statutory import statutory
from tests.appeals.reports.scenario import NOW


def test_statutory_report_by_form_kind_result_author_and_topic(rsession: Session) -> None:
    table = statutory(rsession, month_filter(2026, 11), now=NOW).table("statutory")
    current = {(r["section"], r["measure"]): r["current"] for r in table.rows}
    assert all(r["previous"] == 0 and r["change_pct"] is None for r in table.rows)
    nonzero = {k: v for k, v in current.items() if v}
    assert nonzero == {
        ("Усього", "Надійшло звернень"): 9,
        ("Усього", "Питань у зверненнях"): 9,
        ("За джерелом надходження", "Телефоном (контакт-центр, гаряча лінія)"): 8,
        ("За джерелом надходження", "Електронні (e-mail, вебформа, Open311, петиції)"): 1,
        ("За формою", "Усне"): 8,
        ("За формою", "Електронне"): 1,
        ("За видом", "Заява (клопотання)"): 7,
        ("За видом", "Пропозиція (зауваження)"): 1,
        ("За видом", "Скарга"): 1,
        ("Ознаки", "Повторні"): 1,
        ("Ознаки", "Колективні"): 1,
        ("Категорія автора", "Особи з інвалідністю внаслідок війни"): 1,
        ("Результат розгляду питань", "Вирішено позитивно"): 3,
        ("Результат розгляду питань", "Роз'яснено"): 2,
        ("Результат розгляду питань", "Інше (переслано, повернуто, не розглядалось, скасовано)"): 1,
        ("Результат розгляду питань", "На розгляді"): 3,
        ("Тематика питань", "Комунальне господарство"): 5,
        ("Тематика питань", "Житлова політика"): 2,
        ("Тематика питань", "Транспорт і зв'язок"): 1,
        ("Тематика питань", "Інші"): 1,
    }
    assert len([k for k in current if k[0] == "Категорія автора"]) == 17  # every author category of the classifier is listed


def test_results_are_taken_at_the_end_of_the_period(rsession: Session) -> None:
    """Up to 3 Nov only A1 had been confirmed (3 Nov 10:00); A11 was forwarded on 12 Nov."""
    table = statutory(rsession, ReportFilter(start=date(2026, 11, 1), end=date(2026, 11, 3)), now=NOW).table("statutory")
    results = {r["measure"]: r["current"] for r in table.rows if r["section"] == "Результат розгляду питань"}
    assert results["Вирішено позитивно"] == 1
    assert results["На розгляді"] == 4  # A2, A3, A4, A11 registered by 3 Nov


def test_compliance_finds_the_late_forwarding_and_the_unannounced_extension(rsession: Session) -> None:
    report = compliance(rsession, month_filter(2026, 11), now=NOW)
    assert {r["check"]: r["violations"] for r in report.table("summary").rows} == {
        "Переслано за належністю пізніше 5 днів (ст. 7)": 1,
        "Повернуто заявнику пізніше 10 днів (ст. 5)": 0,
        "Продовжено понад 45 днів (ст. 20)": 0,
        "Продовжено без повідомлення заявника (ст. 20)": 1,
        "Відповідь не підписана керівником (ст. 14, 15)": 0,
        "Закрито без відповіді (ст. 15, 19)": 0,
    }
    assert report.table("violations").rows == [
        {
            "check": "Переслано за належністю пізніше 5 днів (ст. 7)",
            "number": "БР-2026-000009/1",
            "detail": "переслано 12.11.2026 12:00, строк 09.11.2026 23:59, запізнення 2 дн.",
        },
        {
            "check": "Продовжено без повідомлення заявника (ст. 20)",
            "number": "БР-2026-000003/1",
            "detail": "продовжено 16.11.2026 11:00 до 20.11.2026 23:59; проміжної відповіді немає",
        },
    ]
