"""The `callcenter` command line: api, db upgrade, seed, user add, demo."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlmodel import Session

from agent_console.settings import get_api_settings
from appeals.accounts import create_user
from appeals.errors import AppealsError
from appeals.models import Role
from appeals.seeding import seed_reference
from callcenter import cli_asr, cli_listener, cli_pbxsim, cli_scheduler, cli_workers, demo, probe
from callcenter.wiring import build_api, open_resources, upgrade_database
from runtime.db import build_engine
from runtime.heap import freeze_startup_heap
from runtime.log import configure_logging
from runtime.settings import get_runtime_settings


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _cmd_db(_args: argparse.Namespace) -> int:
    settings = get_runtime_settings()
    upgrade_database(settings.effective_database_url)
    _out("database is up to date")
    return 0


def _cmd_seed(args: argparse.Namespace) -> int:
    settings = get_runtime_settings()
    engine = build_engine(settings.effective_database_url)
    with Session(engine) as session:
        report = seed_reference(session, gazetteer=args.gazetteer)
    _out(
        f"seeded: {report.executors} executors, {report.roles} role bindings, {report.categories} categories, +{report.streets} streets, +{report.buildings} buildings"
    )
    return 0


def _cmd_user_add(args: argparse.Namespace) -> int:
    settings = get_runtime_settings()
    engine = build_engine(settings.effective_database_url)
    with Session(engine) as session:
        user = create_user(
            session,
            args.name,
            role=Role(args.role),
            password=args.password,
            now=datetime.now(UTC),
            full_name=args.full_name or "",
            extension=args.extension,
            executor_code=args.org,
        )
    _out(f"user {user.username} ({user.role.value}) created with id {user.id}")
    return 0


def _cmd_api(args: argparse.Namespace) -> int:
    import uvicorn

    settings, api = get_runtime_settings(), get_api_settings()
    configure_logging(settings.log_level)
    resources = open_resources(settings)
    try:
        app = build_api(settings, api, resources)
        freeze_startup_heap()
        uvicorn.run(app, host=args.host or api.api_host, port=args.port or api.api_port, log_config=None, ws="websockets-sansio")  # type: ignore[arg-type]
    finally:
        resources.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callcenter", description="Municipal contact-center backend")
    sub = parser.add_subparsers(dest="command", required=True)
    api = sub.add_parser("api", help="serve the REST/WebSocket API and the console")
    api.add_argument("--host")
    api.add_argument("--port", type=int)
    api.set_defaults(func=_cmd_api)
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(func=_cmd_db)
    seed = sub.add_parser("seed", help="load reference data (categories, executors, gazetteer)")
    seed.add_argument("--gazetteer", type=_path, help="a gazetteer CSV replacing the sample one")
    seed.set_defaults(func=_cmd_seed)
    user = sub.add_parser("user", help="staff accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--password", required=True)
    add.add_argument("--extension", help="the phone's AMI interface, e.g. PJSIP/op101 (operators)")
    add.add_argument("--org", help="executor organisation code (executors)")
    add.add_argument("--full-name")
    add.set_defaults(func=_cmd_user_add)
    cli_workers.add_commands(sub)
    cli_asr.add_commands(sub)
    cli_scheduler.add_commands(sub)
    cli_listener.add_commands(sub)
    cli_pbxsim.add_commands(sub)
    probe.add_commands(sub)
    demo_cmd = sub.add_parser("demo", help="run the whole product on embedded defaults")
    demo_cmd.add_argument("--port", type=int, default=8000)
    demo_cmd.add_argument("--data-dir", default="var/demo")
    demo_cmd.add_argument("--pbx-control-port", type=int, default=demo.PBX_SIM_CONTROL_PORT, help="the simulator's HTTP control port")
    demo_cmd.set_defaults(func=demo.run)
    return parser


def _path(value: str) -> object:
    from pathlib import Path

    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {value}")
    return path


def describe_settings_error(exc: ValidationError) -> str:
    """One line per refused setting, named as the environment variable (`CALLCENTER_HUB_QUEUE_SIZE=0: …`); a value
    is echoed unless the setting may hold a secret (keys, passwords, URLs with credentials)."""
    lines = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        if not error["loc"]:
            lines.append(message)
            continue
        name = "CALLCENTER_" + str(error["loc"][0]).upper()
        secret = any(word in name for word in ("SECRET", "PASSWORD", "KEY", "URL", "TOKEN"))
        shown = name if secret or not isinstance(error.get("input"), str | int | float) else f"{name}={error['input']}"
        lines.append(f"{shown}: {message}")
    return "; ".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ValidationError as exc:
        sys.stderr.write(f"callcenter: invalid settings: {describe_settings_error(exc)}\n")
        return 2
    except AppealsError as exc:
        sys.stderr.write(f"callcenter: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
