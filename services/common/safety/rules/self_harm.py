"""The self-harm rules: a wish not to live, said directly or passively."""

from __future__ import annotations

from services.common.language.concepts import any_, no, now, yes
from services.common.safety.concepts import Rule
from services.common.safety.lexicon import body, despair, framing
from services.common.safety.routes import Tier
from services.common.safety.rules.shared import S

SELF_HARM_RULES = (
    Rule(
        "wish.die", S, (yes(despair.DIE_WISH),), unless=(despair.HYPERBOLE, framing.STORY), window=4
    ),
    Rule(
        "wish.disappear",
        S,
        (yes(despair.DISAPPEAR_WISH),),
        unless=(framing.STORY, despair.HYPERBOLE),
    ),
    Rule("death.thoughts", S, (yes(despair.DEATH_THOUGHT),), unless=(framing.STORY,)),
    Rule(
        "life.no_meaning",
        S,
        (yes(despair.LIVE), any_(despair.MEANING)),
        unless=(framing.STORY, despair.CALM_END),
        window=5,
    ),
    Rule("life.not_wanted", S, (no(despair.LIVE),), unless=(framing.STORY,), window=1),
    Rule(
        "life.not_want", S, (yes(despair.LIVE), no(despair.WANT)), unless=(framing.STORY,), window=3
    ),
    Rule(
        "morning.never",
        S,
        (yes(despair.MORNING), no(despair.WAKE), yes(despair.WISH_ENDING)),
        unless=(framing.STORY,),
        window=8,
    ),
    Rule(
        "sleep.never_wake",
        S,
        (no(despair.WAKE_UP), yes(despair.WISH_ENDING)),
        unless=(framing.STORY,),
        window=5,
    ),
    Rule(
        "sleep.not_want_wake",
        S,
        (yes(despair.WAKE_UP), no(despair.WANT)),
        unless=(framing.STORY,),
        window=2,
    ),
    Rule(
        "late.join",
        S,
        (yes(despair.LATE), now(despair.JOIN)),
        unless=(framing.STORY, despair.CALM_END, despair.CHEERFUL),
        window=12,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "late.join_wish",
        S,
        (yes(despair.LATE), now(despair.JOIN), yes(despair.WANT)),
        unless=(framing.STORY, despair.CHEERFUL),
        window=14,
    ),
    Rule(
        "spouse.go",
        S,
        (yes(despair.SPOUSE), yes(despair.PLACE_OF), yes(despair.GO_WISH)),
        unless=(framing.STORY,),
        window=8,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "spouse.go_lonely",
        S,
        (yes(despair.SPOUSE), yes(despair.GO_WISH), yes(despair.LONELY)),
        unless=(framing.STORY,),
        window=16,
    ),
    Rule(
        "spouse.go_late",
        S,
        (yes(despair.SPOUSE), yes(despair.GO_WISH), yes(despair.LATE)),
        unless=(framing.STORY,),
        window=20,
    ),
    Rule(
        "omukae",
        S,
        (yes(despair.OMUKAE), any_(despair.COME_PLEASE)),
        unless=(framing.STORY, despair.CHEERFUL),
        window=6,
    ),
    Rule("burden.better_gone", S, (yes(despair.BETTER_GONE),), unless=(framing.STORY,)),
    Rule("burden", S, (yes(despair.BURDEN), yes(despair.BETTER_GONE)), window=12),
    Rule(
        "method.named",
        S,
        (yes(despair.STRONG_METHOD),),
        unless=(framing.STORY, framing.PRACTICE, despair.CALM_END),
    ),
    Rule("method.wish", S, (yes(despair.METHOD), yes(despair.DIE_WISH)), window=12),
    Rule(
        "method.tracks",
        S,
        (yes(despair.TRACKS), yes(despair.JUMP)),
        unless=(framing.STORY, despair.HYPERBOLE),
        window=8,
    ),
    Rule(
        "method.want",
        S,
        (yes(despair.METHOD), yes(despair.WANT)),
        unless=(framing.STORY, despair.CALM_END, despair.HYPERBOLE),
        window=3,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "method.stockpile",
        S,
        (yes(body.MEDICINE), yes(despair.STOCKPILE)),
        unless=(framing.STORY,),
        window=8,
    ),
    Rule(
        "method.intend", S, (yes(body.MEDICINE), yes(body.TOO_MUCH), yes(despair.INTEND)), window=8
    ),
    Rule("self.hurt", S, (yes(despair.SELF), yes(despair.HURT), yes(despair.WANT)), window=6),
    Rule(
        "self.injury",
        S,
        (yes(despair.BODY_TO_HURT), yes(despair.SELF_INJURY), yes(despair.INVOLUNTARY)),
        unless=(framing.STORY,),
        window=8,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "goodbye",
        S,
        (yes(despair.THANKS_SO_FAR), yes(despair.FINAL)),
        unless=(framing.STORY, despair.CALM_END),
        window=16,
    ),
    Rule(
        "goodbye.late",
        S,
        (yes(despair.GOODBYE), any_(despair.LATE)),
        unless=(framing.STORY, despair.CALM_END),
        window=10,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "giving_away",
        S,
        (yes(despair.GIVE_AWAY), yes(despair.NO_LONGER_NEEDED)),
        unless=(framing.STORY,),
        window=16,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "no_longer_needed",
        S,
        (yes(despair.NO_LONGER_NEEDED),),
        unless=(framing.STORY, despair.CALM_END),
        tier=Tier.UNCERTAIN,
    ),
)

# What turns a scam into a lesson, the news, the past, or the senior's own errand.
