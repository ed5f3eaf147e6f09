"""Who writes Dai-chan's free words: the model, or the offline responder when there is no key.

The model gets the reviewed persona prompt, what the senior chose to share, the rolling summary,
the senior's own programme dates and the recent turns; what it writes passes the output guard.
Without an API key the offline responder answers with a few fixed friendly lines and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from services.ai_chat.domain.model import ChatAnswer, LanguageModel
from services.ai_chat.domain.seniors import Memory, Turn
from services.ai_chat.domain.templates import FALLBACK_TEXT, OFFLINE_LABEL
from services.common.language.text import clip

__all__ = [
    "FALLBACK_TEXT",
    "OFFLINE_LABEL",
    "PERSONA_VERSION",
    "OfflineResponder",
    "Persona",
    "build_messages",
    "load_persona",
    "summary_messages",
]

PERSONA_VERSION = "daichan.v2"


def load_persona(version: str = PERSONA_VERSION) -> str:
    return resources.files("services.ai_chat.prompts").joinpath(f"{version}.md").read_text("utf-8")


@dataclass(frozen=True)
class Persona:
    version: str
    prompt: str

    @classmethod
    def load(cls, version: str = PERSONA_VERSION) -> Persona:
        return cls(version=version, prompt=load_persona(version))


def _context(memory: Memory, programme_lines: list[str]) -> str:
    blocks: list[str] = []
    about = []
    if memory.preferred_name:
        about.append(f"よび名: {memory.preferred_name}")
    if memory.interests:
        about.append("すきな こと: " + "、".join(memory.interests))
    if about:
        blocks.append("この方について（本人が 教えてくれた こと）:\n" + "\n".join(about))
    if memory.summary:
        blocks.append("これまでの 話の メモ:\n" + memory.summary)
    if programme_lines:
        blocks.append("プログラムの 情報（データより）:\n" + "\n".join(programme_lines))
    return "\n\n".join(blocks)


def build_messages(
    *,
    persona: Persona,
    memory: Memory,
    programme_lines: list[str],
    history: list[Turn],
    text: str,
) -> list[dict[str, str]]:
    system = persona.prompt
    context = _context(memory, programme_lines)
    if context:
        system = f"{system}\n\n{context}"
    messages = [{"role": "system", "content": system}]
    messages += [
        {"role": "user" if turn.role == "senior" else "assistant", "content": turn.text}
        for turn in history
    ]
    messages.append({"role": "user", "content": text})
    return messages


SUMMARY_INSTRUCTIONS = (
    "あなたは 会話の メモ係です。シニアの 方と AI「大ちゃん」の 会話から、次に 話すときに 役立つ "
    "短い メモを 日本語で 作ってください。\n"
    "- 120文字 以内、箇条書きや マークダウンは 使わない。\n"
    "- 話題、気持ち、予定だけを 書く。名前、住所、電話番号、生年月日、お金や 口座の ことは 書かない。\n"
    "- 前の メモが あれば、それと まとめて 1つの メモに する。"
)


def summary_messages(*, previous: str, turns: list[Turn]) -> list[dict[str, str]]:
    lines = [f"前の メモ: {previous or 'なし'}", "会話:"]
    lines += [
        f"{'シニア' if turn.role == 'senior' else '大ちゃん'}: {clip(turn.text, 200)}"
        for turn in turns
    ]
    return [
        {"role": "system", "content": SUMMARY_INSTRUCTIONS},
        {"role": "user", "content": "\n".join(lines)},
    ]


def offline_summary(*, turns: list[Turn]) -> str:
    """Without a model: the last few things the senior talked about, cut short."""
    topics = [clip(turn.text, 15) for turn in turns if turn.role == "senior"][-3:]
    return "最近の 話題: " + "、".join(f"「{topic}」" for topic in topics) if topics else ""


async def summarise(model: LanguageModel, *, previous: str, turns: list[Turn]) -> ChatAnswer:
    return await model.chat(summary_messages(previous=previous, turns=turns), operation="summary")


# (keywords, answer) in priority order; the first rule with a keyword in the message answers.
_OFFLINE_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("おはよう",),
        "おはよう！ 今日も 声をかけてくれて うれしいわ。\n朝ごはんは 食べた？",
    ),
    (
        ("こんばんは", "おやすみ"),
        "こんばんは！ 今日も 一日 おつかれさま。\nゆっくり 休んでな。",
    ),
    (
        ("こんにちは", "はじめまして", "やあ"),
        "こんにちは！ 大ちゃんやで。\n話しかけてくれて ありがとう。今日は どんな一日？",
    ),
    (
        ("ありがとう", "おおきに"),
        "どういたしまして！\nまた いつでも 話しかけてな。",
    ),
    (
        ("天気", "雨", "晴れ"),
        "お天気が 気になるんやね。\n窓の外を 見てみて、よかったら 近くを 少し 歩いてみるのも ええよ。",
    ),
    (
        ("さみしい", "寂しい", "ひとり"),
        "話してくれて ありがとう。\n大ちゃんは ここに おるで。家族や お友だちに 電話してみるのも ええかもな。",
    ),
)


class OfflineResponder:
    """Fixed, friendly answers in Japanese; every one carries the offline label."""

    def respond(self, text: str) -> str:
        for keywords, answer in _OFFLINE_RULES:
            if any(keyword in text for keyword in keywords):
                return f"{answer}\n{OFFLINE_LABEL}"
        return "お話 聞かせてくれて ありがとう。\nもっと くわしく 教えてくれる？\n" + OFFLINE_LABEL
