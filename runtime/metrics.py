"""Prometheus metrics produced inside processes, for `/metrics` of the API to expose.

Two kinds, because the producers live in different processes:
- In-process (the API itself): `CARD_LATENCY`, a histogram the console hub observes for each caller card
  (`CARD_LATENCY.observe(seconds)` from `call.agent_ringing` to the card sent). The API's /metrics registry
  includes it.
- Shared through Redis (rq work-horses are forked per job, so their own registries die with them): the ASR
  worker calls `record_asr_rtf(redis_client, processing_seconds / audio_seconds)` after each transcription;
  `read_shared_histogram(client, ASR_RTF)` gives the API cumulative buckets to expose. The counts are cluster-wide.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis
from prometheus_client import Histogram

CARD_LATENCY = Histogram(
    "callcenter_card_latency_seconds",
    "Time from the agent's phone ringing (call.agent_ringing) to the caller card sent to the console",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0),
    registry=None,
)


@dataclass(frozen=True)
class SharedHistogram:
    """A histogram kept in one Redis hash: `count`, `sum` and a counter per upper bound (`le:<bound>`)."""

    name: str
    help: str
    buckets: tuple[float, ...]

    @property
    def key(self) -> str:
        return f"cc:metrics:{self.name}"


ASR_RTF = SharedHistogram(
    "callcenter_asr_real_time_factor",
    "Transcription time divided by audio duration, per recording (below 1 is faster than real time)",
    (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0),
)


def observe_shared(client: redis.Redis, metric: SharedHistogram, value: float) -> None:
    """Add one observation (atomic per Redis pipeline; a few microseconds)."""
    pipe = client.pipeline(transaction=True)
    pipe.hincrby(metric.key, "count", 1)
    pipe.hincrbyfloat(metric.key, "sum", value)
    for bound in metric.buckets:
        if value <= bound:
            pipe.hincrby(metric.key, f"le:{bound:g}", 1)
    pipe.execute()


def record_asr_rtf(client: redis.Redis, rtf: float) -> None:
    """The ASR worker's hook: one recording transcribed at real-time factor `rtf`."""
    observe_shared(client, ASR_RTF, rtf)


@dataclass(frozen=True)
class HistogramValue:
    buckets: list[tuple[str, float]]
    count: float
    total: float


def read_shared_histogram(client: redis.Redis, metric: SharedHistogram) -> HistogramValue:
    """Cumulative buckets (`+Inf` last) ready for a Prometheus HistogramMetricFamily."""
    raw = client.hgetall(metric.key) or {}
    values = {(k.decode() if isinstance(k, bytes) else str(k)): float(v) for k, v in raw.items()}
    count = values.get("count", 0.0)
    buckets = [(f"{b:g}", values.get(f"le:{b:g}", 0.0)) for b in metric.buckets] + [("+Inf", count)]
    return HistogramValue(buckets, count, values.get("sum", 0.0))
