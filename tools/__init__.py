"""Developer tools: the local stack, the LINE Platform simulator, the OpenAI-compatible test server."""
