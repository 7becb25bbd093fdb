"""The `callcenter` command line as a user runs it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TEST_SECRET = "cli-test-secret-0123456789"


def run(tmp_path: Path, *args: str, secret: str = TEST_SECRET) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "CALLCENTER_SECRET_KEY": secret,
        "CALLCENTER_DATA_DIR": str(tmp_path),
    }
    return subprocess.run([sys.executable, "-m", "callcenter", *args], env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    assert run(tmp_path, "seed").returncode == 0
    return tmp_path


def test_db_upgrade_seed_and_user_add(migrated: Path) -> None:
    again = run(migrated, "seed")
    assert again.returncode == 0
    assert "+0 streets" in again.stdout
    added = run(migrated, "user", "add", "operator7", "--role", "operator", "--password", "pw1234", "--extension", "PJSIP/op107")
    assert added.returncode == 0, added.stderr
    assert "operator7 (operator) created" in added.stdout
    executor = run(migrated, "user", "add", "crew", "--role", "executor", "--password", "pw1234", "--org", "btve")
    assert executor.returncode == 0, executor.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "x", "--role", "operator", "--password", "pw1234"], "потрібен AMI-інтерфейс телефону"),
        (["user", "add", "y", "--role", "executor", "--password", "pw1234", "--org", "nope"], "Немає організації-виконавця з кодом «nope»"),
        (["user", "add", "z", "--role", "admin", "--password", "pw"], "щонайменше 4 символи"),
    ],
)
def test_bad_user_input_is_one_clear_line(migrated: Path, args: list[str], message: str) -> None:
    result = run(migrated, *args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_role_is_a_usage_error(migrated: Path) -> None:
    result = run(migrated, "user", "add", "q", "--role", "king", "--password", "pw1234")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_placeholder_secret_is_refused_outside_demo(tmp_path: Path) -> None:
    result = run(tmp_path, "db", "upgrade", secret="demo-secret-change-me")
    assert result.returncode == 2
    assert "CALLCENTER_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
