"""Every event contract on the platform, grouped by the topic family that carries it."""

from services.common.events.contracts import helpdesk, lending, line

__all__ = ["helpdesk", "lending", "line"]
