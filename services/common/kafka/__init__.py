"""Kafka plumbing: the topic map, the idempotent producer and the stream processor."""
