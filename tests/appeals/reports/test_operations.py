"""Emergency response, consultations and contact-center operations on the November data set (derived by hand)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlmodel import Session, select

from appeals.models import Appeal, Category, KbArticle, KbUse
from appeals.reports.consultations import consultations
from appeals.reports.emergency import emergency_response
from appeals.reports.operations import operations
from appeals.reports.scope import month_filter
from tests.appeals.reports.scenario import NOW


def test_emergency_response(rsession: Session) -> None:
    table = emergency_response(rsession, month_filter(2026, 11), now=NOW).table("emergency")
    burst = {
        "category": "Прорив водогону",
        "sla_hours": 4,
        "issues": 1,
        "accept_median_h": 0.5,
        "resolve_median_h": 3.0,
        "reported": 1,
        "within_sla_pct": 100.0,
        "open": 0,
    }
    assert table.rows == [burst]
    assert table.total == {**burst, "category": "Усього", "sla_hours": None}
    assert "аварій" in table.note


def test_consultations_by_topic_and_contacts_by_channel(rsession: Session) -> None:
    report = consultations(rsession, month_filter(2026, 11), now=NOW)
    assert report.table("topics").rows == [
        {"topic": "Житлові субсидії", "group": "Соціальний захист", "consultations": 1, "share_pct": 50.0},
        {"topic": "Нарахування плати за комунальні послуги", "group": "Утримання житлового будинку", "consultations": 1, "share_pct": 50.0},
    ]
    assert report.table("channels").rows == [
        {
            "channel": "Телефон (контакт-центр)",
            "registered": 8,
            "consultations": 2,
            "discarded": 1,
            "contacts": 11,
            "consultation_pct": 20.0,
        },
        {"channel": "Електронна пошта", "registered": 1, "consultations": 0, "discarded": 0, "contacts": 1, "consultation_pct": 0.0},
    ]


def test_consultations_count_knowledge_base_article_uses(rsession: Session) -> None:
    subsidy = rsession.exec(select(Category).where(Category.name == "Житлові субсидії")).one()
    consultation = rsession.exec(select(Appeal).where(Appeal.consultation_category_id == subsidy.id)).one()
    assert consultation.id is not None
    assert subsidy.id is not None
    linked = KbArticle(title="Як оформити субсидію", category_ids=[subsidy.id])
    other = KbArticle(title="Графік прийому громадян", category_ids=[])
    rsession.add_all([linked, other])
    rsession.flush()
    assert linked.id is not None
    assert other.id is not None
    november, october = datetime(2026, 11, 5, 10, tzinfo=UTC), datetime(2026, 10, 20, 10, tzinfo=UTC)
    for article_id, at in ((linked.id, november), (linked.id, november), (other.id, november), (other.id, october)):
        rsession.add(KbUse(article_id=article_id, appeal_id=consultation.id, at=at))
    rsession.flush()
    try:
        table = consultations(rsession, month_filter(2026, 11), now=NOW).table("articles")
        assert table.rows == [
            {"article": "Як оформити субсидію", "uses": 2, "share_pct": 66.7},
            {"article": "Графік прийому громадян", "uses": 1, "share_pct": 33.3},
        ]
        assert table.total == {"article": "Усього", "uses": 3, "share_pct": 100.0}
        scoped = consultations(rsession, replace(month_filter(2026, 11), category_id=subsidy.id), now=NOW).table("articles")
        assert scoped.rows == [{"article": "Як оформити субсидію", "uses": 2, "share_pct": 100.0}]
        empty = consultations(rsession, month_filter(2026, 9), now=NOW).table("articles")
        assert empty.rows == []
    finally:
        rsession.rollback()


def test_operations_summary_service_level_and_operators(rsession: Session) -> None:
    report = operations(rsession, month_filter(2026, 11), now=NOW, service_level_seconds=20)
    assert {r["measure"]: r["value"] for r in report.table("summary").rows} == {
        "Надійшло дзвінків": 10,
        "Прийнято": 8,
        "Втрачено": 2,
        "Інші без відповіді": 0,
        "Рівень обслуговування (20 с), %": 50.0,
        "% втрачених": 20.0,
        "Середній час відповіді, с": 19.6,
        "Середнє очікування до втрати, с": 29.0,
        "Середня тривалість розмови (AHT), с": 140.0,
    }
    assert report.table("by_operator").rows == [
        {"operator": "op1", "answered": 5, "talk_minutes": 13.2, "aht_seconds": 158.0, "registered": 5, "consultations": 1},
        {"operator": "op2", "answered": 3, "talk_minutes": 5.5, "aht_seconds": 110.0, "registered": 4, "consultations": 1},
    ]
    assert [(d["day"], d["offered"], d["answered"], d["abandoned"]) for d in report.table("by_day").rows] == [
        ("02.11.2026", 4, 4, 0),
        ("05.11.2026", 2, 2, 0),
        ("10.11.2026", 1, 1, 0),
        ("20.11.2026", 2, 1, 1),
        ("21.11.2026", 1, 0, 1),
    ]
    [chart] = report.charts
    assert [s.name for s in chart.series] == ["Надійшло", "Прийнято", "Втрачено"]
    stricter = operations(rsession, month_filter(2026, 11), now=NOW, service_level_seconds=10)
    assert stricter.table("summary").rows[4] == {"measure": "Рівень обслуговування (10 с), %", "value": 20.0}  # c1 (10 s), c5 (5 s)
