"""The simulator's own API (`/sim/...`): act as a senior, inspect what LINE received, inject faults.

Tests and the demo page drive the simulator through these endpoints only. Every action a senior
takes is turned into a signed webhook posted to the gateway, and the answer reports the
gateway's HTTP status, so a test sees at once whether the gateway accepted the event.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal, Self

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from services.common.events.contracts.line import MAX_POSTBACK_DATA_LENGTH, MAX_TEXT_LENGTH
from tools.line_simulator import webhooks
from tools.line_simulator.content import one_pixel_png, silent_wav
from tools.line_simulator.redelivery import WebhookDelivery
from tools.line_simulator.state import Content, Fault, FaultEndpoint, LinePlatform
from tools.line_simulator.validation import USER_ID
from tools.line_simulator.webhooks import WebhookResult, WebhookSender

JsonObject = dict[str, Any]


# Dependencies are `async def`: FastAPI runs a plain `def` one in its thread pool, a thread hop
# per request on the simulator's busiest paths (every user message, every reply under load).
async def get_platform(request: Request) -> LinePlatform:
    platform: LinePlatform = request.app.state.platform
    return platform


async def get_sender(request: Request) -> WebhookSender:
    sender: WebhookSender = request.app.state.webhooks
    return sender


async def get_delivery(request: Request) -> WebhookDelivery:
    delivery: WebhookDelivery = request.app.state.delivery
    return delivery


PlatformDep = Annotated[LinePlatform, Depends(get_platform)]
SenderDep = Annotated[WebhookSender, Depends(get_sender)]
DeliveryDep = Annotated[WebhookDelivery, Depends(get_delivery)]
UserId = Annotated[
    str,
    Path(
        pattern=USER_ID.pattern,
        description='"U" followed by 1 to 64 letters or digits (LINE uses 32 hex digits)',
    ),
]

router = APIRouter(prefix="/sim", tags=["simulator control"])


class _Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class UserIn(_Body):
    display_name: str | None = Field(default=None, min_length=1, max_length=20)
    picture_url: str | None = None
    area: str | None = None
    following: bool | None = None


class FollowIn(_Body):
    display_name: str | None = Field(default=None, min_length=1, max_length=20)
    # Left out, the simulator says "unblocked" exactly when the user had blocked the account.
    is_unblocked: bool | None = None


class MessageIn(_Body):
    type: Literal["text", "sticker", "image", "audio", "video", "location", "file"] = "text"
    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_LENGTH)
    package_id: str = "446"
    sticker_id: str = "1988"
    duration: int = Field(default=3000, ge=1, description="audio or video length in ms")
    file_name: str = "しおり.pdf"
    title: str | None = None
    address: str = "大阪府大阪市中央区大手前2丁目"
    latitude: float = 34.686
    longitude: float = 135.52
    content_base64: str | None = Field(
        default=None, description="bytes served by the content endpoint (image and audio)"
    )
    content_type: str | None = None

    @model_validator(mode="after")
    def _text_needs_text(self) -> Self:
        if self.type == "text" and self.text is None:
            raise ValueError("a text message needs `text`")
        return self

    def webhook_message(self) -> JsonObject:
        if self.type == "text":
            return {"type": "text", "text": self.text}
        if self.type == "sticker":
            return {
                "type": "sticker",
                "packageId": self.package_id,
                "stickerId": self.sticker_id,
                "stickerResourceType": "STATIC",
                "keywords": [],
            }
        if self.type == "image":
            return {"type": "image", "contentProvider": {"type": "line"}}
        if self.type in ("audio", "video"):
            return {
                "type": self.type,
                "duration": self.duration,
                "contentProvider": {"type": "line"},
            }
        if self.type == "file":
            return {"type": "file", "fileName": self.file_name, "fileSize": 2048}
        location: JsonObject = {
            "type": "location",
            "address": self.address,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }
        if self.title:
            location["title"] = self.title
        return location

    def content(self) -> Content | None:
        if self.content_base64 is not None:
            try:
                data = base64.b64decode(self.content_base64, validate=True)
            except binascii.Error as exc:
                raise HTTPException(422, "contentBase64 is not valid base64") from exc
            return Content(data, self.content_type or "application/octet-stream")
        if self.type == "image":
            return Content(one_pixel_png(), "image/png")
        if self.type == "audio":
            return Content(silent_wav(self.duration), "audio/wav")
        return None


class PostbackIn(_Body):
    data: str = Field(min_length=1, max_length=MAX_POSTBACK_DATA_LENGTH)
    display_text: str | None = Field(default=None, max_length=300)
    params: dict[str, str] | None = None


class GroupMessageIn(_Body):
    user_id: str | None = Field(default=None, pattern=USER_ID.pattern)
    text: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH)


class RawWebhookIn(_Body):
    body: str
    signature: str | None = None


class FaultIn(_Body):
    endpoint: FaultEndpoint
    status: int | None = Field(default=None, ge=100, le=599)
    times: int = Field(default=1, ge=1, le=10_000)
    body: JsonObject | None = None
    delay_seconds: float = Field(default=0.0, ge=0.0, le=600.0)
    after_accept: bool = False

    @model_validator(mode="after")
    def _does_something(self) -> Self:
        if self.status is None and not self.delay_seconds:
            raise ValueError("a fault needs a status, a delaySeconds, or both")
        return self


class RedeliveryIn(_Body):
    enabled: bool | None = None
    first_delay_seconds: float | None = Field(default=None, gt=0.0, le=600.0)
    max_delay_seconds: float | None = Field(default=None, gt=0.0, le=3600.0)
    max_attempts: int | None = Field(default=None, ge=0, le=100)
    jitter: float | None = Field(default=None, ge=0.0, le=1.0)


class QuotaIn(_Body):
    limit: int | None = Field(default=None, ge=0)
    used: int | None = Field(default=None, ge=0)


class ExpireTokensIn(_Body):
    reply_token: str | None = None


def _outcome(event: JsonObject, result: WebhookResult) -> JsonObject:
    outcome: JsonObject = {"webhookEventId": event["webhookEventId"]}
    if "replyToken" in event:
        outcome["replyToken"] = event["replyToken"]
    if "message" in event:
        outcome["messageId"] = event["message"]["id"]
    return {**outcome, **result.to_json()}


async def _post_event(event: JsonObject, *, delivery: WebhookDelivery) -> JsonObject:
    # What the user did becomes a webhook; if the gateway does not acknowledge it, LINE-style
    # redelivery (when on) keeps trying in the background. The answer is the first attempt's.
    return _outcome(event, await delivery.deliver([event]))


# -- users -----------------------------------------------------------------------------------


@router.get("/users", summary="Known users: the demo seniors and anyone seen since")
async def list_users(platform: PlatformDep) -> JsonObject:
    return {"users": [user.to_json() for user in platform.users()]}


@router.put("/users/{user_id}", summary="Create or change a user without sending a webhook")
async def put_user(user_id: UserId, body: UserIn, platform: PlatformDep) -> JsonObject:
    user = await platform.upsert_user(
        user_id,
        display_name=body.display_name,
        picture_url=body.picture_url,
        area=body.area,
        following=body.following,
    )
    return {"user": user.to_json()}


@router.post("/users/{user_id}/follow", summary="The user adds (or unblocks) the account")
async def follow(
    user_id: UserId,
    platform: PlatformDep,
    delivery: DeliveryDep,
    body: FollowIn | None = None,
) -> JsonObject:
    body = body or FollowIn()
    event = await platform.follow(
        user_id, display_name=body.display_name, is_unblocked=body.is_unblocked
    )
    return await _post_event(event, delivery=delivery)


@router.post("/users/{user_id}/unfollow", summary="The user blocks the account")
async def unfollow(
    user_id: UserId,
    platform: PlatformDep,
    delivery: DeliveryDep,
) -> JsonObject:
    event = await platform.unfollow(user_id)
    return await _post_event(event, delivery=delivery)


@router.post("/users/{user_id}/messages", summary="The user sends a message")
async def send_message(
    user_id: UserId,
    body: MessageIn,
    platform: PlatformDep,
    delivery: DeliveryDep,
) -> JsonObject:
    event = await platform.user_message(user_id, body.webhook_message(), content=body.content())
    return await _post_event(event, delivery=delivery)


@router.post("/users/{user_id}/postbacks", summary="The user taps a postback button")
async def send_postback(
    user_id: UserId,
    body: PostbackIn,
    platform: PlatformDep,
    delivery: DeliveryDep,
) -> JsonObject:
    event = await platform.user_postback(
        user_id, data=body.data, display_text=body.display_text, params=body.params
    )
    return await _post_event(event, delivery=delivery)


ChatId = Annotated[
    str, Path(pattern=r"^[CR][0-9A-Za-z]{1,64}$", description='a group ("C...") or room ("R...")')
]


@router.post("/groups/{chat_id}/join", summary="The account is added to a group or room")
async def join_group(
    chat_id: ChatId,
    platform: PlatformDep,
    delivery: DeliveryDep,
) -> JsonObject:
    event = await platform.group_event(chat_id, user_id=None, message=None)
    return await _post_event(event, delivery=delivery)


@router.post("/groups/{chat_id}/messages", summary="Someone writes in a group or room")
async def group_message(
    chat_id: ChatId,
    body: GroupMessageIn,
    platform: PlatformDep,
    delivery: DeliveryDep,
) -> JsonObject:
    event = await platform.group_event(
        chat_id, user_id=body.user_id, message={"type": "text", "text": body.text}
    )
    return await _post_event(event, delivery=delivery)


@router.get("/groups/{chat_id}/inbox", summary="What the bot sent to a group or room")
async def group_inbox(chat_id: ChatId, platform: PlatformDep) -> JsonObject:
    return {"chatId": chat_id, "messages": platform.inbox(chat_id)}


@router.get("/users/{user_id}/richmenu", summary="The rich menu this user's chat shows")
async def user_rich_menu(user_id: UserId, platform: PlatformDep) -> JsonObject:
    menu, source = platform.rich_menus.shown_to(user_id)
    if menu is None:
        return {"richMenuId": None, "source": None, "menu": None, "imageUrl": None}
    return {
        "richMenuId": menu.rich_menu_id,
        "source": source,
        "menu": menu.to_json(),
        "imageUrl": f"/sim/richmenus/{menu.rich_menu_id}/image",
    }


@router.get("/richmenus", summary="Every rich menu, the default, and per-user links")
async def rich_menus(platform: PlatformDep) -> JsonObject:
    menus = platform.rich_menus
    return {
        "richmenus": [
            {**menu.to_json(), "hasImage": menu.image is not None} for menu in menus.menus.values()
        ],
        "default": menus.default,
        "linkedUsers": len(menus.per_user),
    }


@router.get("/richmenus/{rich_menu_id}/image", summary="A rich menu's image, for the page")
async def rich_menu_image(rich_menu_id: str, platform: PlatformDep) -> Response:
    data, media_type = platform.rich_menus.image(rich_menu_id)
    return Response(data, media_type=media_type, headers={"cache-control": "max-age=3600"})


@router.get("/users/{user_id}/inbox", summary="What the bot sent this user, in order")
async def inbox(user_id: UserId, platform: PlatformDep) -> JsonObject:
    return {
        "userId": user_id,
        "messages": platform.inbox(user_id),
        # Accepted by LINE but never shown, because the user had blocked the account.
        "undelivered": platform.undelivered(user_id),
    }


@router.get("/users/{user_id}/conversation", summary="Both sides of the chat, for the page")
async def conversation(
    user_id: UserId,
    platform: PlatformDep,
    after: Annotated[int, Query(ge=0, description="only entries after this seq")] = 0,
) -> JsonObject:
    items = platform.conversation(user_id, after=after)
    user = platform.user(user_id)
    until = platform.loading_until(user_id)
    return {
        "user": user.to_json() if user else None,
        "items": items,
        "lastSeq": items[-1]["seq"] if items else after,
        "loading": {"active": until is not None, "until": until.isoformat() if until else None},
    }


@router.get("/loading/{user_id}", summary="Loading animation calls for a user")
async def loading(user_id: UserId, platform: PlatformDep) -> JsonObject:
    until = platform.loading_until(user_id)
    return {
        "userId": user_id,
        "active": until is not None,
        "until": until.isoformat() if until else None,
        "calls": platform.loading_calls(user_id),
    }


# -- webhooks --------------------------------------------------------------------------------


@router.get("/events/{webhook_event_id}", summary="A webhook event as first sent")
async def get_event(webhook_event_id: str, platform: PlatformDep) -> JsonObject:
    event = platform.event(webhook_event_id)
    if event is None:
        raise HTTPException(404, "Unknown webhookEventId")
    return event


@router.post("/events/{webhook_event_id}/redeliver", summary="LINE's webhook redelivery")
async def redeliver(
    webhook_event_id: str,
    platform: PlatformDep,
    delivery: DeliveryDep,
) -> JsonObject:
    event = platform.event(webhook_event_id)
    if event is None:
        raise HTTPException(404, "Unknown webhookEventId")
    return await _post_event(webhooks.as_redelivery(event), delivery=delivery)


@router.get("/redelivery", summary="Webhook redelivery: the policy, what is pending, what happened")
async def redelivery(delivery: DeliveryDep) -> JsonObject:
    return delivery.status()


@router.put("/redelivery", summary="Turn webhook redelivery on or off, or change its backoff")
async def set_redelivery(body: RedeliveryIn, delivery: DeliveryDep) -> JsonObject:
    policy = delivery.policy
    if body.enabled is not None:
        policy.enabled = body.enabled
    if body.first_delay_seconds is not None:
        policy.first_delay_seconds = body.first_delay_seconds
    if body.max_delay_seconds is not None:
        policy.max_delay_seconds = body.max_delay_seconds
    if body.max_attempts is not None:
        policy.max_attempts = body.max_attempts
    if body.jitter is not None:
        policy.jitter = body.jitter
    return delivery.status()


@router.post("/webhook/raw", summary="Post any body to the gateway, signed unless told otherwise")
async def raw_webhook(body: RawWebhookIn, sender: SenderDep) -> JsonObject:
    result = await sender.post(body.body.encode(), signature=body.signature)
    return result.to_json()


@router.post("/reply-tokens/expire", summary="Make reply tokens unusable now")
async def expire_reply_tokens(
    platform: PlatformDep, body: ExpireTokensIn | None = None
) -> JsonObject:
    expired = await platform.expire_reply_tokens(body.reply_token if body else None)
    return {"expired": expired}


# -- inspection, faults, quota, reset --------------------------------------------------------


@router.get("/requests", summary="The latest Messaging API calls, oldest first")
async def requests(
    platform: PlatformDep, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> JsonObject:
    return {"requests": platform.requests(limit)}


@router.post("/faults", summary="Answer the next calls to an endpoint with a failure or delay")
async def add_fault(body: FaultIn, platform: PlatformDep) -> JsonObject:
    await platform.add_fault(
        Fault(
            endpoint=body.endpoint,
            status=body.status,
            times=body.times,
            body=body.body,
            delay_seconds=body.delay_seconds,
            after_accept=body.after_accept,
        )
    )
    return {"faults": platform.faults()}


@router.get("/faults", summary="Faults still pending")
async def list_faults(platform: PlatformDep) -> JsonObject:
    return {"faults": platform.faults()}


@router.delete("/faults", summary="Drop every pending fault")
async def clear_faults(platform: PlatformDep) -> JsonObject:
    await platform.clear_faults()
    return {"faults": []}


@router.get("/quota", summary="The monthly allowance and this month's use")
async def get_quota(platform: PlatformDep) -> JsonObject:
    return await platform.set_quota()


@router.post("/quota", summary="Set the monthly allowance and/or this month's use")
async def set_quota(body: QuotaIn, platform: PlatformDep) -> JsonObject:
    return await platform.set_quota(limit=body.limit, used=body.used)


@router.post("/reset", summary="Forget everything except the demo users")
async def reset(platform: PlatformDep, delivery: DeliveryDep) -> JsonObject:
    platform.reset()
    await delivery.reset()
    return {"status": "reset", "users": len(platform.users())}
