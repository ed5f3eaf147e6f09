"""Contracts on `line.inbound`, `line.outbound` and `line.deliveries`.

Inbound events are LINE webhook events normalised by line_gateway; outbound commands ask
line_gateway to send messages. Messages are our own models (pydantic v2); line_gateway turns them
into the SDK's models at the edge, so no other service depends on line-bot-sdk.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.common.events.envelope import Contract
from services.common.events.registry import contract
from services.common.line_text import graphemes_at_most, utf16_at_most, utf16_length

# LINE's own limits (Messaging API reference). Texts count UTF-16 code units and labels grapheme
# clusters (services.common.line_text); `max_length` (code points) stays as a bound in the schema.
MAX_MESSAGES_PER_REQUEST = 5
MAX_TEXT_LENGTH = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_ACTION_LABEL_LENGTH = 20
MAX_POSTBACK_DATA_LENGTH = 300
MAX_ALT_TEXT_LENGTH = 400
MAX_BUTTONS = 4
MAX_BUTTONS_TEXT_LENGTH = 160
MAX_BUTTONS_TEXT_WITH_TITLE_LENGTH = 60
MAX_BUTTONS_TITLE_LENGTH = 40
MAX_CONFIRM_TEXT_LENGTH = 240
MAX_MULTICAST_RECIPIENTS = 500
MAX_ACTION_TEXT_LENGTH = 300
# A message's sender (LINE's `sender`): the display name in characters, the icon's URL.
MAX_SENDER_NAME_LENGTH = 20
MAX_SENDER_ICON_URL_LENGTH = 2000
# A label of 20 graphemes can hold many more code points (a flag is 2, a family emoji 5 or more).
MAX_LABEL_CODE_POINTS = 100


Label = Annotated[
    str,
    Field(min_length=1, max_length=MAX_LABEL_CODE_POINTS),
    AfterValidator(graphemes_at_most(MAX_ACTION_LABEL_LENGTH)),
]
Text = Annotated[
    str,
    Field(min_length=1, max_length=MAX_TEXT_LENGTH),
    AfterValidator(utf16_at_most(MAX_TEXT_LENGTH)),
]
AltText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_ALT_TEXT_LENGTH),
    AfterValidator(utf16_at_most(MAX_ALT_TEXT_LENGTH)),
]
ActionText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_ACTION_TEXT_LENGTH),
    AfterValidator(utf16_at_most(MAX_ACTION_TEXT_LENGTH)),
]
ButtonsTitle = Annotated[
    str,
    Field(min_length=1, max_length=MAX_BUTTONS_TITLE_LENGTH),
    AfterValidator(utf16_at_most(MAX_BUTTONS_TITLE_LENGTH)),
]
ButtonsText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_BUTTONS_TEXT_LENGTH),
    AfterValidator(utf16_at_most(MAX_BUTTONS_TEXT_LENGTH)),
]
ConfirmText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_CONFIRM_TEXT_LENGTH),
    AfterValidator(utf16_at_most(MAX_CONFIRM_TEXT_LENGTH)),
]


class ConversationMode(StrEnum):
    """Who answers a senior right now: Dai-chan, or a person at the helpdesk."""

    BOT = "bot"
    HUMAN = "human"


class SendPriority(StrEnum):
    """Decides what may be held back when the monthly push budget runs out."""

    SAFETY = "safety"  # emergency, fraud and self-harm guidance: always sent
    SERVICE = "service"  # loan returns, session reminders, helpdesk replies: always sent
    CONVERSATION = "conversation"  # Dai-chan's answers
    LOW = "low"  # greetings, campaigns: held first


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MessageAction(_Message):
    type: Literal["message"] = "message"
    label: Label
    text: ActionText


class PostbackAction(_Message):
    type: Literal["postback"] = "postback"
    label: Label
    data: str = Field(min_length=1, max_length=MAX_POSTBACK_DATA_LENGTH)
    display_text: ActionText | None = None


Action = Annotated[MessageAction | PostbackAction, Field(discriminator="type")]


def _allowed_sender_name(name: str) -> str:
    # LINE refuses certain words in a sender's name, LINE itself first among them.
    if "line" in name.casefold():
        raise ValueError("a sender's name may not contain the word LINE")
    return name


class Sender(_Message):
    """Who a message is from, shown in place of the account's name and icon: a person at the
    helpdesk (「ヘルプデスク　田中」) rather than Dai-chan."""

    name: Annotated[
        str,
        Field(min_length=1, max_length=MAX_SENDER_NAME_LENGTH),
        AfterValidator(_allowed_sender_name),
    ]
    icon_url: str | None = Field(
        default=None, max_length=MAX_SENDER_ICON_URL_LENGTH, pattern=r"^https://"
    )


class TextMessage(_Message):
    type: Literal["text"] = "text"
    text: Text
    quick_replies: list[Action] = Field(default_factory=list, max_length=MAX_QUICK_REPLY_ITEMS)
    sender: Sender | None = None


class ButtonsMessage(_Message):
    """LINE's buttons template: a short text and up to four full-width buttons, one per line.

    Big, separate tap targets suit seniors better than links inside a text.
    """

    type: Literal["buttons"] = "buttons"
    alt_text: AltText
    title: ButtonsTitle | None = None
    text: ButtonsText
    actions: list[Action] = Field(min_length=1, max_length=MAX_BUTTONS)
    quick_replies: list[Action] = Field(default_factory=list, max_length=MAX_QUICK_REPLY_ITEMS)
    sender: Sender | None = None

    @model_validator(mode="after")
    def _shorter_text_with_a_title(self) -> ButtonsMessage:
        if self.title and utf16_length(self.text) > MAX_BUTTONS_TEXT_WITH_TITLE_LENGTH:
            raise ValueError(
                f"text may be at most {MAX_BUTTONS_TEXT_WITH_TITLE_LENGTH} characters with a title"
            )
        return self


class ConfirmMessage(_Message):
    """LINE's confirm template: a question and exactly two side-by-side buttons (はい / いいえ)."""

    type: Literal["confirm"] = "confirm"
    alt_text: AltText
    text: ConfirmText
    actions: list[Action] = Field(min_length=2, max_length=2)
    quick_replies: list[Action] = Field(default_factory=list, max_length=MAX_QUICK_REPLY_ITEMS)
    sender: Sender | None = None


