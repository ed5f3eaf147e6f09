"""Rerunnable benchmarks (not timed tests): each starts its own isolated stack."""
