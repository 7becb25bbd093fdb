"""`callcenter demo`: the product on embedded defaults (SQLite, embedded Redis), seeded, with demo users.

The demo is a supervisor: it prepares the database, starts the embedded Redis, then runs each part of the
product as a child process (`demo_children`); later parts add their child here.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from appeals.accounts import create_user
from appeals.kb_seed import seed_demo_articles
from appeals.models import Role, User
from appeals.seeding import seed_reference
from callcenter.supervisor import ChildSpec, Supervisor
from callcenter.wiring import upgrade_database
from runtime.db import build_engine
from runtime.log import configure_logging
from runtime.redis import EmbeddedRedis
from runtime.settings import RuntimeSettings

logger = logging.getLogger(__name__)
PBX_SIM_CONTROL_PORT = 8039
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo password, demo mode only
DEMO_USERS: tuple[tuple[str, Role, str | None, str | None, str], ...] = (
    ("admin", Role.admin, None, None, "Адміністратор"),
    ("supervisor", Role.supervisor, None, None, "Старший зміни"),
    ("head", Role.head, None, None, "Заступник міського голови"),
    ("operator1", Role.operator, "PJSIP/op101", None, "Оператор 1"),
    ("operator2", Role.operator, "PJSIP/op102", None, "Оператор 2"),
    ("callback", Role.callback_agent, None, None, "Оператор зворотного зв'язку"),
    ("executor", Role.executor, None, "btve", "Диспетчер КП «Броваритепловодоенергія»"),
)


def ensure_demo_users(session: Session) -> None:
    """Create the demo users that do not exist yet (password `demo`)."""
    now = datetime.now(UTC)
    for name, role, extension, org, full_name in DEMO_USERS:
        if session.exec(select(User.id).where(User.username == name)).first() is None:
            create_user(
                session, name, role=role, password=DEMO_PASSWORD, now=now, full_name=full_name, extension=extension, executor_code=org
            )


def prepare(settings: RuntimeSettings) -> None:
    """Migrate, seed and add demo users (all idempotent)."""
    upgrade_database(settings.effective_database_url)
    engine = build_engine(settings.effective_database_url)
    with Session(engine) as session:
        seed_reference(session)
        ensure_demo_users(session)
        seed_demo_articles(session, now=datetime.now(UTC))
    engine.dispose()


def demo_children(port: int) -> list[ChildSpec]:
    """The product's processes in start order (each later capability adds its own)."""
    return [
        ChildSpec("api", ["api", "--port", str(port)]),
        ChildSpec("worker", ["worker"]),
        ChildSpec("scheduler", ["scheduler"]),
        # the PBX: a call every ~5 s on average, AMI on 5038, its control interface on 8039 (docs/pbx-sim.md)
        ChildSpec("pbx-sim", ["pbx-sim", "--scenario", "mixed", "--rate", "12", "--control-port", str(PBX_SIM_CONTROL_PORT)]),
        ChildSpec("listener", ["listener"]),
    ]


def banner(port: int) -> str:
    users = "\n".join(f"    {name:<11} {role.value:<15} {ext or ''}" for name, role, ext, _, _ in DEMO_USERS)
    return (
        "\n==============================================================\n"
        " Контакт-центр — демо\n"
        f"  Console / API:  http://127.0.0.1:{port}\n"
        f"  API docs:       http://127.0.0.1:{port}/docs\n"
        f"  Health:         http://127.0.0.1:{port}/healthz\n"
        f"  PBX simulator:  AMI 127.0.0.1:5038, control http://127.0.0.1:{PBX_SIM_CONTROL_PORT}/status\n"
        f"  Users (password '{DEMO_PASSWORD}'):\n{users}\n"
        "  Stop with Ctrl-C.\n"
        "==============================================================\n"
    )


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    database_url = f"sqlite:///{data_dir / 'callcenter.db'}"
    settings = RuntimeSettings(demo=True, data_dir=data_dir, database_url=database_url, redis_url="")
    configure_logging(settings.log_level)
    prepare(settings)
    redis_server = EmbeddedRedis(data_dir)
    env = {
        "CALLCENTER_DEMO": "1",
        "CALLCENTER_DATA_DIR": str(data_dir),
        "CALLCENTER_DATABASE_URL": database_url,
        "CALLCENTER_REDIS_URL": redis_server.url,
        "CALLCENTER_RECORDINGS_DIR": str(data_dir / "recordings"),
        "CALLCENTER_CDR_DATABASE_URL": f"sqlite:///{data_dir / 'cdr.db'}",  # the simulator writes Asterisk's CDR rows here
        "CALLCENTER_SUPERVISOR_EMAIL": "dispatch@demo.invalid",  # escalations show up in the log like other mail
    }
    supervisor = Supervisor(demo_children(args.port), base_env=env)
    try:
        supervisor.start()
        sys.stdout.write(banner(args.port))
        sys.stdout.flush()
        return supervisor.wait()
    finally:
        supervisor.stop()
        redis_server.close()
