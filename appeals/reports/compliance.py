"""Legal compliance checks (domain.md §5.4.9): each counts violations of a rule of the law; every one must be zero."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from appeals.deadlines import KYIV, extension_limit, receipt_date
from appeals.models import Admissibility, Answer, Appeal, AppealForm, AppealSubject, Channel, Issue, Role, StatusChange, User
from appeals.reports.facts import IssueFacts, closed_query, count_in_period, in_period, load_facts
from appeals.reports.model import Cell, Definition, Report, Table, column
from appeals.reports.scope import ReportFilter, describe, scoped_appeals, scoped_issues
from appeals.reports.stats import chunks, maybe_aware
from appeals.workcalendar import load_calendar

CHECKS = {
    "forwarded_late": (
        "Переслано за належністю пізніше 5 днів (ст. 7)",
        "питання, переслані в періоді пізніше строку: 5 календарних днів від надходження",
    ),
    "returned_late": (
        "Повернуто заявнику пізніше 10 днів (ст. 5)",
        "звернення, повернуті як неналежно оформлені, відповідь про повернення надіслано пізніше 10 днів (або не надіслано до кінця періоду)",
    ),
    "extension_beyond_45": (
        "Продовжено понад 45 днів (ст. 20)",
        "питання, строк яких продовжено в періоді далі ніж на 45 днів від надходження — має бути нуль",
    ),
    "extension_not_notified": (
        "Продовжено без повідомлення заявника (ст. 20)",
        "продовження в періоді, після якого заявнику не надіслано проміжної відповіді",
    ),
    "first_head_not_signed": (
        "Відповідь не підписана керівником (ст. 14, 15)",
        "відповіді в періоді на звернення, які розглядає особисто керівник, підписані не керівником",
    ),
    "closed_without_answer": (
        "Закрито без відповіді (ст. 15, 19)",
        "письмові та електронні неанонімні звернення, питання яких закрито в періоді без надісланої відповіді",
    ),
}
SUMMARY = (column("check", "Перевірка", "text"), column("violations", "Порушень"))
DETAIL = (column("check", "Перевірка", "text"), column("number", "Номер", "text"), column("detail", "Подробиці", "text"))


def _kyiv(moment: datetime | None) -> str:
    return moment.astimezone(KYIV).strftime("%d.%m.%Y %H:%M") if moment else "—"


def _number(fact: IssueFacts) -> str:
    return f"{fact.appeal.number}/{fact.issue.seq}"


def _forwarded_late(facts: Sequence[IssueFacts], flt: ReportFilter) -> list[tuple[str, str]]:
    out = []
    for fact in facts:
        for moment in fact.actions.get("forward_out", []):
            due = maybe_aware(fact.issue.forward_due_at)
            if in_period(moment, flt) and due is not None and moment > due:
                out.append(
                    (_number(fact), f"переслано {_kyiv(moment)}, строк {_kyiv(due)}, запізнення {(moment - due) // timedelta(days=1)} дн.")
                )
    return out


def _extensions(
    session: Session, facts: Sequence[IssueFacts], flt: ReportFilter, as_of: datetime
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    calendar = load_calendar(session)
    extended = [f for f in facts if count_in_period(f.actions.get("extend", []), flt)]
    notices: dict[int, list[datetime]] = defaultdict(list)
    for batch in chunks({f.appeal.id for f in extended}):
        interim = select(Answer.appeal_id, Answer.sent_at).where(col(Answer.appeal_id).in_(batch), col(Answer.interim).is_(True))
        for appeal_id, sent in session.exec(interim).all():
            notices[appeal_id].append(sent)
    beyond, silent = [], []
    for fact in extended:
        limit = extension_limit(receipt_date(fact.appeal.received_at, Channel(fact.appeal.channel), calendar), calendar)
        new_due = maybe_aware(fact.issue.extended_due_at)
        if new_due is not None and new_due > limit:
            beyond.append((_number(fact), f"новий строк {_kyiv(new_due)}, найпізніший дозволений {_kyiv(limit)}"))
        last = max(fact.actions["extend"])
        if not any(last <= sent <= as_of for sent in notices.get(fact.appeal.id or 0, [])):
            silent.append((_number(fact), f"продовжено {_kyiv(last)} до {_kyiv(new_due)}; проміжної відповіді немає"))
    return beyond, silent


def _returned_late(session: Session, flt: ReportFilter, as_of: datetime) -> list[tuple[str, str]]:
    query = select(Appeal).where(
        Appeal.admissibility == Admissibility.returned_incomplete,
        col(Appeal.registered_at) >= flt.since,
        col(Appeal.registered_at) < flt.until,
    )
    out = []
    for appeal in session.exec(scoped_appeals(session, flt, query)).all():
        sent = session.exec(select(Answer.sent_at).where(Answer.appeal_id == appeal.id).order_by(col(Answer.sent_at))).first()
        due = maybe_aware(appeal.return_due_at)
        if due is not None and ((sent is not None and sent > due) or (sent is None and as_of > due)):
            out.append((appeal.number or "—", f"строк повернення {_kyiv(due)}, відповідь {_kyiv(sent)}"))
    return out


def _first_head(session: Session, flt: ReportFilter) -> list[tuple[str, str]]:
    query = (
        select(Appeal.number, Answer.sent_at, User.role)
        .join(Answer, col(Answer.appeal_id) == Appeal.id)
        .join(User, col(User.id) == Answer.signed_by, isouter=True)
        .where(col(Appeal.requires_first_head).is_(True), col(Answer.interim).is_(False))
        .where(col(Answer.sent_at) >= flt.since, col(Answer.sent_at) < flt.until)
    )
    return [
        (number or "—", f"відповідь {_kyiv(sent)}, підписав: {role.value if role else 'невідомо'}")
        for number, sent, role in session.exec(scoped_appeals(session, flt, query)).all()
        if role is not Role.head
    ]


def _without_answer(session: Session, flt: ReportFilter) -> list[tuple[str, str]]:
    answered = select(Answer.appeal_id).where(col(Answer.interim).is_(False))
    query = closed_query(session, flt).where(
        Appeal.form != AppealForm.oral, Appeal.subject != AppealSubject.anonymous, col(Issue.appeal_id).not_in(answered)
    )
    return [(_number(f), f"закрито {_kyiv(f.closed_at)} без відповіді заявнику") for f in load_facts(session, query, actions=())]


def _acted_on(session: Session, flt: ReportFilter, actions: tuple[str, ...]) -> list[IssueFacts]:
    """Issues (with the report's filters) that had one of `actions` in the period."""
    acted = select(StatusChange.entity_id).where(
        StatusChange.entity == "issue",
        col(StatusChange.action).in_(actions),
        col(StatusChange.at) >= flt.since,
        col(StatusChange.at) < flt.until,
    )
    query = scoped_issues(session, flt, select(Issue.id).join(Appeal, col(Appeal.id) == Issue.appeal_id).where(col(Issue.id).in_(acted)))
    return load_facts(session, query, actions=actions)


def compliance(session: Session, flt: ReportFilter, *, now: datetime) -> Report:
    as_of = flt.as_of(now)
    facts = _acted_on(session, flt, ("forward_out", "extend"))
    beyond, silent = _extensions(session, facts, flt, as_of)
    found = {
        "forwarded_late": _forwarded_late(facts, flt),
        "returned_late": _returned_late(session, flt, as_of),
        "extension_beyond_45": beyond,
        "extension_not_notified": silent,
        "first_head_not_signed": _first_head(session, flt),
        "closed_without_answer": _without_answer(session, flt),
    }
    summary: list[dict[str, Cell]] = [{"check": CHECKS[key][0], "violations": len(items)} for key, items in found.items()]
    detail: list[dict[str, Cell]] = [
        {"check": CHECKS[key][0], "number": number, "detail": text} for key, items in found.items() for number, text in items
    ]
    definitions = [Definition(title, rule) for title, rule in CHECKS.values()]
    tables = [Table("summary", "Перевірки", SUMMARY, summary), Table("violations", "Порушення", DETAIL, detail)]
    return Report("compliance", "Дотримання вимог закону", describe(session, flt), definitions, tables)
