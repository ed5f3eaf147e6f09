"""The two tiers: certain guidance at once, or Dai-chan's answer with a short check and a review;
the model's triage adding a route; the senior's next answer settling a check."""

from __future__ import annotations

import httpx
import pytest

from services.ai_chat.clients.model import ModelClient
from services.ai_chat.domain import templates
from services.common.events.contracts.helpdesk import Priority, RequestReason
from services.common.events.contracts.line import PostbackAction, SendPriority
from services.common.language.morphology import Analysis, prepare
from services.common.safety import Detection, Route, detect, detect_analysed
from services.common.store import MongoStore
from tests.ai_chat.support import Harness, said
from tests.fixtures.line import new_user_id

UNSURE = "（テスト：確信のない 体の 話）"


def unsure_about_emergency(analysis: Analysis) -> Detection:
    if prepare(UNSURE) in analysis.text:  # the analysis holds the NFKC-folded text
        return Detection(uncertain=(Route.EMERGENCY,), reasons=("classifier:emergency=0.30",))
    return detect_analysed(analysis)


@pytest.fixture
async def grey(store: MongoStore) -> Harness:
    harness = Harness(store, model=None, detector=unsure_about_emergency)
    await harness.prepare()
    return harness


async def test_an_unsure_route_adds_the_fixed_check_to_the_answer_and_asks_for_a_review(
    grey: Harness,
) -> None:
    user = new_user_id()
    result = await grey.say(user, f"なんか変な感じやねん {UNSURE}")

    [send] = result.sends
    answer, check = send.messages
    assert templates.OFFLINE_LABEL in answer.text
    assert templates.SAFETY_CHECK_TEXT[Route.EMERGENCY] in check.text
    assert "119" in check.text
    labels = [q.label for q in check.quick_replies if isinstance(q, PostbackAction)]
    assert labels == ["だいじょうぶ", "たすけて"]
    assert send.priority is SendPriority.SAFETY
    [review] = result.help_requests
    assert review.reason is RequestReason.SAFETY_REVIEW
    assert review.priority is Priority.NORMAL
    assert review.handover is False
    assert UNSURE in review.summary
    senior = await grey.senior(user)
    assert senior.pending is not None
    assert senior.pending.route == "emergency"


async def test_help_after_a_check_becomes_the_certain_route(grey: Harness) -> None:
    user = new_user_id()
    await grey.say(user, f"ちょっと {UNSURE}")

    result = await grey.say(user, "たすけて")

    assert result.texts == [said(Route.EMERGENCY)]
    [request] = result.help_requests
    assert request.reason is RequestReason.EMERGENCY
    assert request.priority is Priority.URGENT
    assert (await grey.senior(user)).pending is None


async def test_all_is_well_after_a_check_closes_it(grey: Harness) -> None:
    user = new_user_id()
    await grey.say(user, f"ちょっと {UNSURE}")

    result = await grey.say(user, "だいじょうぶ")

    assert result.texts == [templates.SAFETY_CHECK_OK_TEXT]
    assert result.help_requests == []
    assert (await grey.senior(user)).pending is None


async def test_the_check_buttons_answer_the_same_way(grey: Harness) -> None:
    user = new_user_id()
    await grey.say(user, f"ちょっと {UNSURE}")

    result = await grey.tap(user, "daichan:check?answer=help&route=emergency")

    assert result.texts == [said(Route.EMERGENCY)]
    assert result.help_requests[0].priority is Priority.URGENT


async def test_a_certain_route_never_waits_for_the_model(
    store: MongoStore, model: ModelClient, model_control: httpx.AsyncClient
) -> None:
    harness = Harness(store, model=model)
    await harness.prepare()
    # A model that would take a minute: the fixed safety text must not wait for it.
    await model_control.post("/control", json={"delaySeconds": 60})

    result = await harness.say(new_user_id(), "胸が締め付けられて冷や汗が出てきた")

    assert result.texts == [said(Route.EMERGENCY)]
    endpoints = [
        r["endpoint"] for r in (await model_control.get("/control/requests")).json()["requests"]
    ]
    assert endpoints == []


async def test_the_model_triage_adds_a_route_the_local_layers_missed(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    text = "近所の佐藤さんに頼まれて、明日あれを渡しに行くねん"
    assert not detect(text).any_routes
    await model_control.post(
        "/control",
        json={
            "triage": {"佐藤さん": {"routes": ["fraud"], "confidence": 0.95, "reason": "a pretext"}}
        },
    )

    result = await online.say(new_user_id(), text)

    assert templates.FRAUD_TEXT in result.text
    [request] = result.help_requests
    assert request.reason is RequestReason.FRAUD_SUSPECTED
    triage = [
        r
        for r in (await model_control.get("/control/requests")).json()["requests"]
        if r["endpoint"] == "chat.completions.triage"
    ]
    assert len(triage) == 1


async def test_an_unsure_triage_adds_only_the_check(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    await model_control.post(
        "/control",
        json={"triage": {"駅前": {"routes": ["emergency"], "confidence": 0.5, "reason": "maybe"}}},
    )

    text = "明日、駅前で佐藤さんに会うことになってん"
    assert not detect(text).any_routes
    result = await online.say(new_user_id(), text)

    [send] = result.sends
    assert len(send.messages) == 2
    assert templates.SAFETY_CHECK_TEXT[Route.EMERGENCY] in send.messages[1].text
    [review] = result.help_requests
    assert review.reason is RequestReason.SAFETY_REVIEW


async def test_a_triage_outage_leaves_the_answer_alone(
    online: Harness, model_control: httpx.AsyncClient
) -> None:
    await model_control.post(
        "/control", json={"failNext": 1, "failEndpoints": ["chat.completions.triage"]}
    )

    result = await online.say(new_user_id(), "今日は公園まで歩いたよ")

    assert result.outcome.responder == "openai"
    assert result.help_requests == []
