"""The catalogue of pause reasons an operator picks from (the PBX records the code as the member's paused reason)."""

from __future__ import annotations

PAUSE_REASONS: dict[str, str] = {
    "wrap_up": "Обробка після дзвінка",
    "break": "Перерва",
    "lunch": "Обід",
    "training": "Навчання",
    "meeting": "Нарада",
    "supervisor": "Завдання супервізора",
    "technical": "Технічна проблема",
}
