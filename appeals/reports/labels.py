"""Ukrainian names of the register's codes, as reports and public pages show them."""

from __future__ import annotations

CHANNEL = {
    "phone": "Телефон (контакт-центр)",
    "email": "Електронна пошта",
    "web": "Вебформа",
    "petition": "Електронна петиція",
    "open311": "Open311 (застосунки)",
    "post": "Поштою",
    "personal": "Особистий прийом",
}
FORM = {"oral": "Усне", "written": "Письмове", "electronic": "Електронне"}
KIND = {"proposal": "Пропозиція (зауваження)", "application": "Заява (клопотання)", "complaint": "Скарга"}
SUBJECT = {"individual": "Індивідуальне", "collective": "Колективне", "anonymous": "Анонімне"}
STATUTORY_SOURCE = {
    "post": "Поштою",
    "personal": "На особистому прийомі",
    "phone": "Телефоном (контакт-центр, гаряча лінія)",
    "electronic": "Електронні (e-mail, вебформа, Open311, петиції)",
}
RESULT = {
    "positive": "Вирішено позитивно",
    "explained": "Роз'яснено",
    "negative": "Не вирішено (план-програма, відмова)",
    "other": "Інше (переслано, повернуто, не розглядалось, скасовано)",
    "pending": "На розгляді",
}
PRIVILEGE = {
    "war_disabled": "Особи з інвалідністю внаслідок війни",
    "combatant": "Учасники бойових дій",
    "war_participant": "Учасники війни",
    "war_child": "Діти війни",
    "disabled_1": "Особи з інвалідністю I групи",
    "disabled_2": "Особи з інвалідністю II групи",
    "disabled_3": "Особи з інвалідністю III групи",
    "disabled_child": "Діти з інвалідністю",
    "chornobyl": "Постраждалі внаслідок Чорнобильської катастрофи",
    "large_family": "Багатодітні сім'ї",
    "single_mother": "Одинокі матері",
    "mother_heroine": "Матері-героїні",
    "labour_veteran": "Ветерани праці",
    "hero_ukraine": "Герої України",
    "hero_ussr": "Герої Радянського Союзу",
    "hero_socialist_labour": "Герої Соціалістичної Праці",
    "idp": "Внутрішньо переміщені особи",
}
TOPIC_GROUP = {
    "communal": "Комунальне господарство",
    "housing": "Житлова політика",
    "ecology": "Екологія та природні ресурси",
    "transport": "Транспорт і зв'язок",
    "trade": "Торгівля, побутове обслуговування",
    "social": "Соціальний захист",
    "education": "Освіта, наукова діяльність",
    "health": "Охорона здоров'я",
    "family": "Сім'я, діти, молодь, гендерна рівність",
    "civil": "Цивільний захист, оборона",
    "state": "Діяльність органів влади",
    "law_order": "Забезпечення законності та правопорядку",
    "other": "Інші",
}
ISSUE_STATUS = {
    "draft": "Чернетка",
    "registered": "Зареєстровано",
    "linked_to_incident": "Приєднано до аварії",
    "assigned": "Передано виконавцю",
    "in_work": "В роботі",
    "returned_to_dispatch": "Повернуто диспетчеру",
    "reported_done": "Виконано (очікує підтвердження)",
    "reported_explained": "Роз'яснено (на перевірці)",
    "postponed": "Включено в план-програму",
    "extended": "Строк продовжено",
    "on_verification": "На перевірці",
    "rework": "На доопрацюванні",
    "escalated": "Ескалація керівнику",
    "reopened": "Відкрито повторно",
    "closed_confirmed": "Закрито (підтверджено заявником)",
    "closed_unverified": "Закрито (не вдалося підтвердити)",
    "closed_explained": "Закрито (роз'яснено)",
    "returned_incomplete": "Повернуто заявнику (ст. 5)",
    "forwarded_out": "Переслано за належністю (ст. 7)",
    "not_considered": "Не розглядалось (ст. 8)",
    "cancelled": "Скасовано",
}
APPEAL_STATUS = {
    "draft": "Чернетка",
    "registered": "На розгляді",
    "consultation": "Консультація",
    "discarded": "Не звернення",
    "closed": "Розглянуто",
}
CALLBACK_KIND = {"verification": "Підтвердження виконання", "missed_call": "Пропущений дзвінок", "requested_callback": "Замовлений дзвінок"}
EMERGENCY = {"emergency": "Аварійна", "urgent": "Термінова", "normal": "Звичайна"}


def label(table: dict[str, str], code: str | None) -> str:
    """The Ukrainian name of `code`, or the code itself when the table has none."""
    if code is None:
        return "—"
    return table.get(code, code)


_ALPHABET = "0123456789абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_ORDER = {ch: i for i, ch in enumerate(_ALPHABET)}


def uk_key(text: str) -> tuple[int, ...]:
    """A sort key in Ukrainian alphabetical order (code points put І, Ї, Є, Ґ before А); case and punctuation ignored."""
    return tuple(_ORDER.get(ch, 100 + ord(ch)) for ch in text.lower() if ch.isalnum())
