"""Errors of speech recognition.

Hierarchy (each carries a stable `code`, whether a retry can help, and a one-line actionable message):
    AsrError
    ├── AudioError              the recording cannot be decoded as audio (corrupt, truncated, not audio, unsupported)
    ├── RecordingMissingError   the file is not (yet) in the recordings directory: transient, retried
    └── ModelError              no usable speech model (not configured, wrong path, not a Vosk model)
"""

from __future__ import annotations

INSTALL_HINT = (
    "install a Vosk model (e.g. unzip vosk-model-uk-v3 or vosk-model-small-uk-v3-small into /opt/vosk) "
    "and set CALLCENTER_VOSK_MODEL_PATH to its directory; see docs/asr.md"
)


class AsrError(Exception):
    """Base of every error of the asr package."""

    code = "asr_error"
    transient = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class AudioError(AsrError):
    code = "audio_unreadable"

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class RecordingMissingError(AsrError):
    code = "recording_missing"
    transient = True

    def __init__(self, path: object) -> None:
        super().__init__(f"{path}: no such file (a worker retries it for a few minutes, the PBX may still be writing it)")
        self.path = str(path)


class ModelError(AsrError):
    code = "model_unavailable"

    def __init__(self, reason: str) -> None:
        super().__init__(f"no speech model: {reason}; {INSTALL_HINT}")
        self.reason = reason
