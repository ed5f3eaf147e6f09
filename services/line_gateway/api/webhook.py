"""`POST /callback`: the LINE webhook endpoint.

Order of checks: size, signature (over the raw bytes), JSON, shape. Anything refused changes
nothing and publishes nothing. Accepted events are committed to MongoDB (with the outbox) before
the 200, so an acknowledged event is never lost; LINE redelivers anything we fail to acknowledge.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.common.logging import get_logger
from services.common.metrics import REJECTED_INPUT
from services.common.web import error
from services.line_gateway.domain.signature import is_valid_signature
from services.line_gateway.domain.webhook import WebhookBody
from services.line_gateway.metrics import WEBHOOK_REJECTED
from services.line_gateway.settings import LineGatewaySettings
from services.line_gateway.usecases.intake import WebhookIntake

log = get_logger(__name__)
router = APIRouter(tags=["LINE webhook"])


# Async although they only read app.state: FastAPI runs a plain `def` dependency in the thread
# pool, a thread hop and a capacity-limiter wait per request (5 % of the webhook role's event
# loop in a flood, bench/PROFILE_issue11.md).
async def get_settings(request: Request) -> LineGatewaySettings:
    settings: LineGatewaySettings = request.app.state.settings
    return settings


async def get_intake(request: Request) -> WebhookIntake:
    intake: WebhookIntake = request.app.state.intake
    return intake


def _reject(status: int, reason: str, message: str) -> JSONResponse:
    WEBHOOK_REJECTED.labels(reason).inc()
    REJECTED_INPUT.labels("line_webhook", reason).inc()
    log.warning("webhook rejected", reason=reason)
    return error(status, message)


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None once it exceeds `limit` bytes (without reading the rest)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """The body's JSON Schema with its `$defs` inlined, as an OpenAPI request body can hold it."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


# The body is read raw (the signature is over its bytes), so FastAPI cannot infer it: describe it,
# for the docs and for the schema-driven tests (tests/api), which sign what they send.
WEBHOOK_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": _inlined(WebhookBody.model_json_schema(by_alias=True))}
    },
}


@router.post(
    "/callback",
    summary="Receive LINE webhook events",
    openapi_extra={"requestBody": WEBHOOK_REQUEST_BODY},
    responses={
        200: {"description": "Events accepted (or already accepted)"},
        400: {"description": "Body is not a valid LINE webhook"},
        401: {"description": "X-Line-Signature does not match the body"},
        413: {"description": "Body too large"},
    },
)
async def callback(
    request: Request,
    settings: Annotated[LineGatewaySettings, Depends(get_settings)],
    intake: Annotated[WebhookIntake, Depends(get_intake)],
    x_line_signature: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    body = await _read_limited(request, settings.max_webhook_body_bytes)
    if body is None:
        return _reject(413, "too_large", f"Body exceeds {settings.max_webhook_body_bytes} bytes.")
    if not is_valid_signature(body, x_line_signature, settings.channel_secret):
        return _reject(401, "bad_signature", "Invalid signature.")
    try:
        payload = WebhookBody.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "(body)"
        reason = "malformed_json" if first["type"] == "json_invalid" else "invalid_shape"
        return _reject(400, reason, f"Invalid webhook body at {where}: {first['msg']}")
    # An empty event list is LINE's verification request: acknowledge it.
    result = await intake.accept(payload.events)
    return JSONResponse(
        {
            "accepted": result.published,
            "duplicates": result.duplicates,
            "ignored": result.ignored,
        }
    )
