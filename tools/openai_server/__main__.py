import logging

import uvicorn

from tools.openai_server.app import create_app
from tools.openai_server.settings import OpenAIServerSettings

settings = OpenAIServerSettings()
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
print(f"OpenAI test server: http://{settings.host}:{settings.port}/v1", flush=True)
uvicorn.run(
    create_app(settings),
    host=settings.host,
    port=settings.port,
    loop="asyncio",
    log_config=None,
    access_log=False,
)
