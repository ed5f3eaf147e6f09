"""Code every service shares: settings, event contracts, Kafka and MongoDB plumbing, metrics, logs.

Nothing in here knows about a particular service's domain.
"""
