"""Freezing the startup heap: objects alive at startup leave the generations full collections walk; later ones do not."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from runtime.heap import freeze_startup_heap


@pytest.fixture
def thawed() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the test session keeps the ordinary collector


def _tracked(obj: object) -> bool:
    return any(o is obj for generation in range(3) for o in gc.get_objects(generation))


def test_startup_objects_are_frozen_and_later_ones_are_collected_as_usual(thawed: None) -> None:
    startup = {"engine": [1, 2, 3]}
    assert _tracked(startup)
    frozen = freeze_startup_heap()
    assert frozen == gc.get_freeze_count() > 0
    assert not _tracked(startup)  # a full collection no longer walks it
    later = {"call": [4, 5, 6]}
    assert _tracked(later)
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1  # garbage made after the freeze is still found
