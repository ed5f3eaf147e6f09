"""Everything the simulated LINE Platform remembers, in memory.

LINE is an outside service, so the simulator keeps its state the simplest way: in this one
object, lost on restart. Public coroutines hold one asyncio lock, so a check and the change it
guards (a reply token's single use, a retry key's acceptance, the monthly quota) happen together
even when a later change adds an await in between.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from services.common.time import JST, utcnow
from tools.line_simulator import webhooks
from tools.line_simulator.errors import (
    INVALID_REPLY_TOKEN,
    MONTHLY_LIMIT,
    NOT_FOUND,
    RETRY_KEY_ACCEPTED,
    LineError,
)
from tools.line_simulator.rich_menus import RichMenus
from tools.line_simulator.settings import SimulatorSettings

Clock = Callable[[], datetime]
JsonObject = dict[str, Any]
EntryKind = Literal["message", "postback", "follow", "unfollow", "delivery"]

# LINE lets a user quote these when they answer, so it returns a quote token for them.
QUOTABLE_TYPES = frozenset({"text", "textV2", "sticker", "image", "video"})


class Via(StrEnum):
    REPLY = "reply"
    PUSH = "push"
    MULTICAST = "multicast"


class FaultEndpoint(StrEnum):
    REPLY = "reply"
    PUSH = "push"
    MULTICAST = "multicast"
    LOADING = "loading"
    PROFILE = "profile"
    QUOTA = "quota"
    CONTENT = "content"
    RICHMENU = "richmenu"


@dataclass
class User:
    user_id: str
    display_name: str
    picture_url: str | None = None
    status_message: str | None = None
    area: str | None = None
    cohort: str | None = None
    # The demo link code tablet_lending's demo cohort issues to this senior (demo users only).
    link_code: str | None = None
    demo: bool = False
    following: bool = True
    ever_blocked: bool = False

    def profile(self) -> JsonObject:
        profile: JsonObject = {
            "userId": self.user_id,
            "displayName": self.display_name,
            "language": "ja",
        }
        if self.picture_url:
            profile["pictureUrl"] = self.picture_url
        if self.status_message:
            profile["statusMessage"] = self.status_message
        return profile

    def to_json(self) -> JsonObject:
        return {
            "userId": self.user_id,
            "displayName": self.display_name,
            "pictureUrl": self.picture_url,
            "area": self.area,
            "cohort": self.cohort,
            "linkCode": self.link_code,
            "demo": self.demo,
            "following": self.following,
        }


@dataclass
class Delivery:
    """One accepted send to one user: the messages as received, and whether LINE delivered them."""

    via: Via
    messages: list[JsonObject]
    at: datetime
    request_id: str
    retry_key: str | None
    delivered: bool
    sent_messages: list[JsonObject]
    # The reply token a reply used: which of the user's events it answers.
    reply_token: str | None = None

    def to_json(self) -> JsonObject:
        return {
            "via": self.via.value,
            "messages": self.messages,
            "at": self.at.isoformat(),
            "requestId": self.request_id,
            "retryKey": self.retry_key,
            "replyToken": self.reply_token,
            "sentMessages": self.sent_messages,
        }


@dataclass
class TimelineEntry:
    """One line of the conversation as the senior's phone would show it."""

    seq: int
    at: datetime
    sender: Literal["user", "bot"]
    kind: EntryKind
    data: JsonObject
    delivery: Delivery | None = None

    def to_json(self) -> JsonObject:
        entry: JsonObject = {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "from": self.sender,
            "kind": self.kind,
            **self.data,
        }
        if self.delivery is not None:
            entry.update(self.delivery.to_json())
            entry["delivered"] = self.delivery.delivered
        return entry


@dataclass
class ReplyToken:
    user_id: str
    issued_at: datetime
    used: bool = False
    revoked: bool = False


@dataclass(frozen=True)
class AcceptedRequest:
    request_id: str
    at: datetime
    response: JsonObject


@dataclass
class LoadingCall:
    at: datetime
    seconds: int

    @property
    def ends_at(self) -> datetime:
        return self.at + timedelta(seconds=self.seconds)