OutboundMessage = Annotated[
    TextMessage | ButtonsMessage | ConfirmMessage, Field(discriminator="type")
]


MessageType = Literal["text", "sticker", "image", "audio", "video", "location", "file"]


@contract
class MessageReceived(Contract):
    """A senior sent the account a message (one LINE webhook message event)."""

    event_type = "line.message.received"

    user_id: str = Field(min_length=1)
    webhook_event_id: str = Field(min_length=1)
    message_id: str
    message_type: MessageType
    text: str | None = None
    reply_token: str | None = None
    reply_token_expires_at: AwareDatetime | None = None
    sent_at: AwareDatetime
    is_redelivery: bool = False
    conversation_mode: ConversationMode = ConversationMode.BOT
    # The tablet-lending participant the sender's LINE account is linked to when the gateway
    # recorded the event (None: not linked). The gateway owns the link; readers take it from
    # here rather than keeping a copy of `line.account.linked` / `unlinked`.
    participant_id: str | None = Field(default=None, min_length=1)
    # Length of a voice or video message, as LINE reports it.
    duration_ms: int | None = None
    # Set when `text` was cut to MAX_TEXT_LENGTH UTF-16 units: the length LINE delivered.
    text_truncated_from: int | None = None


@contract
class PostbackReceived(Contract):
    """A senior tapped a button that carries data (rich menu, quick reply, template).

    `data` follows the convention "<service>:<action>" optionally followed by "?k=v&k2=v2",
    e.g. "daichan:my_loan" or "lending:book?session=S1"; each consumer handles its own prefix
    and ignores the rest.
    """

    event_type = "line.postback.received"

    user_id: str = Field(min_length=1)
    webhook_event_id: str = Field(min_length=1)
    data: str = Field(min_length=1, max_length=MAX_POSTBACK_DATA_LENGTH)
    params: dict[str, str] = Field(default_factory=dict)
    reply_token: str | None = None
    reply_token_expires_at: AwareDatetime | None = None
    sent_at: AwareDatetime
    is_redelivery: bool = False
    conversation_mode: ConversationMode = ConversationMode.BOT
    # The tablet-lending participant the sender's LINE account is linked to when the gateway
    # recorded the event (None: not linked). The gateway owns the link; readers take it from
    # here rather than keeping a copy of `line.account.linked` / `unlinked`.
    participant_id: str | None = Field(default=None, min_length=1)


@contract
class AudioFetched(Contract):
    """The content of a voice message, fetched from LINE by line_gateway for transcription.

    Follows the `line.message.received` of type "audio" with the same `message_id`.
    """

    event_type = "line.audio.fetched"

    user_id: str = Field(min_length=1)
    webhook_event_id: str = Field(min_length=1)
    message_id: str
    content_type: str
    audio_base64: str
    duration_ms: int | None = None
    reply_token: str | None = None
    reply_token_expires_at: AwareDatetime | None = None
    sent_at: AwareDatetime
    conversation_mode: ConversationMode = ConversationMode.BOT
    # The tablet-lending participant the sender's LINE account is linked to when the gateway
    # recorded the event (None: not linked). The gateway owns the link; readers take it from
    # here rather than keeping a copy of `line.account.linked` / `unlinked`.
    participant_id: str | None = Field(default=None, min_length=1)


