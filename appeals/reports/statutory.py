"""The statutory report on appeals (domain.md §5.4.8, CMU classifier 858): this period against the same one a year before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, col, select

from appeals.models import Appeal, AppealStatus, Category, Channel, Citizen, IssueStatus
from appeals.reports.facts import IssueFacts, load_facts, registered_query
from appeals.reports.labels import KIND, PRIVILEGE, RESULT, STATUTORY_SOURCE, TOPIC_GROUP
from appeals.reports.model import Cell, Definition, Report, Table, column
from appeals.reports.scope import ReportFilter, describe, scoped_appeals

_SOURCE = {Channel.post: "post", Channel.personal: "personal", Channel.phone: "phone"}
_POSITIVE = {IssueStatus.closed_confirmed.value, IssueStatus.closed_unverified.value}
_OTHER = {s.value for s in (IssueStatus.forwarded_out, IssueStatus.returned_incomplete, IssueStatus.not_considered, IssueStatus.cancelled)}
DEFINITIONS = [
    Definition("Звернення", "зареєстровані в періоді звернення громадян (консультації та «не звернення» не є зверненнями)"),
    Definition("Порівняння", "той самий період попереднього року"),
    Definition("За джерелом", "поштою, на особистому прийомі, телефоном (контакт-центр), електронні (e-mail, вебформа, Open311, петиції)"),
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


def _appeals(session: Session, flt: ReportFilter) -> list[Appeal]:
    query = (
        select(Appeal)
        .where(col(Appeal.status).in_([AppealStatus.registered.value, AppealStatus.closed.value]))
        .where(col(Appeal.registered_at) >= flt.since, col(Appeal.registered_at) < flt.until)
    )
    return list(session.exec(scoped_appeals(session, flt, query)).all())


def result_of(fact: IssueFacts, moment: datetime) -> str:
    status = fact.status_at(moment) or IssueStatus.registered.value
    if status in _POSITIVE:
        return "positive"
    if status == IssueStatus.closed_explained.value:
        return "explained"
    if status == IssueStatus.postponed.value:
        return "negative"
    return "other" if status in _OTHER else "pending"


def _counts(session: Session, flt: ReportFilter, now: datetime) -> Counter[tuple[str, str]]:
    appeals = _appeals(session, flt)
    citizens = {a.citizen_id for a in appeals if a.citizen_id}
    privileges = dict(session.exec(select(Citizen.id, Citizen.privileges).where(col(Citizen.id).in_(citizens))).all()) if citizens else {}
    out: Counter[tuple[str, str]] = Counter()
    for appeal in appeals:
        out[("total", "")] += 1
        source = _SOURCE.get(appeal.channel, "electronic")
        out[("source", source)] += 1
        out[("kind", appeal.kind.value)] += 1
        out[("sign", "repeated")] += int(appeal.is_repeated)
        out[("sign", "collective")] += int(appeal.subject.value == "collective")
        out[("sign", "anonymous")] += int(appeal.subject.value == "anonymous")
        for privilege in privileges.get(appeal.citizen_id or 0, []) or []:
            out[("author", str(privilege))] += 1
    topics = {c.id: c.topic_group for c in session.exec(select(Category)).all()}
    as_of = flt.as_of(now)
    for fact in load_facts(session, registered_query(session, flt)):
        out[("issues", "")] += 1
        out[("result", result_of(fact, as_of))] += 1
        out[("topic", topics.get(fact.issue.category_id, "other"))] += 1
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
