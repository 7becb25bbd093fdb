"""Print the README's settings table from every package's settings class (`python scripts/settings_table.py`)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings

PACKAGES = ("runtime", "agent_console", "telephony", "workers", "asr", "appeals", "callcenter")


def settings_classes() -> list[type[BaseSettings]]:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    found: list[type[BaseSettings]] = []
    for package in PACKAGES:
        if not (root / package / "settings.py").exists():
            continue
        module = importlib.import_module(f"{package}.settings")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseSettings)
                and value is not BaseSettings
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def rows() -> list[tuple[str, str, str]]:
    """One row per environment variable (a variable read by several packages is listed once)."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for cls in settings_classes():
        prefix = str(cls.model_config.get("env_prefix", ""))
        for name, field in cls.model_fields.items():
            default = field.default if field.default_factory is None else field.default_factory()  # type: ignore[call-arg]
            if isinstance(default, SecretStr):
                default = default.get_secret_value()
            shown = "" if default in ("", None) else str(default)
            if "secret" in name or "password" in name:
                shown = "(none outside demo)" if shown else ""
            env = (prefix + name).upper()
            if env not in seen:
                seen.add(env)
                out.append((env, shown, (field.description or "").replace("|", "\\|")))
    return out


def table() -> str:
    lines = ["| setting | default | meaning |", "|---|---|---|"]
    lines += [f"| `{env}` | `{default}` | {meaning} |" if default else f"| `{env}` | | {meaning} |" for env, default, meaning in rows()]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Print the table, or with `--write FILE` replace the block between the settings-table markers in FILE."""
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        path = Path(sys.argv[2])
        text = path.read_text(encoding="utf-8")
        start, end = "<!-- settings-table -->\n", "<!-- /settings-table -->"
        head, rest = text.split(start, 1)
        path.write_text(head + start + table() + end + rest.split(end, 1)[1], encoding="utf-8")
        return
    sys.stdout.write(table())


if __name__ == "__main__":
    main()
