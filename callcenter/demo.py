"""`callcenter demo`: the product on embedded defaults (SQLite, embedded Redis), seeded, with demo users."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from agent_console.settings import ApiSettings
from appeals.accounts import create_user
from appeals.models import Role, User
from appeals.seeding import seed_reference
from callcenter.wiring import build_api, open_resources, upgrade_database
from runtime.db import build_engine
from runtime.log import configure_logging
from runtime.settings import RuntimeSettings

logger = logging.getLogger(__name__)
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
    engine.dispose()


def banner(port: int) -> str:
    users = "\n".join(f"    {name:<11} {role.value:<15} {ext or ''}" for name, role, ext, _, _ in DEMO_USERS)
    return (
        "\n==============================================================\n"
        " Контакт-центр — демо\n"
        f"  Console / API:  http://127.0.0.1:{port}\n"
        f"  API docs:       http://127.0.0.1:{port}/docs\n"
        f"  Health:         http://127.0.0.1:{port}/healthz\n"
        f"  Users (password '{DEMO_PASSWORD}'):\n{users}\n"
        "  Stop with Ctrl-C.\n"
        "==============================================================\n"
    )


def run(args: argparse.Namespace) -> int:
    import uvicorn

    data_dir = Path(args.data_dir)
    settings = RuntimeSettings(
        demo=True, data_dir=data_dir, database_url=f"sqlite:///{(data_dir / 'callcenter.db').resolve()}", redis_url=""
    )
    configure_logging(settings.log_level)
    prepare(settings)
    resources = open_resources(settings)
    try:
        app = build_api(settings, ApiSettings(api_port=args.port), resources)
        sys.stdout.write(banner(args.port))
        sys.stdout.flush()
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, ws="websockets-sansio")  # type: ignore[arg-type]
    finally:
        resources.close()
    return 0
