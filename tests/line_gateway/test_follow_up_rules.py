"""Pure rules around the webhook: the loading animation, who loses a link, stale rich menus."""

from __future__ import annotations

from datetime import timedelta

from services.common.events.contracts.line import ConversationMode, MessageReceived, MessageType
from services.common.time import utcnow
from services.line_gateway.domain.linking import rate_limited, unlinked_by_link
from services.line_gateway.domain.loading import Loading, loading_for
from services.line_gateway.domain.rich_menu import (
    MENUS,
    NAME_PREFIX,
    ExistingMenu,
    definition,
    stale_menus,
)

NOW = utcnow()
MAX_AGE = timedelta(seconds=20)


def message(
    kind: MessageType = "text", *, age: float = 1, mode: ConversationMode = ConversationMode.BOT
) -> MessageReceived:
    return MessageReceived(
        user_id="U" + "2" * 32,
        webhook_event_id="01ABC",
        sent_at=NOW - timedelta(seconds=age),
        message_id="1",
        message_type=kind,
        text="こんにちは" if kind == "text" else None,
        reply_token="token",
        reply_token_expires_at=NOW + timedelta(seconds=30),
        is_redelivery=False,
        conversation_mode=mode,
    )


def test_the_animation_is_for_fresh_bot_text_and_voice_only() -> None:
    assert loading_for(message(), now=NOW, max_age=MAX_AGE) is Loading.SHOW
    assert loading_for(message("audio"), now=NOW, max_age=MAX_AGE) is Loading.SHOW
    assert loading_for(message(age=25), now=NOW, max_age=MAX_AGE) is Loading.TOO_LATE
    assert loading_for(message("sticker"), now=NOW, max_age=MAX_AGE) is None
    human = message(mode=ConversationMode.HUMAN)
    assert loading_for(human, now=NOW, max_age=MAX_AGE) is None


def test_one_participant_one_line_user() -> None:
    assert (
        unlinked_by_link(user_id="U1", participant_id="P1", previous=None, holder=None, at=NOW)
        == []
    )
    moved = unlinked_by_link(user_id="U2", participant_id="P1", previous="P0", holder="U1", at=NOW)
    assert [(u.user_id, u.participant_id, u.reason) for u in moved] == [
        ("U1", "P1", "linked_elsewhere"),
        ("U2", "P0", "relinked"),
    ]
    again = unlinked_by_link(user_id="U1", participant_id="P1", previous="P1", holder="U1", at=NOW)
    assert again == []
    assert rate_limited(5, max_failures=5)
    assert not rate_limited(4, max_failures=5)


def test_only_our_menus_that_no_definition_names_are_stale() -> None:
    current = [ExistingMenu(f"id-{a}", definition(a).name) for a in MENUS]
    old = ExistingMenu("id-old", f"{NAME_PREFIX}default-000000000000")
    theirs = ExistingMenu("id-theirs", "campaign-menu")
    assert stale_menus([*current, old, theirs]) == [old]
