"""Drill: a stream of simulated calls through the whole product while the AMI link drops, Redis restarts, a worker
is SIGKILLed and PostgreSQL restarts — `callcenter pbx-sim`, `listener`, `worker`, `scheduler` and `api` all run as
real processes against private PostgreSQL and Redis servers.

Afterwards: every inbound call the PBX placed has exactly one appeal (and no orphan phone drafts exist), every
recording has exactly one finished transcript, and every notification was delivered, a copy only where the
documented window allows it (docs/workers.md: the mail server accepted the message and the process died before
recording it — a re-run with the same Message-ID).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, create_engine, text

from runtime.streams import read_listener_state
from tests.asr.conftest import ko_model_dir
from tests.drills.conftest import Product
from tests.drills.servers import PrivatePostgres, PrivateRedis, free_port, wait_port
from tests.workers.conftest import SmtpSink

pytestmark = pytest.mark.drill
pytest.importorskip("telephony.listener", reason="the listener and pbx-sim land in main with the telephony branches")

CALLS = 24
OUTCOMES = ("answered", "abandoned", "callback_request")  # every answered call leaves a ~10 s stereo recording to transcribe


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """Redis as compose.yaml runs it (append-only file): a restart keeps queued jobs. (Without persistence a
    restart loses jobs already handed to rq; nothing re-enqueues them yet — see the report in README "Production".)"""
    server = PrivateRedis(persistent=True)
    server.start()
    yield server
    server.destroy()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


def _eventually(check: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):  # a server may be restarting under the check
            value = check()
            if value:
                return value
        time.sleep(0.3)
    raise TimeoutError(f"waited {timeout:.0f} s for {what}")


class Pbx:
    """The simulator's HTTP control interface (docs/pbx-sim.md)."""

    def __init__(self, port: int) -> None:
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)

    def call(self, n: int) -> str:
        outcome = OUTCOMES[n % len(OUTCOMES)]
        spec = {"caller": f"+38050{n:07d}", "outcome": outcome, "ring_seconds": 0.5, "notice_seconds": 0.3}
        spec |= {"talk_seconds": 2.5} if outcome == "answered" else {"wait_seconds": 1.5}
        response = self.http.post("/calls", json=spec)
        response.raise_for_status()
        return str(response.json()["linkedid"])

    def status(self) -> dict[str, Any]:
        return dict(self.http.get("/status").json())


def _place_calls(pbx: Pbx, placed: dict[str, str], stop: threading.Event) -> None:
    for n in range(CALLS):
        if stop.is_set():
            return
        placed[pbx.call(n)] = OUTCOMES[n % len(OUTCOMES)]
        time.sleep(0.6)


def _register_appeals(base: str, token: str, count: int, confirmed: list[int], failures: list[str]) -> None:
    """Operators register appeals over HTTP meanwhile (routing then notifies the executors)."""
    with httpx.Client(base_url=base, timeout=10, headers={"Authorization": f"Bearer {token}"}) as http:
        for n in range(count):
            body = {
                "caller": f"044{n:07d}",  # landlines: the executor's e-mail is the one notification
                "applicant_name": f"Житель {n}",
                "applicant_address": "вул. Київська, 1",
                "issues": [{"category_id": 4, "address_text": "вул. Київська, 1", "description": "Немає опалення"}],
                "register": True,
            }
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    response = http.post("/api/appeals", json=body, headers={"Idempotency-Key": f"drill-{n}"})
                    if response.status_code in (200, 201):
                        confirmed.append(int(response.json()["id"]))
                        break
                    if response.status_code != 503:
                        failures.append(f"appeal {n}: {response.status_code} {response.text[:200]}")
                        break
                time.sleep(0.3)
            else:
                failures.append(f"appeal {n}: gave up")
            time.sleep(1.0)


