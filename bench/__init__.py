"""Benchmarks (not tests): each `bench_*.py` module prints its figures; run them with `make bench`."""