@contract
class AccountLinked(Contract):
    """A LINE user was linked to a tablet-lending participant (who proved it with a code)."""

    event_type = "line.account.linked"

    user_id: str = Field(min_length=1)
    participant_id: str = Field(min_length=1)
    linked_at: AwareDatetime


@contract
class AccountUnlinked(Contract):
    event_type = "line.account.unlinked"

    user_id: str = Field(min_length=1)
    participant_id: str = Field(min_length=1)
    reason: str = Field(max_length=64)
    unlinked_at: AwareDatetime


@contract
class UserFollowed(Contract):
    """A senior added the account as a friend, or unblocked it."""

    event_type = "line.user.followed"

    user_id: str = Field(min_length=1)
    webhook_event_id: str = Field(min_length=1)
    reply_token: str | None = None
    reply_token_expires_at: AwareDatetime | None = None
    is_unblocked: bool = False
    sent_at: AwareDatetime


@contract
class UserUnfollowed(Contract):
    """A senior blocked the account (or deleted it); nothing may be sent to them any more."""

    event_type = "line.user.unfollowed"

    user_id: str = Field(min_length=1)
    webhook_event_id: str = Field(min_length=1)
    sent_at: AwareDatetime


@contract
class SendRequested(Contract):
    """A command to line_gateway: send these messages to this senior.

    The envelope id identifies the send: line_gateway derives LINE's `X-Line-Retry-Key` from it,
    so however often the command is delivered, the senior gets the messages once.
    """

    event_type = "line.send.requested"

    user_id: str = Field(min_length=1)
    messages: list[OutboundMessage] = Field(min_length=1, max_length=MAX_MESSAGES_PER_REQUEST)
    reply_token: str | None = None
    reply_token_expires_at: AwareDatetime | None = None
    priority: SendPriority = SendPriority.CONVERSATION
    purpose: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.]+$")

    @model_validator(mode="after")
    def _token_needs_expiry(self) -> SendRequested:
        if self.reply_token and self.reply_token_expires_at is None:
            raise ValueError("reply_token_expires_at is required with reply_token")
        return self


class DeliveryMethod(StrEnum):
    REPLY = "reply"
    PUSH = "push"
    MULTICAST = "multicast"


class DeliveryOutcome(StrEnum):
    SENT = "sent"
    ALREADY_ACCEPTED = "already_accepted"  # a retried push whose key LINE had accepted (409)
    ASSUMED_DELIVERED = "assumed_delivered"  # a retried reply whose token was already used
    SKIPPED_BLOCKED = "skipped_blocked"
    FAILED = "failed"
    # A low-priority push not sent because the month's push budget or LINE quota is used up.
    HELD = "held"


@contract
class DeliveryCompleted(Contract):
    """What became of one `line.send.requested` command."""

    event_type = "line.delivery.completed"

    command_id: UUID
    user_id: str
    method: DeliveryMethod | None
    outcome: DeliveryOutcome
    purpose: str
    priority: SendPriority
    message_count: int = Field(ge=0)
    line_request_id: str | None = None
    error: str | None = None
    completed_at: datetime
    # Why a send was held or skipped (e.g. "push_budget_exhausted", "monthly_quota_exhausted").
    reason: str | None = None


@contract
class MulticastRequested(Contract):
    """A command to line_gateway: send the same messages to many seniors (a cohort announcement).

    Keyed by `audience` on `line.outbound`. line_gateway drops users who blocked the account,
    sends in batches of at most 500 recipients (LINE's limit), each batch with its own retry key
    derived from the envelope id, and reports the result as `line.multicast.completed`.
    """

    event_type = "line.multicast.requested"

    audience: str = Field(min_length=1, max_length=64, description="e.g. a cohort id")
    user_ids: list[str] = Field(min_length=1, max_length=20_000)
    messages: list[OutboundMessage] = Field(min_length=1, max_length=MAX_MESSAGES_PER_REQUEST)
    priority: SendPriority = SendPriority.LOW
    purpose: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.]+$")


@contract
class MulticastCompleted(Contract):
    """What became of one `line.multicast.requested` command (counts, never the user ids)."""

    event_type = "line.multicast.completed"

    command_id: UUID
    audience: str
    purpose: str
    priority: SendPriority
    outcome: DeliveryOutcome
    requested: int = Field(ge=0)
    skipped_blocked: int = Field(ge=0)
    sent: int = Field(ge=0, description="recipients in batches LINE accepted")
    held: int = Field(ge=0, description="recipients in batches held by the push budget")
    batches: int = Field(ge=0)
    message_count: int = Field(ge=0)
    reason: str | None = None
    error: str | None = None
    completed_at: datetime