def _start_product(product: Product, cdr_url: str, smtp: SmtpSink, tmp_path: Path) -> Pbx:
    ami, control = free_port(), free_port()
    product.env |= {
        "CALLCENTER_AMI_HOST": "127.0.0.1",
        "CALLCENTER_AMI_PORT": str(ami),
        "CALLCENTER_AMI_SECRET": "drill-ami-secret-0123456789",  # the simulator accepts the same one
        "CALLCENTER_CDR_DATABASE_URL": cdr_url,
        "CALLCENTER_VOSK_MODEL_PATH": ko_model_dir(),
        "CALLCENTER_MAIL_TRANSPORT": "smtp",
        "CALLCENTER_SMTP_HOST": "127.0.0.1",
        "CALLCENTER_SMTP_PORT": str(smtp.port),
        "CALLCENTER_MAIL_FROM": "cc@brovary.example",
        "CALLCENTER_LISTENER_HEARTBEAT_SECONDS": "0.5",
        "CALLCENTER_AMI_RECONNECT_MAX": "2",
    }
    (tmp_path / "recordings").mkdir(exist_ok=True)
    product.start("pbx-sim", "pbx-sim", "--port", str(ami), "--scenario", "none", "--control-port", str(control), "--operators", "4")
    wait_port(control, timeout=60)
    product.start("listener", "listener")
    product.start_api()
    product.start("scheduler", "scheduler")
    product.start("worker-asr", "worker", "asr")  # as compose.yaml runs them
    product.start("worker", "worker", "routing", "notify", "callbacks", "default")
    return Pbx(control)


