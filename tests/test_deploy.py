"""compose.yaml, .env.example and the Dockerfile checked against the code: every process gets the settings its command
needs (validated by the real settings classes), health checks everywhere, no secret in the file, the CDR table.

Nothing on this machine runs Docker, so the file is checked statically, and the pieces that can run here do:
the PostgreSQL init script (on a private server), the Asterisk config renderer, the CLI commands compose calls.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from callcenter.cli import build_parser
from scripts.env_example import COMPOSE_ONLY, render
from scripts.settings_table import rows, settings_classes
from tests.drills.servers import PrivatePostgres
from workers.process import resolve_queues

ROOT = Path(__file__).resolve().parent.parent
VAR = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?+][^}]*)?\}")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY$")
# What the listener needs from compose (telephony/settings.py): the AMI link and the CDR database.
TELEPHONY_SEAM = {
    "CALLCENTER_AMI_HOST",
    "CALLCENTER_AMI_PORT",
    "CALLCENTER_AMI_USERNAME",
    "CALLCENTER_AMI_SECRET",
    "CALLCENTER_CDR_DATABASE_URL",
}
CDR_COLUMNS = [
    ("calldate", "timestamp with time zone"),
    ("clid", "character varying"),
    ("src", "character varying"),
    ("dst", "character varying"),
    ("dcontext", "character varying"),
    ("channel", "character varying"),
    ("dstchannel", "character varying"),
    ("lastapp", "character varying"),
    ("lastdata", "character varying"),
    ("duration", "integer"),
    ("billsec", "integer"),
    ("disposition", "character varying"),
    ("amaflags", "integer"),
    ("accountcode", "character varying"),
    ("uniqueid", "character varying"),
    ("userfield", "character varying"),
    ("peeraccount", "character varying"),
    ("linkedid", "character varying"),
    ("sequence", "integer"),
]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    server.start()
    yield server
    server.destroy()


def _known_settings() -> set[str]:
    return {env for env, _, _ in rows()}


def _app_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services running our image (the `callcenter` entrypoint)."""
    return {name: s for name, s in compose["services"].items() if s.get("image") == "callcenter:latest"}


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    assert isinstance(env, dict), "write environment as a mapping"
    return {str(k): str(v) for k, v in env.items()}


def _mount_targets(service: dict[str, Any]) -> set[str]:
    return {VAR.sub("x", str(v)).split(":")[1] for v in service.get("volumes") or []}


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def _needs(command: list[str]) -> set[str]:
    """The settings a `callcenter` command reads that have no usable default in a deployment."""
    needs = {"CALLCENTER_DATABASE_URL", "CALLCENTER_REDIS_URL", "CALLCENTER_SECRET_KEY"}
    if command[0] == "api":
        needs |= {"CALLCENTER_RECORDINGS_DIR", "CALLCENTER_PUBLIC_URL"}
    if command[0] == "listener":
        needs |= TELEPHONY_SEAM
    if command[0] == "worker":
        queues = resolve_queues([q for q in command[1:] if not q.startswith("-")])
        if "asr" in queues:
            needs |= {"CALLCENTER_RECORDINGS_DIR", "CALLCENTER_VOSK_MODEL_PATH"}
        if "default" in queues:
            needs |= {"CALLCENTER_DATA_DIR"}  # the e-mail intake stores messages and attachments there
        if {"notify", "routing"} & set(queues):
            needs |= {"CALLCENTER_PUBLIC_URL"}
    return needs


def _interpolated(value: str) -> str:
    """A compose value with each ${VAR…} replaced by a plausible site value (URL-safe, long enough for secrets)."""
    return VAR.sub(lambda m: "2" if m.group(1).endswith("WORKERS") else "site-value-0123456789abcdef", value)


def test_the_stack_has_every_part_of_the_product(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"asterisk", "postgres", "redis", "api", "listener", "worker-asr", "worker", "scheduler", "proxy"} <= set(services)
    commands = {name: s["command"][0] for name, s in _app_services(compose).items()}
    assert sorted(commands.values()).count("listener") == 1
    assert services["listener"].get("deploy", {}).get("replicas", 1) == 1, "one listener per Asterisk"
    assert services["api"]["deploy"]["replicas"] >= 2
    assert services["worker-asr"]["command"] == ["worker", "asr"]
    assert services["scheduler"]["command"] == ["scheduler"]
    image, tag = services["asterisk"]["image"].rsplit(":", 1)
    assert image == "andrius/asterisk"
    assert tag[0].isdigit(), "pin an Asterisk release, not latest"


