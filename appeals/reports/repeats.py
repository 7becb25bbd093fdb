"""Repeat and reopen rates and chronic addresses (domain.md §5.4.5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals.models import Appeal, AppealStatus, Category, Issue, ReceiptSign, StatusChange
from appeals.reports.facts import closed_query, registered_query
from appeals.reports.labels import uk_key
from appeals.reports.model import Cell, Definition, Report, Table, column
from appeals.reports.places import Spot, place_names
from appeals.reports.scope import ReportFilter, describe, scoped_appeals, scoped_issues
from appeals.reports.stats import chunks, maybe_aware, pct

CHRONIC_MIN = 3
CHRONIC_DAYS = 90
DEFINITIONS = [
    Definition(
        "Повторне звернення",
        "від того ж заявника з того ж питання (категорія й адреса), з яким раніше вже звертався і питання вирішено, або позначене як повторне",
    ),
    Definition("Частка повторних", "повторні / усі зареєстровані в періоді звернення × 100"),
    Definition(
        "Частка повторно відкритих",
        "питання, відкриті повторно в періоді (заявник не згоден із закриттям) / питання, закриті в періоді × 100",
    ),
    Definition(
        "Хронічна адреса", f"будинок × категорія, де за {CHRONIC_DAYS} днів до кінця періоду зареєстровано щонайменше {CHRONIC_MIN} питання"
    ),
]
SUMMARY = (column("measure", "Показник", "text"), column("value", "Значення", "float"))
CHRONIC = (
    column("address", "Адреса", "text"),
    column("category", "Категорія", "text"),
    column("issues", "Питань за 90 днів"),
    column("last_registered_at", "Останнє", "datetime"),
)
REPEATED = (
    column("number", "Номер", "text"),
    column("previous", "Попереднє звернення", "text"),
    column("registered_at", "Зареєстровано", "datetime"),
)


_COLUMNS: list[Any] = [Appeal.number, Appeal.is_repeated, Appeal.receipt_sign, Appeal.previous_appeal_id, Appeal.registered_at]


def _registered_appeals(session: Session, flt: ReportFilter) -> list[Any]:
    """(number, is_repeated, receipt_sign, previous_appeal_id, registered_at) of the appeals registered in the period."""
    query = (
        select(*_COLUMNS)
        .where(col(Appeal.status).in_([AppealStatus.registered.value, AppealStatus.closed.value]))
        .where(col(Appeal.registered_at) >= flt.since, col(Appeal.registered_at) < flt.until)
    )
    return list(session.exec(scoped_appeals(session, flt, query).order_by(col(Appeal.registered_at))).all())


def _reopened(session: Session, flt: ReportFilter) -> int:
    ids = scoped_issues(session, flt, select(Issue.id).join(Appeal, col(Appeal.id) == Issue.appeal_id)).subquery()
    query = (
        select(func.count(func.distinct(StatusChange.entity_id)))
        .where(StatusChange.entity == "issue", StatusChange.action == "reopen")
        .where(col(StatusChange.at) >= flt.since, col(StatusChange.at) < flt.until)
        .where(col(StatusChange.entity_id).in_(select(ids.c.id)))
    )
    return int(session.exec(query).one())


def chronic_addresses(session: Session, flt: ReportFilter) -> Table:
    window = replace(flt, start=flt.end - timedelta(days=CHRONIC_DAYS - 1))
    ids = registered_query(session, window).subquery()
    n = func.count().label("n")
    groups = session.exec(
        select(Issue.building_id, Issue.category_id, n, func.max(Issue.registered_at))
        .where(col(Issue.id).in_(select(ids.c.id)), col(Issue.building_id).is_not(None))
        .group_by(col(Issue.building_id), col(Issue.category_id))
        .having(func.count() >= CHRONIC_MIN)
    ).all()
    names = place_names(session, [Spot(b, "") for b, _, _, _ in groups])
    categories = {c.id: c.name for c in session.exec(select(Category)).all()}
    rows: list[dict[str, Cell]] = [
        {"address": names[("building", b or 0)], "category": categories.get(c, "—"), "issues": int(count), "last_registered_at": last}
        for b, c, count, last in groups
    ]
    rows.sort(key=lambda r: (-int(str(r["issues"])), uk_key(str(r["address"]))))
    return Table("chronic", f"Хронічні адреси (≥ {CHRONIC_MIN} питань за {CHRONIC_DAYS} днів)", CHRONIC, rows)


def repeats(session: Session, flt: ReportFilter, *, now: datetime) -> Report:
    del now
    appeals = _registered_appeals(session, flt)
    repeated = [a for a in appeals if a.is_repeated or a.receipt_sign is ReceiptSign.repeated]
    closed = int(session.exec(select(func.count()).select_from(closed_query(session, flt).subquery())).one())
    reopened = _reopened(session, flt)
    previous_ids = {a.previous_appeal_id for a in repeated if a.previous_appeal_id}
    numbers: dict[int | None, str | None] = {}
    for batch in chunks(previous_ids):
        numbers.update(session.exec(select(Appeal.id, Appeal.number).where(col(Appeal.id).in_(batch))).all())
    summary: list[dict[str, Cell]] = [
        {"measure": "Зареєстровано звернень", "value": len(appeals)},
        {"measure": "Повторних", "value": len(repeated)},
        {"measure": "Частка повторних, %", "value": pct(len(repeated), len(appeals))},
        {"measure": "Закрито питань", "value": closed},
        {"measure": "Відкрито повторно", "value": reopened},
        {"measure": "Частка повторно відкритих, %", "value": pct(reopened, closed)},
    ]
    listed: list[dict[str, Cell]] = [
        {"number": a.number, "previous": numbers.get(a.previous_appeal_id or 0, "—"), "registered_at": maybe_aware(a.registered_at)}
        for a in repeated
    ]
    tables = [
        Table("summary", "Повторні та повторно відкриті", SUMMARY, summary),
        Table("repeated", "Повторні звернення", REPEATED, listed),
        chronic_addresses(session, flt),
    ]
    return Report("repeats", "Повторні звернення", describe(session, flt), DEFINITIONS, tables)
