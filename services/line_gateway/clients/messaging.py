"""The LINE Messaging API through line-bot-sdk, with the platform's messages and error model.

line-bot-sdk's models are pydantic v1; they stay inside this module. Every call passes a short
`_request_timeout` because the SDK's default is 300 seconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
)
from linebot.v3.messaging import MessageAction as SdkMessageAction
from linebot.v3.messaging import PostbackAction as SdkPostbackAction
from linebot.v3.messaging import TextMessage as SdkTextMessage

from services.common.events.contracts.line import (
    MessageAction,
    OutboundMessage,
    PostbackAction,
)


@dataclass(frozen=True)
class LineApiError(Exception):
    """LINE answered with an error status (or did not answer: status 0)."""

    status: int
    message: str
    details: str | None = None

    def __str__(self) -> str:
        return f"LINE API {self.status}: {self.message}" + (
            f" ({self.details})" if self.details else ""
        )

    @property
    def retryable(self) -> bool:
        # 429 (rate limit) and 5xx may succeed later; other 4xx never will.
        return self.status in {0, 429} or self.status >= 500

    @property
    def is_invalid_reply_token(self) -> bool:
        return self.status == 400 and "reply token" in self.message.lower()

    @property
    def is_retry_key_accepted(self) -> bool:
        return self.status == 409


@dataclass(frozen=True)
class SendReceipt:
    request_id: str | None


def _to_sdk(message: OutboundMessage) -> Any:
    quick_reply = (
        QuickReply(items=[QuickReplyItem(action=_action_to_sdk(a)) for a in message.quick_replies])
        if message.quick_replies
        else None
    )
    return SdkTextMessage(text=message.text, quickReply=quick_reply)


def _action_to_sdk(action: MessageAction | PostbackAction) -> Any:
    if isinstance(action, MessageAction):
        return SdkMessageAction(label=action.label, text=action.text)
    return SdkPostbackAction(label=action.label, data=action.data, displayText=action.display_text)


def _error_from(exc: ApiException) -> LineApiError:
    message = exc.reason or "error"
    details = None
    if exc.body:
        try:
            body = json.loads(exc.body)
            message = body.get("message", message)
            if body.get("details"):
                details = json.dumps(body["details"], ensure_ascii=False)[:500]
        except (ValueError, AttributeError):
            details = str(exc.body)[:200]
    return LineApiError(status=int(exc.status or 0), message=str(message), details=details)


def _request_id(headers: Any) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == "x-line-request-id":
            return str(value)
    return None


class LineMessaging:
    def __init__(self, *, base_url: str, access_token: str, timeout_seconds: float) -> None:
        self._client = AsyncApiClient(Configuration(host=base_url, access_token=access_token))
        self._api = AsyncMessagingApi(self._client)
        self._timeout = timeout_seconds

    async def close(self) -> None:
        await self._client.close()

    async def reply(self, *, reply_token: str, messages: list[OutboundMessage]) -> SendReceipt:
        request = ReplyMessageRequest(
            replyToken=reply_token, messages=[_to_sdk(m) for m in messages]
        )
        return await self._call(self._api.reply_message_with_http_info(request, **self._opts()))

    async def push(
        self, *, user_id: str, messages: list[OutboundMessage], retry_key: str
    ) -> SendReceipt:
        request = PushMessageRequest(to=user_id, messages=[_to_sdk(m) for m in messages])
        return await self._call(
            self._api.push_message_with_http_info(
                request, x_line_retry_key=retry_key, **self._opts()
            )
        )

    async def show_loading(self, *, user_id: str, seconds: int) -> None:
        request = ShowLoadingAnimationRequest(chatId=user_id, loadingSeconds=seconds)
        await self._call(self._api.show_loading_animation_with_http_info(request, **self._opts()))

    def _opts(self) -> dict[str, Any]:
        return {"_request_timeout": self._timeout}

    async def _call(self, pending: Any) -> SendReceipt:
        try:
            response = await pending
        except ApiException as exc:
            raise _error_from(exc) from exc
        except (TimeoutError, OSError, aiohttp.ClientError) as exc:
            raise LineApiError(status=0, message=f"no answer: {type(exc).__name__}") from exc
        return SendReceipt(request_id=_request_id(getattr(response, "headers", None)))