def test_every_command_compose_runs_is_a_real_cli_command(compose: dict[str, Any]) -> None:
    parser = build_parser()
    for name, service in _app_services(compose).items():
        args = parser.parse_args(service["command"])
        assert callable(args.func), name
        if service["command"][0] == "worker":
            resolve_queues(service["command"][1:])
        test = service.get("healthcheck", {}).get("test", [])
        if test[:2] == ["CMD", "callcenter"]:
            parser.parse_args(test[2:])


def test_every_process_gets_the_settings_its_command_needs(compose: dict[str, Any]) -> None:
    for name, service in _app_services(compose).items():
        env = _env(service)
        missing = _needs(service["command"]) - set(env)
        assert not missing, f"service {name} lacks {sorted(missing)}"
        mounts = _mount_targets(service)
        for key in ("CALLCENTER_RECORDINGS_DIR", "CALLCENTER_VOSK_MODEL_PATH"):
            if key in _needs(service["command"]):
                assert env[key] in mounts, f"service {name}: {key}={env[key]} is not a mounted volume"
        if "CALLCENTER_DATA_DIR" in _needs(service["command"]):
            assert env["CALLCENTER_DATA_DIR"] in mounts, f"service {name}: the data dir must be a volume"


def test_every_setting_in_compose_exists_and_validates(compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    known = _known_settings()
    for name, service in _app_services(compose).items():
        env = _env(service)
        unknown = {k for k in env if k.startswith("CALLCENTER_")} - known
        assert not unknown, f"service {name} sets unknown settings {sorted(unknown)}"
        for key in [k for k in os.environ if k.startswith("CALLCENTER_")]:
            monkeypatch.delenv(key)
        for key, value in env.items():
            monkeypatch.setenv(key, _interpolated(value))
        for cls in settings_classes():
            if cls.__module__ == "telephony.settings" and service["command"][0] != "listener":
                continue  # only the listener (and the simulator) read the AMI settings
            cls()  # raises ValidationError on a wrong value (bad URL, short secret, demo secret, not a number …)


def test_the_api_and_the_listener_reach_the_same_recordings_as_asterisk(compose: dict[str, Any]) -> None:
    services = compose["services"]
    asterisk_volume = next(v for v in services["asterisk"]["volumes"] if v.endswith(":/var/spool/asterisk/monitor"))
    volume = asterisk_volume.split(":")[0]
    assert volume in compose["volumes"]
    for name in ("api", "worker-asr"):
        assert f"{volume}:/recordings:ro" in services[name]["volumes"], name


def test_no_secret_is_written_in_the_file(compose: dict[str, Any]) -> None:
    raw = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "callcenter-demo" not in raw
    assert "demo-secret" not in raw
    for name, service in compose["services"].items():
        for key, value in _env(service).items():
            if SECRET_NAME.search(key):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+(:\?[^}]*|:-)?\}", value), f"{name}.{key} must come from .env as ${{VAR}}"
            url_password = re.match(r"^[a-z+]+://[^:/@]+:([^@]*)@", value)
            if url_password:
                assert re.fullmatch(r"\$\{[A-Z0-9_]+(:\?[^}]*)?\}", url_password.group(1)), f"{name}.{key}: password in a URL"


def test_every_long_running_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if service.get("restart") == "no":  # one-shot jobs (migrate, seed)
            continue
        test = service.get("healthcheck", {}).get("test")
        assert test, f"service {name} has no health check"
        assert test[0] in ("CMD", "CMD-SHELL"), f"service {name}: health check {test!r}"


def test_ami_is_never_published(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for port in service.get("ports") or []:
            assert "5038" not in str(port), f"{name} publishes the AMI port"
    assert compose["networks"]["ami"]["internal"] is True
    on_ami = {name for name, s in compose["services"].items() if "ami" in (s.get("networks") or {})}
    assert on_ami == {"asterisk", "listener"}


def test_env_example_is_generated_from_the_settings_and_lists_each_one() -> None:
    text_ = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert text_ == render(), "regenerate it: python scripts/env_example.py --write .env.example"
    keys = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", text_, flags=re.MULTILINE))
    settings = {env for env, _, _ in rows()}
    assert {k for k in keys if k.startswith("CALLCENTER_")} == settings
    assert keys - settings == set(COMPOSE_ONLY)


def test_every_variable_compose_interpolates_is_in_env_example(compose: dict[str, Any]) -> None:
    used = {name for value in _strings(compose) for name in VAR.findall(value)}
    listed = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert used - listed == set()


def test_dockerfile_runs_the_cli_as_an_unprivileged_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r'^ENTRYPOINT \["callcenter"\]$', dockerfile, flags=re.MULTILINE)
    assert re.search(r"^USER (?!root)\w+", dockerfile, flags=re.MULTILINE)
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()


