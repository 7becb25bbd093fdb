"""Telephony settings and the `callcenter listener` command's refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from telephony.settings import TelephonySettings

CALLCENTER = str(Path(sys.executable).parent / "callcenter")


def test_comma_lists_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLCENTER_AMI_TRUNK_ENDPOINTS", "trunk, trunk-backup")
    monkeypatch.setenv("CALLCENTER_AMI_INBOUND_CONTEXTS", "from-trunk,from-pstn")
    monkeypatch.setenv("CALLCENTER_AMI_SECRET", "a-real-secret")
    settings = TelephonySettings()
    assert settings.ami_trunk_endpoints == ("trunk", "trunk-backup")
    assert settings.ami_inbound_contexts == ("from-trunk", "from-pstn")


def test_demo_secret_refused_outside_demo_mode() -> None:
    with pytest.raises(ValidationError, match="CALLCENTER_AMI_SECRET is unset or the demo secret"):
        TelephonySettings(demo=False)
    assert TelephonySettings(demo=True).ami_secret.get_secret_value() == "callcenter-demo"
    with pytest.raises(ValidationError, match="CALLCENTER_CDR_DATABASE_URL is not an SQLAlchemy URL"):
        TelephonySettings(demo=True, cdr_database_url="not a url")


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}  # noqa: S108 - a throwaway HOME for the child
    return subprocess.run([CALLCENTER, "listener"], env=base | env, capture_output=True, text=True, timeout=60, check=False)


def test_listener_command_refusals() -> None:
    no_redis = _run({"CALLCENTER_DEMO": "1"})
    assert no_redis.returncode == 2
    assert "set CALLCENTER_REDIS_URL" in no_redis.stderr
    no_secret = _run({"CALLCENTER_SECRET_KEY": "x" * 32, "CALLCENTER_REDIS_URL": "redis://127.0.0.1:6379/15"})
    assert no_secret.returncode == 2
    assert "CALLCENTER_AMI_SECRET is unset or the demo secret" in no_secret.stderr
    assert "Traceback" not in no_secret.stderr
