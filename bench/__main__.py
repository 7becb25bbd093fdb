"""`make bench`: run every `bench/bench_*.py` module's `main()` in turn and print their figures."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def main(argv: list[str]) -> int:
    wanted = set(argv)
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    failures = 0
    for name in names:
        if wanted and name not in wanted and name.removeprefix("bench_") not in wanted:
            continue
        sys.stdout.write(f"\n=== {name} ===\n")
        sys.stdout.flush()
        started = time.perf_counter()
        try:
            importlib.import_module(f"bench.{name}").main()
        except Exception as exc:  # noqa: BLE001 - one failing benchmark must not hide the others' figures
            failures += 1
            sys.stdout.write(f"FAILED: {type(exc).__name__}: {exc}\n")
        sys.stdout.write(f"({name} took {time.perf_counter() - started:.1f} s)\n")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
