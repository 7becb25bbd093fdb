"""The list of reports the product offers, and building one by its key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from appeals.errors import NotFoundError
from appeals.reports.callback_desk import callback_report
from appeals.reports.categories import by_category
from appeals.reports.compliance import compliance
from appeals.reports.consultations import consultations
from appeals.reports.emergency import emergency_response
from appeals.reports.executors import executor_card
from appeals.reports.model import Report
from appeals.reports.operations import DEFAULT_SERVICE_LEVEL_SECONDS, operations
from appeals.reports.register import overdue_register
from appeals.reports.repeats import repeats
from appeals.reports.scope import ReportFilter
from appeals.reports.statutory import statutory


@dataclass(frozen=True)
class ReportOptions:
    """Site settings some reports need (the entrypoint reads them, the core never does)."""

    service_level_seconds: int = DEFAULT_SERVICE_LEVEL_SECONDS


Builder = Callable[[Session, ReportFilter, datetime, ReportOptions], Report]


@dataclass(frozen=True)
class ReportSpec:
    key: str
    title: str
    summary: str
    build: Builder
    uses_period: bool = True


def _plain(func: Callable[..., Report]) -> Builder:
    return lambda session, flt, now, _options: func(session, flt, now=now)


REPORTS: dict[str, ReportSpec] = {
    spec.key: spec
    for spec in (
        ReportSpec(
            "executors",
            "Ефективність виконавців",
            "% вчасно за формулою Києва, прострочені, швидкість, доопрацювання, підтвердження, задоволеність",
            _plain(executor_card),
        ),
        ReportSpec(
            "categories", "За категоріями", "кількість, динаміка, час вирішення, % у межах нормативу, гарячі точки", _plain(by_category)
        ),
        ReportSpec(
            "overdue",
            "Прострочені та «увага»",
            "щоденний реєстр відкритих питань зі строком, що минув або наближається",
            _plain(overdue_register),
            uses_period=False,
        ),
        ReportSpec("repeats", "Повторні звернення", "частка повторних і повторно відкритих, хронічні адреси", _plain(repeats)),
        ReportSpec(
            "callbacks", "Зворотні дзвінки", "дозвон, підтвердження, спростування, закриття без підтвердження", _plain(callback_report)
        ),
        ReportSpec(
            "emergency", "Реагування на аварії", "час прийняття та усунення аварійних питань проти нормативу", _plain(emergency_response)
        ),
        ReportSpec("consultations", "Консультації", "консультації за темами, контакти за каналами", _plain(consultations)),
        ReportSpec(
            "statutory",
            "Звіт про звернення (КМУ № 858)",
            "за джерелом, видом, результатом, категорією автора і тематикою проти минулого року",
            _plain(statutory),
        ),
        ReportSpec(
            "compliance",
            "Дотримання закону",
            "пересилання та повернення із запізненням, продовження понад 45 днів, відповіді без підпису керівника",
            _plain(compliance),
        ),
        ReportSpec(
            "operations",
            "Робота контакт-центру",
            "надійшло, прийнято, втрачено, рівень обслуговування, тривалість розмови, оператори",
            lambda session, flt, now, options: operations(session, flt, now=now, service_level_seconds=options.service_level_seconds),
        ),
    )
}


def build_report(key: str, session: Session, flt: ReportFilter, *, now: datetime, options: ReportOptions | None = None) -> Report:
    """The report `key` for the filter.

    Raises:
        NotFoundError: no report has this key.
    """
    spec = REPORTS.get(key)
    if spec is None:
        raise NotFoundError("report", key)
    return spec.build(session, flt, now, options or ReportOptions())
