"""Run a service's FastAPI app under uvicorn with the platform's shutdown behaviour."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from services.common.settings import ServiceSettings


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        # C event loop and HTTP parser (uvloop, httptools): measured in bench/PROFILE_issue11.md.
        loop="uvloop",
        http="httptools",
        log_config=None,  # our own logging (configured in the lifespan) handles uvicorn's too
        access_log=False,
        # Long enough for in-flight handlers to finish (see ServiceSettings.shutdown_grace_seconds).
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds) + 5,
    )