@dataclass
class Fault:
    endpoint: FaultEndpoint
    status: int | None
    times: int
    body: JsonObject | None = None
    delay_seconds: float = 0.0
    after_accept: bool = False

    def to_json(self) -> JsonObject:
        return {
            "endpoint": self.endpoint.value,
            "status": self.status,
            "times": self.times,
            "body": self.body,
            "delaySeconds": self.delay_seconds,
            "afterAccept": self.after_accept,
        }


@dataclass(frozen=True)
class Sent:
    """A send LINE accepted: what the API answers, and the id it answers under."""

    request_id: str
    response: JsonObject


@dataclass(frozen=True)
class Content:
    data: bytes
    media_type: str


@dataclass
class _Quota:
    limit: int
    used: int = 0
    month: str = ""


@dataclass
class _UserRecord:
    user: User
    timeline: list[TimelineEntry] = field(default_factory=list)
    loading: list[LoadingCall] = field(default_factory=list)


class LinePlatform:
    def __init__(self, settings: SimulatorSettings, *, clock: Clock = utcnow) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = asyncio.Lock()
        self._seq = itertools.count(1)
        # Numeric, increasing message ids like LINE's, unlikely to repeat across restarts.
        self._message_ids = itertools.count(int(clock().timestamp() * 1000) * 1000)
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the state at startup: demo users only, nothing sent, no faults."""
        self._users: dict[str, _UserRecord] = {}
        self._reply_tokens: dict[str, ReplyToken] = {}
        self._retry_keys: dict[str, AcceptedRequest] = {}
        self._events: OrderedDict[str, JsonObject] = OrderedDict()
        self._contents: dict[str, Content] = {}
        self._faults: dict[FaultEndpoint, deque[Fault]] = {}
        self._requests: deque[JsonObject] = deque(maxlen=self._settings.max_logged_requests)
        self._quota = _Quota(limit=self._settings.monthly_quota, month=self._month())
        self.rich_menus = RichMenus()
        self._load_demo_users()

    def _load_demo_users(self) -> None:
        path = self._settings.demo_users_file
        if not path.exists():
            return
        for raw in json.loads(path.read_text(encoding="utf-8"))["users"]:
            user = User(
                user_id=raw["userId"],
                display_name=raw["displayName"],
                picture_url=raw.get("pictureUrl"),
                status_message=raw.get("statusMessage"),
                area=raw.get("area"),
                cohort=raw.get("cohort"),
                link_code=raw.get("linkCode"),
                demo=True,
                following=raw.get("following", True),
            )
            self._users[user.user_id] = _UserRecord(user)

    # -- users -----------------------------------------------------------------------------

    def users(self) -> list[User]:
        # Groups and rooms have records too (for their deliveries); they are not users.
        return [r.user for r in self._users.values() if r.user.user_id.startswith("U")]

    def user(self, user_id: str) -> User | None:
        record = self._users.get(user_id)
        return record.user if record else None

    def _record(self, user_id: str) -> _UserRecord:
        """The user's record; anyone the bot hears of is taken to be a friend from before."""
        record = self._users.get(user_id)
        if record is None:
            record = _UserRecord(User(user_id=user_id, display_name=f"ゲスト{user_id[-4:]}"))
            self._users[user_id] = record
        return record

    async def upsert_user(
        self,
        user_id: str,
        *,
        display_name: str | None = None,
        picture_url: str | None = None,
        area: str | None = None,
        following: bool | None = None,
    ) -> User:
        async with self._lock:
            user = self._record(user_id).user
            if display_name is not None:
                user.display_name = display_name
            if picture_url is not None:
                user.picture_url = picture_url
            if area is not None:
                user.area = area
            if following is not None:
                user.ever_blocked |= user.following and not following
                user.following = following
            return user

    # -- what users do (each becomes a webhook event) ---------------------------------------

    def _stamp(self, user_id: str, entry_kind: EntryKind, data: JsonObject) -> None:
        self._record(user_id).timeline.append(
            TimelineEntry(
                seq=next(self._seq), at=self._clock(), sender="user", kind=entry_kind, data=data
            )
        )

    def _remember(self, event: JsonObject) -> JsonObject:
        self._events[event["webhookEventId"]] = event
        while len(self._events) > self._settings.max_remembered_events:
            self._events.popitem(last=False)
        return event

    def _issue_reply_token(self, user_id: str) -> str:
        token = webhooks.new_reply_token()
        self._reply_tokens[token] = ReplyToken(user_id=user_id, issued_at=self._clock())
        return token

    def _refuse_if_blocked(self, user: User) -> None:
        if not user.following:
            raise LineError(
                409,
                "This user has blocked the account (or never added it); follow first.",
            )

    async def follow(
        self, user_id: str, *, display_name: str | None, is_unblocked: bool | None
    ) -> JsonObject:
        async with self._lock:
            user = self._record(user_id).user
            if display_name:
                user.display_name = display_name
            unblocked = user.ever_blocked if is_unblocked is None else is_unblocked
            user.following = True
            event = webhooks.follow_event(
                user_id=user_id,
                is_unblocked=unblocked,
                reply_token=self._issue_reply_token(user_id),
                now=self._clock(),
            )
            self._stamp(user_id, "follow", {"isUnblocked": unblocked})
            return self._remember(event)

    async def unfollow(self, user_id: str) -> JsonObject:
        async with self._lock:
            user = self._record(user_id).user
            user.ever_blocked |= user.following
            user.following = False
            self._stamp(user_id, "unfollow", {})
            return self._remember(webhooks.unfollow_event(user_id=user_id, now=self._clock()))

    async def user_message(
        self, user_id: str, message: JsonObject, *, content: Content | None = None
    ) -> JsonObject:
        """`message` is the webhook message object without its id; the id is assigned here."""
        async with self._lock:
            self._refuse_if_blocked(self._record(user_id).user)
            message_id = str(next(self._message_ids))
            message = {"id": message_id, **message}
            if message.get("type") in QUOTABLE_TYPES:
                message["quoteToken"] = webhooks.new_quote_token()
            if content is not None:
                self._contents[message_id] = content
            event = webhooks.message_event(
                user_id=user_id,
                message=message,
                reply_token=self._issue_reply_token(user_id),
                now=self._clock(),
            )
            self._stamp(user_id, "message", {"message": message})
            return self._remember(event)

    async def group_event(
        self, chat_id: str, *, user_id: str | None, message: JsonObject | None
    ) -> JsonObject:
        """A message in a group or room the account is in, or (without one) the account joining."""
        async with self._lock:
            source = webhooks.chat_source(chat_id, user_id)
            token = self._issue_reply_token(chat_id)
            if message is None:
                event = webhooks.join_event(source=source, reply_token=token, now=self._clock())
                self._stamp(chat_id, "follow", {"joined": True})
            else:
                message = {"id": str(next(self._message_ids)), **message}
                event = webhooks.message_event(
                    user_id=user_id or "",
                    message=message,
                    reply_token=token,
                    now=self._clock(),
                    source=source,
                )
                self._stamp(chat_id, "message", {"message": message, "userId": user_id})
            return self._remember(event)

    async def user_postback(
        self, user_id: str, *, data: str, display_text: str | None, params: dict[str, str] | None
    ) -> JsonObject:
        async with self._lock:
            self._refuse_if_blocked(self._record(user_id).user)
            event = webhooks.postback_event(
                user_id=user_id,
                data=data,
                params=params,
                reply_token=self._issue_reply_token(user_id),
                now=self._clock(),
            )
            self._stamp(user_id, "postback", {"data": data, "displayText": display_text})
            return self._remember(event)

    def event(self, webhook_event_id: str) -> JsonObject | None:
        return self._events.get(webhook_event_id)

    async def expire_reply_tokens(self, token: str | None = None) -> int:
        """Make one reply token (or every one) unusable, as if its minute had passed."""
        async with self._lock:
            if token is None:
                targets = list(self._reply_tokens.values())
            else:
                found = self._reply_tokens.get(token)
                targets = [found] if found else []
            for record in targets:
                record.revoked = True
            return len(targets)

    # -- what the bot does (Messaging API) --------------------------------------------------

    def _sent_messages(self, messages: list[JsonObject]) -> list[JsonObject]:
        sent: list[JsonObject] = []
        for message in messages:
            item: JsonObject = {"id": str(next(self._message_ids))}
            if message.get("type") in QUOTABLE_TYPES:
                item["quoteToken"] = webhooks.new_quote_token()
            sent.append(item)
        return sent

    def _deliver(
        self,
        user_id: str,
        *,
        via: Via,
        messages: list[JsonObject],
        request_id: str,
        retry_key: str | None,
        sent_messages: list[JsonObject] | None = None,
        reply_token: str | None = None,
    ) -> Delivery:
        record = self._record(user_id)
        delivery = Delivery(
            via=via,
            messages=messages,
            at=self._clock(),
            request_id=request_id,
            retry_key=retry_key,
            # LINE accepts sends to users who blocked the account but never shows them.
            delivered=record.user.following,
            sent_messages=sent_messages or self._sent_messages(messages),
            reply_token=reply_token,
        )
        record.timeline.append(
            TimelineEntry(
                seq=next(self._seq),
                at=delivery.at,
                sender="bot",
                kind="delivery",
                data={},
                delivery=delivery,
            )
        )
        return delivery

    def _check_retry_key(self, retry_key: str | None) -> None:
        if retry_key is None:
            return
        horizon = self._clock() - timedelta(seconds=self._settings.retry_key_ttl_seconds)
        for key in [k for k, v in self._retry_keys.items() if v.at < horizon]:
            del self._retry_keys[key]
        accepted = self._retry_keys.get(retry_key.lower())
        if accepted is not None:
            raise LineError(
                409,
                RETRY_KEY_ACCEPTED,
                extra=accepted.response,
                headers={"x-line-accepted-request-id": accepted.request_id},
            )

    def _accept_retry_key(
        self, retry_key: str | None, request_id: str, response: JsonObject
    ) -> None:
        if retry_key is not None:
            self._retry_keys[retry_key.lower()] = AcceptedRequest(
                request_id=request_id, at=self._clock(), response=response
            )

    def _month(self) -> str:
        # LINE's allowance resets on the first of the month, Japan time.
        return self._clock().astimezone(JST).strftime("%Y-%m")

    def _roll_month(self) -> None:
        month = self._month()
        if self._quota.month != month:
            self._quota.month, self._quota.used = month, 0

    def _consume_quota(self, recipients: int) -> None:
        self._roll_month()
        if self._quota.used + recipients > self._quota.limit:
            raise LineError(429, MONTHLY_LIMIT)
        self._quota.used += recipients

    async def reply(self, reply_token: str, messages: list[JsonObject]) -> Sent:
        async with self._lock:
            token = self._reply_tokens.get(reply_token)
            ttl = timedelta(seconds=self._settings.reply_token_ttl_seconds)
            if (
                token is None
                or token.used
                or token.revoked
                or self._clock() - token.issued_at > ttl
            ):
                raise LineError(400, INVALID_REPLY_TOKEN)
            token.used = True
            request_id = str(uuid.uuid4())
            delivery = self._deliver(
                token.user_id,
                via=Via.REPLY,
                messages=messages,
                request_id=request_id,
                retry_key=None,
                reply_token=reply_token,
            )
            return Sent(request_id, {"sentMessages": delivery.sent_messages})

    async def push(self, to: str, messages: list[JsonObject], *, retry_key: str | None) -> Sent:
        async with self._lock:
            self._check_retry_key(retry_key)
            # Sends to users who blocked the account are not delivered, so they are not charged.
            self._consume_quota(1 if self._record(to).user.following else 0)
            request_id = str(uuid.uuid4())
            delivery = self._deliver(
                to, via=Via.PUSH, messages=messages, request_id=request_id, retry_key=retry_key
            )
            response: JsonObject = {"sentMessages": delivery.sent_messages}
            self._accept_retry_key(retry_key, request_id, response)
            return Sent(request_id, response)

    async def multicast(
        self, to: list[str], messages: list[JsonObject], *, retry_key: str | None
    ) -> Sent:
        async with self._lock:
            self._check_retry_key(retry_key)
            recipients = list(dict.fromkeys(to))
            self._consume_quota(
                sum(1 for user_id in recipients if self._record(user_id).user.following)
            )
            request_id = str(uuid.uuid4())
            for user_id in recipients:
                self._deliver(
                    user_id,
                    via=Via.MULTICAST,
                    messages=messages,
                    request_id=request_id,
                    retry_key=retry_key,
                )
            # LINE answers a multicast with an empty object: no per-user message ids.
            response: JsonObject = {}
            self._accept_retry_key(retry_key, request_id, response)
            return Sent(request_id, response)

    async def start_loading(self, user_id: str, seconds: int) -> None:
        async with self._lock:
            self._record(user_id).loading.append(LoadingCall(at=self._clock(), seconds=seconds))

    def profile(self, user_id: str) -> JsonObject:
        user = self.user(user_id)
        # LINE shows profiles only of current friends.
        if user is None or not user.following:
            raise LineError(404, NOT_FOUND)
        return user.profile()

    def content(self, message_id: str) -> Content:
        content = self._contents.get(message_id)
        if content is None:
            raise LineError(404, NOT_FOUND)
        return content

    # -- monthly allowance -------------------------------------------------------------------

    def quota(self) -> JsonObject:
        return {"type": "limited", "value": self._quota.limit}

    def consumption(self) -> JsonObject:
        self._roll_month()
        return {"totalUsage": self._quota.used}

    async def set_quota(self, *, limit: int | None = None, used: int | None = None) -> JsonObject:
        async with self._lock:
            self._roll_month()
            if limit is not None:
                self._quota.limit = limit
            if used is not None:
                self._quota.used = used
            return {"limit": self._quota.limit, "used": self._quota.used}

    # -- what tests and the page look at -----------------------------------------------------

    def inbox(self, user_id: str) -> list[JsonObject]:
        record = self._users.get(user_id)
        if record is None:
            return []
        return [
            entry.delivery.to_json()
            for entry in record.timeline
            if entry.delivery is not None and entry.delivery.delivered
        ]

    def undelivered(self, user_id: str) -> list[JsonObject]:
        record = self._users.get(user_id)
        if record is None:
            return []
        return [
            entry.delivery.to_json()
            for entry in record.timeline
            if entry.delivery is not None and not entry.delivery.delivered
        ]

    def conversation(self, user_id: str, *, after: int = 0) -> list[JsonObject]:
        record = self._users.get(user_id)
        if record is None:
            return []
        return [entry.to_json() for entry in record.timeline if entry.seq > after]

    def loading_calls(self, user_id: str) -> list[JsonObject]:
        record = self._users.get(user_id)
        if record is None:
            return []
        return [
            {
                "loadingSeconds": call.seconds,
                "at": call.at.isoformat(),
                "endsAt": call.ends_at.isoformat(),
            }
            for call in record.loading
        ]

    def loading_until(self, user_id: str) -> datetime | None:
        """When the animation the user sees now ends, or None when none shows."""
        record = self._users.get(user_id)
        if record is None or not record.loading:
            return None
        last = record.loading[-1]
        if last.ends_at <= self._clock():
            return None
        # LINE hides the animation as soon as a message from the bot arrives.
        answered = any(
            entry.delivery is not None and entry.delivery.delivered and entry.at >= last.at
            for entry in record.timeline
        )
        return None if answered else last.ends_at

    # -- faults ------------------------------------------------------------------------------

    async def add_fault(self, fault: Fault) -> None:
        async with self._lock:
            self._faults.setdefault(fault.endpoint, deque()).append(fault)

    async def clear_faults(self) -> None:
        async with self._lock:
            self._faults.clear()

    def faults(self) -> list[JsonObject]:
        return [fault.to_json() for queue in self._faults.values() for fault in queue]

    def take_fault(self, endpoint: FaultEndpoint, *, after_accept: bool) -> Fault | None:
        """The next injected answer for `endpoint` at this stage of a call, if one is due.

        Faults apply in the order injected: an after-accept fault at the head of the queue waits
        for a call that succeeds, and a plain fault behind it waits for that one to be used.
        """
        queue = self._faults.get(endpoint)
        if not queue or queue[0].after_accept != after_accept:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.popleft()
        return fault

    # -- request log -------------------------------------------------------------------------

    def log_request(self, entry: JsonObject) -> None:
        self._requests.append(entry)

    def requests(self, limit: int) -> list[JsonObject]:
        return list(self._requests)[-limit:] if limit > 0 else []
