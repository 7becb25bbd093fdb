"""Contact-center operations (domain.md §5.4.10): offered, answered, abandoned, service level, handle time, per operator."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals.deadlines import KYIV
from appeals.models import Appeal, AppealStatus, Call, CallDirection, User
from appeals.reports.facts import read_columns
from appeals.reports.labels import uk_key
from appeals.reports.model import Cell, Chart, Definition, Report, Series, Table, column
from appeals.reports.scope import ReportFilter
from appeals.reports.stats import mean, pct

DEFAULT_SERVICE_LEVEL_SECONDS = 20
COLUMNS = (column("measure", "Показник", "text"), column("value", "Значення", "float"))
OPERATOR_COLUMNS = (
    column("operator", "Оператор", "text"),
    column("answered", "Прийнято дзвінків"),
    column("talk_minutes", "Розмов, хв", "float"),
    column("aht_seconds", "Середня тривалість розмови, с", "float"),
    column("registered", "Зареєстровано звернень"),
    column("consultations", "Консультацій"),
)
DAY_COLUMNS = (
    column("day", "День", "text"),
    column("offered", "Надійшло"),
    column("answered", "Прийнято"),
    column("abandoned", "Втрачено"),
    column("service_level_pct", "Рівень обслуговування, %", "pct"),
)


def definitions(threshold: int) -> list[Definition]:
    return [
        Definition("Надійшло", "вхідні дзвінки, що почалися в періоді (дзвінки, які ми робили самі, не рахуються)"),
        Definition("Прийнято / втрачено", "оператор відповів / абонент поклав слухавку, не дочекавшись оператора"),
        Definition("Рівень обслуговування", f"дзвінки, прийняті протягом {threshold} с очікування / усі, що надійшли × 100"),
        Definition("Середній час відповіді", "середнє очікування прийнятих дзвінків, секунди"),
        Definition(
            "Середня тривалість розмови (AHT)",
            "середня тривалість розмови прийнятих дзвінків, секунди (без часу на оформлення після дзвінка)",
        ),
        Definition("% втрачених", "втрачені / усі, що надійшли × 100"),
    ]


def _calls(session: Session, flt: ReportFilter) -> list[Any]:
    """(started_at, answered, abandoned, wait_seconds, talk_seconds, operator_id) of the period's inbound calls."""
    names = ("started_at", "answered", "abandoned", "wait_seconds", "talk_seconds", "operator_id")
    query = select(*read_columns(Call, names, session.get_bind().dialect.name)).where(
        Call.direction == CallDirection.inbound, col(Call.started_at) >= flt.since, col(Call.started_at) < flt.until
    )
    return list(session.exec(query.order_by(col(Call.started_at))).all())


def _summary(calls: list[Any], threshold: int) -> list[dict[str, Cell]]:
    answered = [c for c in calls if c.answered]
    abandoned = [c for c in calls if c.abandoned]
    fast = sum(1 for c in answered if c.wait_seconds is not None and c.wait_seconds <= threshold)
    return [
        {"measure": "Надійшло дзвінків", "value": len(calls)},
        {"measure": "Прийнято", "value": len(answered)},
        {"measure": "Втрачено", "value": len(abandoned)},
        {"measure": "Інші без відповіді", "value": len(calls) - len(answered) - len(abandoned)},
        {"measure": f"Рівень обслуговування ({threshold} с), %", "value": pct(fast, len(calls))},
        {"measure": "% втрачених", "value": pct(len(abandoned), len(calls))},
        {"measure": "Середній час відповіді, с", "value": mean(c.wait_seconds for c in answered if c.wait_seconds is not None)},
        {"measure": "Середнє очікування до втрати, с", "value": mean(c.wait_seconds for c in abandoned if c.wait_seconds is not None)},
        {"measure": "Середня тривалість розмови (AHT), с", "value": mean(c.talk_seconds for c in answered if c.talk_seconds is not None)},
    ]


def _by_day(calls: list[Any], threshold: int) -> list[dict[str, Cell]]:
    days: dict[str, list[Any]] = defaultdict(list)
    for call in calls:
        days[call.started_at.astimezone(KYIV).strftime("%d.%m.%Y")].append(call)
    rows: list[dict[str, Cell]] = []
    for day, items in days.items():
        answered = [c for c in items if c.answered]
        fast = sum(1 for c in answered if c.wait_seconds is not None and c.wait_seconds <= threshold)
        rows.append(
            {
                "day": day,
                "offered": len(items),
                "answered": len(answered),
                "abandoned": sum(1 for c in items if c.abandoned),
                "service_level_pct": pct(fast, len(items)),
            }
        )
    return rows


def _per_operator(session: Session, flt: ReportFilter, calls: list[Any]) -> list[dict[str, Cell]]:
    talk: dict[int, list[float]] = defaultdict(list)
    for call in calls:
        if call.answered and call.operator_id is not None:
            talk[call.operator_id].append(call.talk_seconds or 0.0)
    registered = dict(
        session.exec(
            select(Appeal.operator_id, func.count())
            .where(col(Appeal.registered_at) >= flt.since, col(Appeal.registered_at) < flt.until)
            .group_by(col(Appeal.operator_id))
        ).all()
    )
    consulted = dict(
        session.exec(
            select(Appeal.operator_id, func.count())
            .where(Appeal.status == AppealStatus.consultation, col(Appeal.closed_at) >= flt.since, col(Appeal.closed_at) < flt.until)
            .group_by(col(Appeal.operator_id))
        ).all()
    )
    ids = {i for i in set(talk) | set(registered) | set(consulted) if i is not None}
    names = {u.id: u.full_name or u.username for u in session.exec(select(User).where(col(User.id).in_(ids))).all()} if ids else {}
    rows: list[dict[str, Cell]] = [
        {
            "operator": names.get(user_id, str(user_id)),
            "answered": len(talk.get(user_id, [])),
            "talk_minutes": round(sum(talk.get(user_id, [])) / 60, 1),
            "aht_seconds": mean(talk.get(user_id, [])),
            "registered": int(registered.get(user_id, 0)),
            "consultations": int(consulted.get(user_id, 0)),
        }
        for user_id in ids
    ]
    return sorted(rows, key=lambda r: uk_key(str(r["operator"])))


def operations(session: Session, flt: ReportFilter, *, now: datetime, service_level_seconds: int = DEFAULT_SERVICE_LEVEL_SECONDS) -> Report:
    """Telephony figures cover every inbound call of the period; category, executor and district filters do not apply."""
    del now
    calls = _calls(session, flt)
    days = _by_day(calls, service_level_seconds)
    chart = Chart(
        "by_day",
        "Дзвінки за днями",
        "columns",
        [str(d["day"]) for d in days],
        [
            Series(name, [float(str(d[key])) for d in days])
            for key, name in (("offered", "Надійшло"), ("answered", "Прийнято"), ("abandoned", "Втрачено"))
        ],
    )
    tables = [
        Table("summary", "Дзвінки", COLUMNS, _summary(calls, service_level_seconds)),
        Table("by_day", "За днями", DAY_COLUMNS, days),
        Table("by_operator", "За операторами", OPERATOR_COLUMNS, _per_operator(session, flt, calls)),
    ]
    scope = f"період {flt.label()}; усі вхідні дзвінки"
    return Report("operations", "Робота контакт-центру", scope, definitions(service_level_seconds), tables, [chart])
