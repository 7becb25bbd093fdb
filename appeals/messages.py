"""The texts the system sends (Ukrainian): to executors, citizens and supervisors. Pure functions, no I/O.

Links to the console are written as `{console_url}/…`; the delivery job puts the configured public URL in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from appeals.deadlines import KYIV

CONSOLE = "{console_url}"
REPLY_HINT = (
    "Щоб звітувати листом, дайте відповідь на цей лист, не змінюючи теми; перший рядок — одне зі слів:\n"
    "ПРИЙНЯТО, ВИКОНАНО, РОЗ'ЯСНЕНО, НЕ В КОМПЕТЕНЦІЇ; далі — текст звіту."
)


@dataclass(frozen=True)
class Text:
    """A message: e-mail subject and body, and a short form for SMS."""

    subject: str
    body: str
    short: str = ""


@dataclass(frozen=True)
class IssueFacts:
    """What a message says about one issue."""

    number: str
    category: str
    address: str
    description: str
    due_at: datetime | None
    emergency: bool = False
    issue_id: int = 0
    contact: str = ""


def kyiv(moment: datetime | None) -> str:
    """`24.11.2026 18:00` in Europe/Kyiv; '—' for none."""
    return moment.astimezone(KYIV).strftime("%d.%m.%Y %H:%M") if moment else "—"


def _facts_block(f: IssueFacts) -> str:
    lines = [
        f"Номер: {f.number}",
        f"Категорія: {f.category}",
        f"Адреса: {f.address or '—'}",
        f"Строк виконання: {kyiv(f.due_at)}",
    ]
    if f.contact:
        lines.append(f"Контакт заявника: {f.contact}")
    lines += ["", "Суть звернення:", f.description or "—"]
    return "\n".join(lines)


def executor_assignment(f: IssueFacts, *, executor: str) -> Text:
    mark = "АВАРІЙНЕ " if f.emergency else ""
    body = (
        f"{executor}, вам передано {mark.lower()}доручення контакт-центру.\n\n{_facts_block(f)}\n\n"
        f"Картка доручення: {CONSOLE}/executor/assignments/{f.issue_id}\n\n{REPLY_HINT}\n"
    )
    return Text(f"[{f.number}] {mark}Нове доручення: {f.category}", body, f"{mark}Доручення {f.number}: {f.category}, {f.address}")


def dispatch_alert(f: IssueFacts, *, executor: str) -> Text:
    body = f"Аварійна заявка для чергової служби {executor}.\n\n{_facts_block(f)}\n"
    return Text(
        f"[{f.number}] АВАРІЯ: {f.category} — {f.address}", body, f"АВАРІЯ {f.number}: {f.category}, {f.address}. {f.contact}".strip()
    )


def executor_rework(f: IssueFacts, *, count: int, reason: str) -> Text:
    body = (
        f"Заявник не підтвердив виконання. Доручення повернуто на доопрацювання (повторно: {count}).\n"
        f"Коментар: {reason or '—'}\n\n{_facts_block(f)}\n\nКартка: {CONSOLE}/executor/assignments/{f.issue_id}\n\n{REPLY_HINT}\n"
    )
    return Text(f"[{f.number}] На доопрацювання ({count})", body)


def executor_changed(f: IssueFacts, *, what: str, detail: str = "") -> Text:
    """Cancellation, extension or reopening of an assignment."""
    body = f"{what}.\n{detail}\n\n{_facts_block(f)}\n\nКартка: {CONSOLE}/executor/assignments/{f.issue_id}\n"
    return Text(f"[{f.number}] {what}", body)


def deadline_alert(f: IssueFacts, *, kind: str) -> Text:
    what = {
        "attention": "Наближається строк виконання",
        "sla": "Перевищено нормативний строк реагування",
        "overdue": "ПРОСТРОЧЕНО строк розгляду",
    }.get(kind, kind)
    body = f"{what}.\n\n{_facts_block(f)}\n\nКартка: {CONSOLE}/executor/assignments/{f.issue_id}\n"
    return Text(f"[{f.number}] {what}", body)


def escalation(f: IssueFacts, *, executor: str, reason: str) -> Text:
    body = f"Ескалація: {reason}\nВиконавець: {executor}\n\n{_facts_block(f)}\n\nЗвернення в консолі: {CONSOLE}/issues/{f.issue_id}\n"
    return Text(f"[{f.number}] Ескалація: {reason[:120]}", body)


def returned_to_dispatch(f: IssueFacts, *, executor: str, reason: str, forward_due: datetime | None) -> Text:
    body = (
        f"{executor} повернув доручення як таке, що не належить до компетенції.\nПричина: {reason}\n\n"
        f"Перенаправте іншому виконавцю або перешліть за належністю не пізніше {kyiv(forward_due)} "
        f"з повідомленням заявника (ст. 7 Закону «Про звернення громадян»).\n\n{_facts_block(f)}\n\n"
        f"Звернення в консолі: {CONSOLE}/issues/{f.issue_id}\n"
    )
    return Text(f"[{f.number}] Не в компетенції — потрібне перенаправлення", body)


def citizen_ack(number: str, issues: list[IssueFacts]) -> Text:
    lines = "\n".join(f"  • {f.category}, {f.address or 'без адреси'} — строк до {kyiv(f.due_at)}" for f in issues)
    body = (
        f"Ваше звернення зареєстровано за № {number}.\n\n{lines}\n\n"
        "Про результат розгляду вас буде повідомлено. Зберігайте номер — за ним можна дізнатися стан звернення.\n"
    )
    return Text(f"Звернення зареєстровано: № {number}", body, f"Ваше звернення зареєстровано, № {number}. Контакт-центр міської ради")


def citizen_notice(number: str, *, title: str, text: str, sms: str = "") -> Text:
    """A procedural notice to the applicant (return, forwarding, extension, incident, answer)."""
    return Text(f"Звернення № {number}: {title}", f"{text}\n\nНомер звернення: {number}\n", sms or f"{number}: {title}")


def digest(executor: str, day: str, sections: list[tuple[str, list[IssueFacts]]]) -> Text:
    parts = [f"Щоденний звіт для {executor} на {day}.", ""]
    for title, items in sections:
        parts.append(f"{title}: {len(items)}")
        parts += [f"  • {f.number} — {f.category}, {f.address or '—'}, строк {kyiv(f.due_at)}" for f in items[:50]]
        if len(items) > 50:
            parts.append(f"  … і ще {len(items) - 50}")
        parts.append("")
    parts.append(f"Усі доручення: {CONSOLE}/executor/assignments")
    total = sum(len(items) for _, items in sections)
    return Text(f"Щоденний звіт: {total} доручень потребують уваги ({day})", "\n".join(parts) + "\n")


def mail_rejected(reason: str) -> Text:
    body = f"Ваш лист не зареєстровано як звернення: {reason}\n\nЦей лист надіслано автоматично.\n"
    return Text("Лист не зареєстровано", body)
