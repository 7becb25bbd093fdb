"""Fixtures for whole-system drills: private servers and the product's processes as subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.drills.servers import PrivatePostgres, PrivateRedis, free_port


@pytest.fixture
def private_pg() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    server.start()
    yield server
    server.destroy()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


class Product:
    """The product's processes (`callcenter …` subprocesses) sharing one environment."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []
        self.api_port = free_port()

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        self._logs.append(log)
        proc = subprocess.Popen([sys.executable, "-m", "callcenter", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def start_api(self) -> None:
        self.start("api", "api", "--port", str(self.api_port))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.api_port}/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise TimeoutError("the API did not come up; see " + str(self.logs / "api.log"))

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "callcenter", *args], env=self.env, capture_output=True, text=True, timeout=300, check=False
        )

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self._logs:
            log.close()


@pytest.fixture
def product(private_pg: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path) -> Iterator[Product]:
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": private_pg.url,
        "CALLCENTER_REDIS_URL": private_redis.url,
        "CALLCENTER_SECRET_KEY": "drill-secret-0123456789abcdef",
        "CALLCENTER_DATA_DIR": str(tmp_path),
        "CALLCENTER_RECORDINGS_DIR": str(tmp_path / "recordings"),
    }
    running = Product(env, tmp_path)
    assert running.cli("db", "upgrade").returncode == 0
    assert running.cli("seed").returncode == 0
    yield running
    running.stop_all()
