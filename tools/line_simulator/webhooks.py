"""Webhook events as LINE builds them, and their signed delivery to the gateway."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from services.line_gateway.domain.signature import sign

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_webhook_event_id(now: datetime) -> str:
    """A ULID, the format LINE uses for `webhookEventId` (time-ordered, 26 characters)."""
    value = (int(now.timestamp() * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 0x1F] for shift in range(125, -1, -5))


def new_reply_token() -> str:
    return secrets.token_hex(16)


def new_quote_token() -> str:
    return secrets.token_urlsafe(48)


def chat_source(chat_id: str, user_id: str | None) -> dict[str, Any]:
    """The webhook `source` for a group ("C..."), a room ("R...") or a one-to-one chat."""
    if chat_id.startswith("C"):
        source: dict[str, Any] = {"type": "group", "groupId": chat_id}
    elif chat_id.startswith("R"):
        source = {"type": "room", "roomId": chat_id}
    else:
        return {"type": "user", "userId": chat_id}
    if user_id:
        source["userId"] = user_id
    return source


def _event(
    event_type: str,
    *,
    user_id: str,
    now: datetime,
    reply_token: str | None,
    source: dict[str, Any] | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": event_type,
        "mode": "active",
        "timestamp": int(now.timestamp() * 1000),
        "source": source or {"type": "user", "userId": user_id},
        "webhookEventId": new_webhook_event_id(now),
        "deliveryContext": {"isRedelivery": False},
    }
    if reply_token is not None:
        event["replyToken"] = reply_token
    return event


def message_event(
    *,
    user_id: str,
    message: dict[str, Any],
    reply_token: str,
    now: datetime,
    source: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        **_event("message", user_id=user_id, now=now, reply_token=reply_token, source=source),
        "message": message,
    }


def join_event(*, source: dict[str, Any], reply_token: str, now: datetime) -> dict[str, Any]:
    """The account was added to a group or room."""
    return _event("join", user_id="", now=now, reply_token=reply_token, source=source)


def postback_event(
    *, user_id: str, data: str, params: dict[str, str] | None, reply_token: str, now: datetime
) -> dict[str, Any]:
    postback: dict[str, Any] = {"data": data}
    if params:
        postback["params"] = params
    return {
        **_event("postback", user_id=user_id, now=now, reply_token=reply_token),
        "postback": postback,
    }


def follow_event(
    *, user_id: str, is_unblocked: bool, reply_token: str, now: datetime
) -> dict[str, Any]:
    return {
        **_event("follow", user_id=user_id, now=now, reply_token=reply_token),
        "follow": {"isUnblocked": is_unblocked},
    }


def unfollow_event(*, user_id: str, now: datetime) -> dict[str, Any]:
    # LINE gives no reply token here: nobody is left to reply to.
    return _event("unfollow", user_id=user_id, now=now, reply_token=None)


def as_redelivery(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "deliveryContext": {"isRedelivery": True}}


def encode_body(destination: str, events: list[dict[str, Any]]) -> bytes:
    # The signature covers these exact bytes, so the body is encoded once and sent as is.
    return json.dumps(
        {"destination": destination, "events": events}, ensure_ascii=False, separators=(",", ":")
    ).encode()


@dataclass(frozen=True)
class WebhookResult:
    status: int
    body: str
    elapsed_ms: int
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "body": self.body,
            "elapsedMs": self.elapsed_ms,
            "error": self.error,
        }


class WebhookSender:
    """Posts webhook bodies to the bot server, signed with the channel secret like LINE does."""

    def __init__(self, *, url: str, channel_secret: str, timeout_seconds: float) -> None:
        self._url = url
        self._secret = channel_secret
        # Load tests send hundreds of events at once; httpx's default pool of 100 would queue
        # them and report the queueing as gateway timeouts. Idle connections are dropped before
        # the gateway's server closes them (uvicorn: after 5 s), or a webhook could go out on a
        # connection being closed and fail without the gateway ever seeing it.
        self._client = httpx.AsyncClient(
            timeout=timeout_seconds,
            limits=httpx.Limits(
                max_connections=1000, max_keepalive_connections=100, keepalive_expiry=2.0
            ),
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def post(self, body: bytes, *, signature: str | None = None) -> WebhookResult:
        started = time.monotonic()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "LineBotWebhook/2.0",
            "X-Line-Signature": sign(body, self._secret) if signature is None else signature,
        }
        try:
            response = await self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            # Status 0 says "no answer", as LINE's webhook error statistics do.
            return WebhookResult(
                status=0,
                body="",
                elapsed_ms=int((time.monotonic() - started) * 1000),
                error=f"{type(exc).__name__}: {exc}",
            )
        return WebhookResult(
            status=response.status_code,
            body=response.text[:2000],
            elapsed_ms=int((time.monotonic() - started) * 1000),
        )
