"""The webhook route itself, without a stack: what FastAPI runs for each request."""

from __future__ import annotations

import inspect

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from services.line_gateway.api.webhook import callback, router


def sync_calls(dependant: Dependant) -> list[str]:
    call = dependant.call
    found = [] if call is None or inspect.iscoroutinefunction(call) else [str(dependant.name)]
    for sub in dependant.dependencies:
        found += sync_calls(sub)
    return found


def test_the_webhook_runs_nothing_in_the_thread_pool() -> None:
    # FastAPI runs a plain `def` endpoint or dependency in the thread pool: a thread hop and a
    # wait for the pool's capacity limiter on every webhook, which a flood pays thousands of
    # times a second and a saturated pool turns into waiting.
    (route,) = [r for r in router.routes if isinstance(r, APIRoute) and r.endpoint is callback]
    assert sync_calls(route.dependant) == []
