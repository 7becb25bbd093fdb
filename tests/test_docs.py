"""The README documents every setting and every CLI command the code has."""

from __future__ import annotations

from pathlib import Path

from callcenter.cli import build_parser
from scripts.settings_table import rows


def test_every_setting_is_in_the_readme(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    missing = [env for env, _, _ in rows() if f"`{env}`" not in readme]
    assert missing == [], "regenerate the table with: python scripts/settings_table.py"


def test_every_cli_command_is_in_the_readme(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    missing = [name for name in sub.choices if f"callcenter {name}" not in readme]  # type: ignore[union-attr]
    assert missing == []
