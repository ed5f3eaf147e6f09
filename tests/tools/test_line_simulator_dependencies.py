"""The simulator answers without a thread hop: every endpoint and dependency is a coroutine."""

from __future__ import annotations

import inspect

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from tools.line_simulator import control_api, messaging_api


def _calls(dependant: Dependant) -> list[object]:
    found: list[object] = [dependant.call] if dependant.call is not None else []
    for sub in dependant.dependencies:
        found += _calls(sub)
    return found


def test_no_route_of_the_simulator_runs_in_the_thread_pool() -> None:
    # FastAPI runs a plain `def` endpoint or dependency in its thread pool on every request;
    # under a load test those hops cost the simulator more than its own work.
    routes = [
        route
        for router in (messaging_api.router, control_api.router)
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
    assert len(routes) > 20
    synchronous = sorted(
        {
            f"{route.path}: {getattr(call, '__qualname__', call)}"
            for route in routes
            for call in _calls(route.dependant)
            if not inspect.iscoroutinefunction(call)
        }
    )
    assert synchronous == []
