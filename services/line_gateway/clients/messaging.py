"""The LINE Messaging API through line-bot-sdk, with the platform's messages and error model.

line-bot-sdk's models are pydantic v1; they stay inside this module. Every call passes a short
`_request_timeout` because the SDK's default is 300 seconds. Content and rich menu images live on
LINE's data host, so the blob API gets a client of its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    ButtonsTemplate,
    Configuration,
    ConfirmTemplate,
    MulticastRequest,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuBulkLinkRequest,
    RichMenuRequest,
    RichMenuSize,
    ShowLoadingAnimationRequest,
    TemplateMessage,
)
from linebot.v3.messaging import MessageAction as SdkMessageAction
from linebot.v3.messaging import PostbackAction as SdkPostbackAction
from linebot.v3.messaging import Sender as SdkSender
from linebot.v3.messaging import TextMessage as SdkTextMessage

from services.common.events.contracts.line import (
    ButtonsMessage,
    ConfirmMessage,
    MessageAction,
    OutboundMessage,
    PostbackAction,
)
from services.line_gateway.domain.delivery import LineRefusal
from services.line_gateway.domain.rich_menu import ExistingMenu, MenuDefinition

# LINE's 429 body for an exhausted monthly allowance; any other 429 is a rate limit.
MONTHLY_LIMIT_MESSAGE = "You have reached your monthly limit."


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
        # Rate limits and 5xx may succeed later; other 4xx (and an exhausted month) never will.
        if self.is_monthly_limit:
            return False
        return self.status in {0, 429} or self.status >= 500

    @property
    def is_monthly_limit(self) -> bool:
        return self.status == 429 and "monthly limit" in self.message.lower()

    @property
    def is_rate_limited(self) -> bool:
        return self.status == 429 and not self.is_monthly_limit

    @property
    def is_invalid_reply_token(self) -> bool:
        return self.status == 400 and "reply token" in self.message.lower()

    @property
    def is_retry_key_accepted(self) -> bool:
        return self.status == 409

    @property
    def is_not_found(self) -> bool:
        return self.status == 404

    @property
    def refusal(self) -> LineRefusal:
        """What this answer means for the delivery policy (domain/delivery.py)."""
        if self.is_invalid_reply_token:
            return LineRefusal.INVALID_REPLY_TOKEN
        if self.is_retry_key_accepted:
            return LineRefusal.RETRY_KEY_ACCEPTED
        if self.is_monthly_limit:
            return LineRefusal.MONTHLY_LIMIT
        if self.is_rate_limited:
            return LineRefusal.RATE_LIMITED
        return LineRefusal.OTHER


@dataclass(frozen=True)
class SendReceipt:
    request_id: str | None


@dataclass(frozen=True)
class Quota:
    limit: int | None  # None: LINE sets no limit (type "none")
    used: int


def _quick_reply(actions: Sequence[MessageAction | PostbackAction]) -> Any:
    if not actions:
        return None
    return QuickReply(items=[QuickReplyItem(action=_action_to_sdk(a)) for a in actions])


def to_sdk(message: OutboundMessage) -> Any:
    quick_reply = _quick_reply(message.quick_replies)
    sender = (
        SdkSender(name=message.sender.name, iconUrl=message.sender.icon_url)
        if message.sender
        else None
    )
    if isinstance(message, ButtonsMessage):
        return TemplateMessage(
            altText=message.alt_text,
            template=ButtonsTemplate(
                title=message.title,
                text=message.text,
                actions=[_action_to_sdk(a) for a in message.actions],
            ),
            quickReply=quick_reply,
            sender=sender,
        )
    if isinstance(message, ConfirmMessage):
        return TemplateMessage(
            altText=message.alt_text,
            template=ConfirmTemplate(
                text=message.text, actions=[_action_to_sdk(a) for a in message.actions]
            ),
            quickReply=quick_reply,
            sender=sender,
        )
    return SdkTextMessage(text=message.text, quickReply=quick_reply, sender=sender)


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


def sdk_client(
    *, host: str, access_token: str, proxy: str | None
) -> tuple[AsyncApiClient, aiohttp.ClientSession]:
    """line-bot-sdk's client on a session that does not read the environment, and the SDK's own
    session, which owns the connection pool (to be closed after the client).

    The SDK opens its aiohttp session with `trust_env=True`, which makes every call look up
    `~/.netrc` in a worker thread (6 % of the sender's event loop in the issue-11 profile) and take
    its proxy from the environment. The proxy is given explicitly instead (only for an https host,
    as `HTTPS_PROXY` was); the SDK's session is never used for a request."""
    configuration = Configuration(host=host, access_token=access_token)
    if proxy and host.startswith("https://"):
        configuration.proxy = proxy
    client = AsyncApiClient(configuration)
    rest = client.rest_client
    pool: aiohttp.ClientSession = rest.pool_manager
    rest.pool_manager = aiohttp.ClientSession(
        connector=pool.connector, connector_owner=False, trust_env=False
    )
    return client, pool


class LineMessaging:
    def __init__(
        self,
        *,
        base_url: str,
        access_token: str,
        timeout_seconds: float,
        data_base_url: str | None = None,
        proxy: str | None = None,
    ) -> None:
        self._client, self._pool = sdk_client(host=base_url, access_token=access_token, proxy=proxy)
        self._data_client, self._data_pool = sdk_client(
            host=data_base_url or base_url, access_token=access_token, proxy=proxy
        )
        self._api = AsyncMessagingApi(self._client)
        self._blob = AsyncMessagingApiBlob(self._data_client)
        self._timeout = timeout_seconds

    async def close(self) -> None:
        # The clients close the sessions they send on; the pools go after them.
        await self._client.close()
        await self._data_client.close()
        await self._pool.close()
        await self._data_pool.close()

    # -- sending -----------------------------------------------------------------------------

    async def reply(self, *, reply_token: str, messages: list[OutboundMessage]) -> SendReceipt:
        request = ReplyMessageRequest(
            replyToken=reply_token, messages=[to_sdk(m) for m in messages]
        )
        return await self._send(self._api.reply_message_with_http_info(request, **self._opts()))

    async def push(
        self, *, user_id: str, messages: list[OutboundMessage], retry_key: str
    ) -> SendReceipt:
        request = PushMessageRequest(to=user_id, messages=[to_sdk(m) for m in messages])
        return await self._send(
            self._api.push_message_with_http_info(
                request, x_line_retry_key=retry_key, **self._opts()
            )
        )

    async def multicast(
        self, *, user_ids: list[str], messages: list[OutboundMessage], retry_key: str
    ) -> SendReceipt:
        request = MulticastRequest(to=user_ids, messages=[to_sdk(m) for m in messages])
        return await self._send(
            self._api.multicast_with_http_info(request, x_line_retry_key=retry_key, **self._opts())
        )

    async def show_loading(self, *, user_id: str, seconds: int) -> None:
        request = ShowLoadingAnimationRequest(chatId=user_id, loadingSeconds=seconds)
        await self._send(self._api.show_loading_animation_with_http_info(request, **self._opts()))

    # -- content, quota -----------------------------------------------------------------------

    async def content(self, *, message_id: str) -> tuple[bytes, str]:
        """A message's content and its media type, from the data host."""
        response = await self._call(
            self._blob.get_message_content_with_http_info(message_id, **self._opts())
        )
        media_type = "application/octet-stream"
        for key, value in dict(response.headers or {}).items():
            if key.lower() == "content-type":
                media_type = str(value).split(";")[0].strip()
        return bytes(response.data), media_type

    async def quota(self) -> Quota:
        limit = await self._call(self._api.get_message_quota(**self._opts()))
        used = await self._call(self._api.get_message_quota_consumption(**self._opts()))
        return Quota(
            limit=int(limit.value) if limit.type == "limited" and limit.value is not None else None,
            used=int(used.total_usage),
        )

    # -- rich menus --------------------------------------------------------------------------

    async def rich_menus(self) -> list[ExistingMenu]:
        found = await self._call(self._api.get_rich_menu_list(**self._opts()))
        return [ExistingMenu(m.rich_menu_id, m.name) for m in found.richmenus or []]

    async def create_rich_menu(self, menu: MenuDefinition) -> str:
        request = RichMenuRequest(
            size=RichMenuSize(width=menu.width, height=menu.height),
            selected=menu.selected,
            name=menu.name,
            chatBarText=menu.chat_bar_text,
            areas=[
                RichMenuArea(
                    bounds=RichMenuBounds(x=a.x, y=a.y, width=a.width, height=a.height),
                    action=SdkPostbackAction(
                        label=a.label, data=a.data, displayText=a.display_text
                    ),
                )
                for a in menu.areas
            ],
        )
        created = await self._call(self._api.create_rich_menu(request, **self._opts()))
        return str(created.rich_menu_id)

    async def has_rich_menu_image(self, rich_menu_id: str) -> bool:
        try:
            await self._call(self._blob.get_rich_menu_image(rich_menu_id, **self._opts()))
        except LineApiError as error:
            if error.is_not_found:
                return False
            raise
        return True

    async def upload_rich_menu_image(
        self, rich_menu_id: str, image: bytes, media_type: str
    ) -> None:
        await self._call(
            # The SDK ignores `_content_type` here and would send JSON; the header must be set.
            self._blob.set_rich_menu_image(
                rich_menu_id, body=image, _headers={"Content-Type": media_type}, **self._opts()
            )
        )

    async def set_default_rich_menu(self, rich_menu_id: str) -> None:
        await self._call(self._api.set_default_rich_menu(rich_menu_id, **self._opts()))

    async def delete_rich_menu(self, rich_menu_id: str) -> None:
        await self._call(self._api.delete_rich_menu(rich_menu_id, **self._opts()))

    async def link_rich_menu(self, *, user_id: str, rich_menu_id: str) -> None:
        await self._call(self._api.link_rich_menu_id_to_user(user_id, rich_menu_id, **self._opts()))

    async def link_rich_menu_bulk(self, *, user_ids: list[str], rich_menu_id: str) -> None:
        request = RichMenuBulkLinkRequest(richMenuId=rich_menu_id, userIds=user_ids)
        await self._call(self._api.link_rich_menu_id_to_users(request, **self._opts()))

    async def unlink_rich_menu(self, *, user_id: str) -> None:
        await self._call(self._api.unlink_rich_menu_id_from_user(user_id, **self._opts()))

    # -- plumbing ------------------------------------------------------------------------------

    def _opts(self) -> dict[str, Any]:
        return {"_request_timeout": self._timeout}

    async def _send(self, pending: Any) -> SendReceipt:
        response = await self._call(pending)
        return SendReceipt(request_id=_request_id(getattr(response, "headers", None)))

    async def _call(self, pending: Any) -> Any:
        try:
            return await pending
        except ApiException as exc:
            raise _error_from(exc) from exc
        except (TimeoutError, OSError, aiohttp.ClientError) as exc:
            raise LineApiError(status=0, message=f"no answer: {type(exc).__name__}") from exc
