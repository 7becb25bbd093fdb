"""Named crash points for the restart drills: a test makes a job process SIGKILL itself at one exact place.

`CALLCENTER_TEST_FAULT_POINTS` (testing only) lists point names; each fires once per marker directory
`CALLCENTER_TEST_FAULT_DIR` (a file records that it fired, so the job's re-run passes through). Unset in
production, where `crash_point` is a dictionary lookup and nothing else.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

POINTS_ENV = "CALLCENTER_TEST_FAULT_POINTS"
DIR_ENV = "CALLCENTER_TEST_FAULT_DIR"


def crash_point(name: str) -> None:
    """SIGKILL this process here if the drill asks for it (once)."""
    points = os.environ.get(POINTS_ENV)
    if not points or name not in points.split(","):
        return
    marker = Path(os.environ.get(DIR_ENV, "/tmp")) / f"{name}.fired"  # noqa: S108 - test-only default
    if marker.exists():
        return
    marker.write_text(str(os.getpid()))
    os.kill(os.getpid(), signal.SIGKILL)