def _kill_worker(product: Product) -> list[int]:
    """SIGKILL the `callcenter worker` process; its children (rq's scheduler, a busy work-horse) are orphaned and
    finish what they hold, as on a real host. Returns their pids so the test can end them afterwards."""
    proc = product.procs["worker"]
    children = [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return children


def _db_state(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT call_id, appeal_id, ended_at FROM call WHERE direction = 'inbound'")).all()
        calls = {r.call_id: r.appeal_id for r in rows}
        ongoing = [r.call_id for r in rows if r.ended_at is None]
        phone_appeals = conn.execute(text("SELECT id FROM appeal WHERE channel = 'phone' AND status = 'draft'")).scalars().all()
        recordings = conn.execute(text("SELECT id FROM recording")).scalars().all()
        transcripts = conn.execute(text("SELECT recording_id, status FROM transcript")).all()
        notes = conn.execute(text("SELECT id, status, attempts, message_id, channel FROM notification")).all()
        unpublished = conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar()
    return {
        "calls": calls,
        "ongoing": ongoing,
        "phone_drafts": list(phone_appeals),
        "recordings": list(recordings),
        "transcripts": [tuple(t) for t in transcripts],
        "notes": [tuple(n) for n in notes],
        "unpublished": unpublished,
    }


def test_calls_survive_ami_drop_redis_restart_worker_kill_and_postgres_restart(
    product: Product, private_pg: PrivatePostgres, private_redis: PrivateRedis, smtp: SmtpSink, tmp_path: Path
) -> None:
    admin = create_engine(private_pg.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE asterisk_cdr"))
    admin.dispose()
    assert product.cli("user", "add", "op", "--role", "operator", "--password", "drill-pw", "--extension", "PJSIP/op101").returncode == 0
    pbx = _start_product(product, private_pg.url.rsplit("/", 1)[0] + "/asterisk_cdr", smtp, tmp_path)
    client = redis.Redis.from_url(private_redis.url, decode_responses=True, socket_timeout=2)
    _eventually(lambda: (read_listener_state(client) or {}).get("state") == "up", timeout=60, what="the listener's AMI login")
    base = f"http://127.0.0.1:{product.api_port}"
    token = httpx.post(f"{base}/api/auth/token", data={"username": "op", "password": "drill-pw"}).json()["access_token"]

    placed: dict[str, str] = {}
    orphans: list[int] = []
    confirmed: list[int] = []
    failures: list[str] = []
    stop = threading.Event()
    caller_thread = threading.Thread(target=_place_calls, args=(pbx, placed, stop))
    desk_thread = threading.Thread(target=_register_appeals, args=(base, token, 8, confirmed, failures))
    caller_thread.start()
    desk_thread.start()
    try:
        _eventually(lambda: len(placed) >= 4, timeout=30, what="4 calls")
        pbx.http.post("/drop").raise_for_status()  # the AMI link drops mid-stream
        _eventually(lambda: len(placed) >= 9, timeout=30, what="9 calls")
        private_redis.restart()  # Redis loses its memory
        _eventually(lambda: len(placed) >= 13, timeout=30, what="13 calls")
        orphans = _kill_worker(product)  # the routing/notification worker dies without a word
        product.start("worker-2", "worker", "routing", "notify", "callbacks", "default")
        _eventually(lambda: len(placed) >= 18, timeout=30, what="18 calls")
        private_pg.restart()
    except BaseException:
        stop.set()  # the faults went wrong: stop placing calls, report that
        raise
    finally:
        caller_thread.join(timeout=120)
        desk_thread.join(timeout=120)
    assert failures == []
    assert len(placed) == CALLS
    _eventually(lambda: pbx.status()["active_calls"] == 0, timeout=60, what="every call to end")
    engine = create_engine(private_pg.url)
    try:
        state = _settled(engine, placed, len(confirmed))
    finally:
        engine.dispose()
        for pid in orphans:  # its rq scheduler child and a work-horse, if one was busy, outlive it: ours to end
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    _check(state, placed, confirmed, smtp)


def _waiting_for(state: dict[str, Any], placed: dict[str, str], registered: int) -> list[str]:
    """What has not settled yet (empty when everything has)."""
    finished = {rid for rid, status in state["transcripts"] if status == "done"}
    answered = sum(1 for outcome in placed.values() if outcome == "answered")
    waiting = [f"call {c} has no appeal" for c in placed if state["calls"].get(c) is None]
    waiting += [f"call {c} never ended" for c in state["ongoing"]]
    if len(state["recordings"]) < answered:
        waiting.append(f"{len(state['recordings'])} recordings of {answered} answered calls")
    waiting += [f"recording {r} has no finished transcript" for r in sorted(set(state["recordings"]) - finished)]
    if len(state["notes"]) < registered:
        waiting.append(f"{len(state['notes'])} notifications for {registered} registered appeals")
    waiting += [f"notification {n[0]} is {n[1]}" for n in state["notes"] if n[1] != "sent"]
    if state["unpublished"]:
        waiting.append(f"{state['unpublished']} outbox rows unpublished")
    return waiting


def _settled(engine: Engine, placed: dict[str, str], registered: int, *, timeout: float = 150) -> dict[str, Any]:
    deadline, waiting = time.monotonic() + timeout, ["nothing read yet"]
    while time.monotonic() < deadline:
        try:
            state = _db_state(engine)
        except Exception as exc:  # noqa: BLE001 - PostgreSQL may still be coming back
            waiting = [f"database: {exc}"]
        else:
            waiting = _waiting_for(state, placed, registered)
            if not waiting:
                return state
        time.sleep(0.5)
    pytest.fail(f"not settled after {timeout:.0f} s: {waiting[:10]}")


def _check(state: dict[str, Any], placed: dict[str, str], confirmed: list[int], smtp: SmtpSink) -> None:
    appeals = [state["calls"][c] for c in placed]
    assert len(set(appeals)) == len(placed), "two calls share an appeal"
    orphans = set(state["phone_drafts"]) - set(state["calls"].values())
    assert orphans == set(), f"phone drafts without a call: {sorted(orphans)}"
    answered = sum(1 for outcome in placed.values() if outcome == "answered")
    assert len(state["recordings"]) == answered, "one recording per answered call"
    by_recording = [rid for rid, _ in state["transcripts"]]
    assert sorted(by_recording) == sorted(state["recordings"]), "one transcript per recording"
    assert len(confirmed) == 8
    notes = state["notes"]
    assert len(notes) >= len(confirmed), "every registered appeal notified its executor"
    received: dict[str, int] = {}
    for message in smtp.wait_for(len(notes), timeout=10):
        received[str(message["Message-ID"])] = received.get(str(message["Message-ID"]), 0) + 1
    for note_id, status, attempts, message_id, channel in notes:
        assert status == "sent", f"notification {note_id} is {status}"
        if channel != "email":
            continue
        copies = received.get(str(message_id), 0)
        assert copies >= 1, f"notification {note_id} ({message_id}) never reached the mail server"
        assert copies == 1 or attempts > 1, f"notification {note_id} delivered {copies}× on its first attempt"
