"""A small process supervisor for `callcenter demo`: start children, forward Ctrl-C, stop them all cleanly."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class ChildSpec:
    """One child process: a name for the logs, its `callcenter …` arguments and extra environment."""

    name: str
    args: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)
    critical: bool = True


class Supervisor:
    """Runs the children until one critical child exits or the user presses Ctrl-C, then stops the rest."""

    def __init__(self, specs: Sequence[ChildSpec], *, base_env: Mapping[str, str]) -> None:
        self.specs = list(specs)
        self.base_env = dict(base_env)
        self.children: list[tuple[ChildSpec, subprocess.Popen[bytes]]] = []
        self._stopping = False

    def start(self) -> None:
        for spec in self.specs:
            env = {**os.environ, **self.base_env, **spec.env}
            proc = subprocess.Popen([sys.executable, "-m", "callcenter", *spec.args], env=env)  # noqa: S603 - our own CLI
            self.children.append((spec, proc))
            logger.info("child started", extra={"event_data": {"child": spec.name, "pid": proc.pid}})

    def wait(self) -> int:
        """Block until a critical child dies (its code is returned) or a signal stops us (0)."""
        signal.signal(signal.SIGTERM, self._on_signal)
        try:
            while not self._stopping:
                for spec, proc in self.children:
                    code = proc.poll()
                    if code is not None and spec.critical:
                        logger.error("child exited; stopping the demo", extra={"event_data": {"child": spec.name, "code": code}})
                        return code or 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        return 0

    def _on_signal(self, _signum: int, _frame: object) -> None:
        self._stopping = True

    def stop(self) -> None:
        """SIGTERM every child (reverse start order), then SIGKILL whoever outlives the grace period."""
        for _, proc in reversed(self.children):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for spec, proc in reversed(self.children):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("child ignored SIGTERM; killing", extra={"event_data": {"child": spec.name}})
                proc.kill()
                proc.wait()
