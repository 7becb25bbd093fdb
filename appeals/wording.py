"""Ukrainian wording of the core's error messages: entity, status, action and role names, and per-field problems.

The product speaks Ukrainian only, so the core's messages are Ukrainian; programs rely on the stable codes instead.
"""

from __future__ import annotations

from appeals.reports.labels import APPEAL_STATUS, ISSUE_STATUS

ENTITY = {
    "appeal": ("Звернення", "n"),
    "assignment": ("Доручення", "n"),
    "callback": ("Зворотний дзвінок", "m"),
    "category": ("Категорія", "f"),
    "citizen": ("Громадянин", "m"),
    "command": ("Команда", "f"),
    "executor": ("Виконавець", "m"),
    "incident": ("Аварія", "f"),
    "issue": ("Питання", "n"),
    "job": ("Завдання", "n"),
    "kb_article": ("Стаття бази знань", "f"),
    "notification": ("Сповіщення", "n"),
    "petition": ("Петиція", "f"),
    "recording": ("Запис розмови", "m"),
    "recording file": ("Файл запису розмови", "m"),
    "report": ("Звіт", "m"),
    "routing_rule": ("Правило маршрутизації", "n"),
    "transcript": ("Розшифровка", "f"),
    "user": ("Користувач", "m"),
    "attachment": ("Фото", "n"),
}
"""Entity code → (Ukrainian noun, grammatical gender m/f/n) for "… не існує або недоступн(ий|а|е) вам"."""

_NOT_VISIBLE = {"m": "недоступний", "f": "недоступна", "n": "недоступне"}

STATUS = {
    **ISSUE_STATUS,
    **{f"appeal:{k}": v for k, v in APPEAL_STATUS.items()},
    "callback:pending": "Очікує",
    "callback:in_progress": "Виконується",
    "callback:done": "Завершено",
    "callback:cancelled": "Скасовано",
    "incident:proposed": "Запропоновано",
    "incident:active": "Діє",
    "incident:closed": "Закрито",
    "incident:dismissed": "Відхилено",
    "petition:submitted": "Подано",
    "petition:rejected": "Не оприлюднено",
    "petition:collecting": "Збір підписів",
    "petition:consideration": "На розгляді",
    "petition:answered": "Надано відповідь",
    "petition:failed": "Не набрала підписів",
    "notification:pending": "Очікує",
    "notification:sending": "Надсилається",
    "notification:sent": "Надіслано",
    "notification:failed": "Помилка надсилання",
    "notification:cancelled": "Скасовано",
}
"""Status code (or `entity:status` where the entity has its own meaning) → Ukrainian name."""


ACTION = {
    "register": "зареєструвати",
    "assign": "передати виконавцю",
    "accept": "прийняти в роботу",
    "return_to_dispatch": "повернути як не в компетенції",
    "report_done": "позначити виконаним",
    "report_explained": "позначити роз'ясненим",
    "postpone": "відкласти (план-програма)",
    "extend": "продовжити строк",
    "start_verification": "почати перевірку",
    "confirm": "підтвердити",
    "dispute": "заперечити виконання",
    "no_answer": "позначити «не відповідає»",
    "close_unverified": "закрити без підтвердження",
    "close_explained": "закрити як роз'яснене",
    "escalate": "ескалювати керівнику",
    "return_incomplete": "повернути заявнику (ст. 5)",
    "forward_out": "переслати за належністю (ст. 7)",
    "not_consider": "не розглядати (ст. 8)",
    "link_incident": "приєднати до аварії",
    "unlink_incident": "від'єднати від аварії",
    "resolve_incident": "закрити разом з аварією",
    "reopen": "відкрити повторно",
    "cancel": "скасувати",
    "attach": "приєднати до іншого звернення",
    "consultation": "оформити як консультацію",
    "discard": "позначити як «не звернення»",
    "restore": "відновити чернетку",
    "update": "змінити",
}

ROLE = {
    "operator": "оператор",
    "supervisor": "супервізор",
    "callback_agent": "агент зворотного зв'язку",
    "executor": "виконавець",
    "head": "керівник",
    "admin": "адміністратор",
}

FIELD_PROBLEM = {
    "required": "Обов'язкове поле",
    "missing": "Обов'язкове поле",
    "unknown": "Такого запису немає в довіднику",
    "taken": "Це значення вже використовується",
    "invalid": "Неприпустиме значення",
    "too_short": "Закоротке значення",
    "too_long": "Задовге значення",
    "not_later": "Новий строк має бути пізніше за поточний",
    "beyond_45_days": "Не більше 45 днів від надходження (ст. 20)",
    "cycle": "Категорія не може бути батьківською сама для себе",
    "format": "Неправильний формат",
}
"""A field's problem code → what the operator reads next to the field when the core gives no sentence of its own."""


def entity_name(entity: str) -> str:
    return ENTITY.get(entity, (entity, "m"))[0]


def not_found(entity: str, key: object) -> str:
    noun, gender = ENTITY.get(entity, (entity, "m"))
    return f"{noun} {key} не існує або {_NOT_VISIBLE[gender]} вам"


def status_name(entity: str, status: str) -> str:
    return STATUS.get(f"{entity}:{status}") or STATUS.get(status, status)


def action_name(action: str) -> str:
    return ACTION.get(action, action)


def role_name(role: str) -> str:
    return ROLE.get(role, role)


def field_problem(code: str) -> str:
    return FIELD_PROBLEM.get(code, FIELD_PROBLEM["invalid"])
