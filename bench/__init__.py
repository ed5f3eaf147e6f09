"""Benchmarks that back performance statements in the README; each runs on its own."""
