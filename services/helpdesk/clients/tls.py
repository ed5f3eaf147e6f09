"""TLS for the mail adapters: verified always (certificate and host name); a CA file only
replaces the system's trust store, for a private CA or the local test servers."""

from __future__ import annotations

import ssl


def client_context(ca_file: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
