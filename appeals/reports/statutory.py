"""The statutory report on appeals (domain.md §5.4.8, CMU classifier 858): this period against the same one a year before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from appeals.models import Appeal, AppealStatus, Category, Channel, Citizen, Issue, IssueStatus
from appeals.reports.facts import registered_query, statuses_at
from appeals.reports.labels import FORM, KIND, PRIVILEGE, RESULT, STATUTORY_SOURCE, TOPIC_GROUP
from appeals.reports.model import Cell, Definition, Report, Table, column
from appeals.reports.scope import ReportFilter, describe, scoped_appeals
from appeals.reports.stats import chunks

_SOURCE = {Channel.post: "post", Channel.personal: "personal", Channel.phone: "phone"}
_POSITIVE = {IssueStatus.closed_confirmed.value, IssueStatus.closed_unverified.value}
_OTHER = {s.value for s in (IssueStatus.forwarded_out, IssueStatus.returned_incomplete, IssueStatus.not_considered, IssueStatus.cancelled)}
DEFINITIONS = [
    Definition("Звернення", "зареєстровані в періоді звернення громадян (консультації та «не звернення» не є зверненнями)"),
    Definition("Порівняння", "той самий період попереднього року"),
    Definition("За джерелом", "поштою, на особистому прийомі, телефоном (контакт-центр), електронні (e-mail, вебформа, Open311, петиції)"),
    Definition("За формою", "усні (телефоном, на прийомі), письмові (поштою), електронні"),
    Definition("Повторні, колективні", "ознака надходження «повторне»; суб'єкт «колективне»"),
    Definition("Категорія автора", "пільги заявника за класифікатором КМУ № 858 (одне звернення може мати кілька категорій)"),
    Definition(
        "Результат розгляду (за питаннями)",
        "стан питання на кінець періоду: вирішено позитивно — закрито після звіту «виконано»; роз'яснено — закрито з роз'ясненням; "
        "не вирішено — включено в план-програму; інше — переслано за належністю, повернуто, не розглядалось, скасовано; решта — на розгляді",
    ),
    Definition("Тематика (за питаннями)", "група класифікатора, до якої належить категорія питання"),
]
COLUMNS = (
    column("section", "Розділ", "text"),
    column("measure", "Показник", "text"),
    column("previous", "Минулого року"),
    column("current", "Звітний період"),
    column("change_pct", "Зміна, %", "pct"),
)


_APPEAL_COLUMNS: list[Any] = [Appeal.channel, Appeal.form, Appeal.kind, Appeal.subject, Appeal.is_repeated, Appeal.citizen_id]


def _appeals(session: Session, flt: ReportFilter) -> list[Any]:
    """(channel, form, kind, subject, is_repeated, citizen_id) of the appeals registered in the period."""
    query = (
        select(*_APPEAL_COLUMNS)
        .where(col(Appeal.status).in_([AppealStatus.registered.value, AppealStatus.closed.value]))
        .where(col(Appeal.registered_at) >= flt.since, col(Appeal.registered_at) < flt.until)
    )
    return list(session.exec(scoped_appeals(session, flt, query)).all())


def result_of(status: str | None) -> str:
    """The result category of an issue's status at the end of the period."""
    status = status or IssueStatus.registered.value
    if status in _POSITIVE:
        return "positive"
    if status == IssueStatus.closed_explained.value:
        return "explained"
    if status == IssueStatus.postponed.value:
        return "negative"
    return "other" if status in _OTHER else "pending"


def _appeal_counts(session: Session, flt: ReportFilter, out: Counter[tuple[str, str]]) -> None:
    appeals = _appeals(session, flt)
    privileges: dict[int | None, Sequence[Any]] = {}
    for batch in chunks({a.citizen_id for a in appeals if a.citizen_id}):
        query = select(Citizen.id, Citizen.privileges).where(col(Citizen.id).in_(batch), col(Citizen.is_priority).is_(True))
        privileges.update(session.exec(query).all())
    for appeal in appeals:
        out[("total", "")] += 1
        out[("source", _SOURCE.get(appeal.channel, "electronic"))] += 1
        out[("form", appeal.form.value)] += 1
        out[("kind", appeal.kind.value)] += 1
        out[("sign", "repeated")] += int(appeal.is_repeated)
        out[("sign", "collective")] += int(appeal.subject.value == "collective")
        out[("sign", "anonymous")] += int(appeal.subject.value == "anonymous")
        for privilege in privileges.get(appeal.citizen_id, []) or []:
            out[("author", str(privilege))] += 1


def _counts(session: Session, flt: ReportFilter, now: datetime) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    _appeal_counts(session, flt, out)
    ids = registered_query(session, flt).subquery()
    topics = session.exec(
        select(Category.topic_group, func.count())
        .join(Issue, col(Issue.category_id) == Category.id)
        .where(col(Issue.id).in_(select(ids.c.id)))
        .group_by(col(Category.topic_group))
    ).all()
    for topic, n in topics:
        out[("topic", topic)] += int(n)
        out[("issues", "")] += int(n)
    seen = 0
    for _, status in statuses_at(session, ids, flt.as_of(now)):
        out[("result", result_of(status))] += 1
        seen += 1
    out[("result", "pending")] += out[("issues", "")] - seen
    return out


def _section(title: str, key: str, labels: dict[str, str], rows: Callable[[str, str, str], dict[str, Cell]]) -> list[dict[str, Cell]]:
    return [rows(title, name, f"{key}:{code}") for code, name in labels.items()]


def statutory(session: Session, flt: ReportFilter, *, now: datetime) -> Report:
    current, previous = _counts(session, flt, now), _counts(session, flt.year_before(), now)

    def row(section: str, measure: str, key: str) -> dict[str, Cell]:
        kind, _, code = key.partition(":")
        cur, prev = current[(kind, code)], previous[(kind, code)]
        return {
            "section": section,
            "measure": measure,
            "previous": prev,
            "current": cur,
            "change_pct": None if not prev else round(100.0 * (cur - prev) / prev, 1),
        }

    rows = [row("Усього", "Надійшло звернень", "total:"), row("Усього", "Питань у зверненнях", "issues:")]
    rows += _section("За джерелом надходження", "source", STATUTORY_SOURCE, row)
    rows += _section("За формою", "form", FORM, row)
    rows += _section("За видом", "kind", KIND, row)
    rows += _section("Ознаки", "sign", {"repeated": "Повторні", "collective": "Колективні", "anonymous": "Анонімні"}, row)
    rows += _section("Категорія автора", "author", PRIVILEGE, row)
    rows += _section("Результат розгляду питань", "result", RESULT, row)
    rows += _section("Тематика питань", "topic", TOPIC_GROUP, row)
    table = Table(
        "statutory",
        "Звіт про звернення громадян",
        COLUMNS,
        rows,
        note="Чисельність працівників підрозділу з розгляду звернень вноситься до звіту вручну.",
    )
    return Report("statutory", "Звіт про звернення громадян (квартальний / річний)", describe(session, flt), DEFINITIONS, [table])
