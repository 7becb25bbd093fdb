"""Settings of speech recognition and recordings retention (env prefix CALLCENTER_)."""

from __future__ import annotations

import functools

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AsrSettings(BaseSettings):
    """`CALLCENTER_VOSK_MODEL_PATH` is part of the public contract; empty means "no speech model installed"."""

    model_config = SettingsConfigDict(env_prefix="CALLCENTER_", extra="ignore")

    vosk_model_path: str = Field(
        default="",
        description="Vosk model directory (Ukrainian: `vosk-model-uk-v3`); empty = no speech model, transcripts say how to install one",
    )
    asr_raw_sample_rate: int = Field(default=8000, ge=8000, le=48000, description="sample rate of MixMonitor `D` `.raw` recordings")
    asr_chunk_seconds: float = Field(default=0.5, gt=0, le=10, description="seconds of audio fed to Vosk per call")
    recordings_retention_days: int = Field(
        default=0, ge=0, description="`callcenter recordings purge` deletes recording files older than this (0 = keep); transcripts stay"
    )


@functools.lru_cache
def get_asr_settings() -> AsrSettings:
    return AsrSettings()