def test_asterisk_start_renders_the_sites_secrets(tmp_path: Path) -> None:
    src, dst, site = tmp_path / "src", tmp_path / "dst", tmp_path / "site"
    for folder in (src, dst, site):
        folder.mkdir()
    (src / "manager.conf").write_text("[general]\nenabled = yes\n\n[callcenter]\nsecret = callcenter-demo\nread = all\n")
    (src / "cdr_pgsql.conf").write_text(
        "[global]\nhostname=127.0.0.1\nport=5432\ndbname=asterisk\nuser=asterisk\npassword=demo\ntable=cdr\n"
    )
    (src / "extensions.conf").write_text("[globals]\nCC_IVR_KEY =          ; = CALLCENTER_IVR_KEY\n[from-trunk]\n")
    (site / "pjsip.conf").write_text("[op101]\npassword = the-sites-own\n")
    secret, cdr_pw = r"s3&cr/e\t$x", r"p&w/\n"
    env = {"PATH": os.environ["PATH"], "ASTERISK_CONFIG_SRC": str(src), "ASTERISK_CONFIG_DST": str(dst), "ASTERISK_BIN": "true"}
    env |= {"ASTERISK_SITE_CONFIG": str(site), "CALLCENTER_IVR_KEY": "ivr&key"}
    script = str(ROOT / "deploy" / "asterisk" / "start.sh")
    done = subprocess.run(
        ["sh", script], env={**env, "CALLCENTER_AMI_SECRET": secret, "ASTERISK_CDR_PASSWORD": cdr_pw}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert f"secret = {secret}\n" in (dst / "manager.conf").read_text()
    cdr = (dst / "cdr_pgsql.conf").read_text()
    assert f"password={cdr_pw}\n" in cdr
    assert "hostname=postgres\n" in cdr
    assert "dbname=asterisk_cdr\n" in cdr
    assert "CC_IVR_KEY = ivr&key\n" in (dst / "extensions.conf").read_text()
    assert (dst / "pjsip.conf").read_text() == "[op101]\npassword = the-sites-own\n"
    assert (dst / "rtp.conf").read_text() == "[general]\nrtpstart=10000\nrtpend=10099\n"  # the range compose publishes
    refused = subprocess.run(
        ["sh", script],
        env={**env, "CALLCENTER_AMI_SECRET": "callcenter-demo", "ASTERISK_CDR_PASSWORD": "x"},
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2
    assert "demo secret" in refused.stderr


def test_postgres_init_creates_the_standard_cdr_table(private_pg: PrivatePostgres) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "PGHOST": "127.0.0.1",
        "PGPORT": str(private_pg.port),
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": "postgres",
        "ASTERISK_CDR_PASSWORD": "cdr-pw",
    }
    done = subprocess.run(["sh", str(ROOT / "deploy" / "postgres" / "10-asterisk-cdr.sh")], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    owner = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{private_pg.port}/asterisk_cdr")
    with owner.connect() as conn:
        columns = conn.execute(
            text("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'cdr' ORDER BY ordinal_position")
        ).all()
    owner.dispose()
    assert [tuple(c) for c in columns] == CDR_COLUMNS
    asterisk = create_engine(f"postgresql+psycopg://asterisk:cdr-pw@127.0.0.1:{private_pg.port}/asterisk_cdr")
    with asterisk.begin() as conn:  # what cdr_pgsql does at hangup
        conn.execute(
            text(
                "INSERT INTO cdr (calldate, src, dst, dcontext, channel, disposition, duration, billsec, uniqueid, linkedid) "
                "VALUES (now(), '0501234567', '1551', 'from-trunk', 'PJSIP/trunk-00000001', 'ANSWERED', 30, 25, '1.1', '1.1')"
            )
        )
    with pytest.raises(ProgrammingError, match="permission denied"), asterisk.connect() as conn:
        conn.execute(text("SELECT count(*) FROM cdr"))  # Asterisk's role writes, it does not read
    asterisk.dispose()


def _compose_spec_check(path: Path) -> subprocess.CompletedProcess[str]:
    """The official compose-spec JSON schema (vendored by check-jsonschema), as `docker compose config` would apply it."""
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_compose_file_follows_the_compose_specification(tmp_path: Path) -> None:
    done = _compose_spec_check(ROOT / "compose.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "compose.yaml"
    broken.write_text((ROOT / "compose.yaml").read_text(encoding="utf-8").replace("restart: unless-stopped", "restart: [sometimes]", 1))
    assert _compose_spec_check(broken).returncode == 1  # the check is live
