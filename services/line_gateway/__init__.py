"""line_gateway: the platform's only door to LINE.

Webhooks in (verified, de-duplicated, normalised onto `line.inbound`), send commands out
(`line.outbound` → LINE Messaging API, each send safe to retry).
"""
