"""Benchmarks: each script prints its figures on its last lines."""
