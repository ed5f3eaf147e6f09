import logging

import uvicorn

from tools.line_simulator.app import create_app
from tools.line_simulator.settings import SimulatorSettings

settings = SimulatorSettings()
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
print(
    f"LINE simulator: demo chat on http://{settings.host}:{settings.port}/ ; "
    f"webhooks go to {settings.webhook_url}",
    flush=True,
)
uvicorn.run(
    create_app(settings),
    host=settings.host,
    port=settings.port,
    loop="asyncio",
    log_config=None,
    access_log=False,
)
