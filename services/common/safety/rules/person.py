"""The rules for a senior asking for a person."""

from __future__ import annotations

from services.common.language.concepts import any_, now, yes
from services.common.safety.concepts import Rule
from services.common.safety.lexicon import framing, human, scams, surroundings
from services.common.safety.rules.shared import P

PERSON_RULES = (
    Rule(
        "person.staff",
        P,
        (yes(human.STAFF_ROLE), yes(human.ASK_FOR), now(human.PLEASE)),
        unless=(human.NOT_STAFF, human.PRAISE),
        window=8,
    ),
    Rule(
        "person.someone",
        P,
        (yes(human.SOMEONE), yes(human.ASK_FOR), now(human.PLEASE)),
        unless=(human.NOT_STAFF, human.PRAISE),
        window=5,
    ),
    Rule(
        "person.present",
        P,
        (yes(human.STAFF), yes(human.PRESENT)),
        unless=(human.NOT_STAFF, human.PRAISE),
        window=3,
        max_words=4,
    ),
    Rule(
        "person.call_me",
        P,
        (yes(human.CALL_ME),),
        unless=(human.NOT_STAFF, surroundings.AMBULANCE, scams.CLAIMANT),
    ),
    Rule(
        "person.not_ai", P, (yes(human.AI), yes(human.REFUSE)), unless=(human.NOT_STAFF,), window=6
    ),
    Rule("person.no_sense", P, (yes(human.NO_SENSE), yes(human.STAFF)), window=12),
    Rule(
        "person.number",
        P,
        (yes(human.STAFF_ROLE), yes(human.HELPDESK_NUMBER), any_(human.TELL)),
        unless=(human.NOT_STAFF,),
        window=8,
    ),
    Rule(
        "person.named",
        P,
        (yes(human.STAFF_TITLE),),
        unless=(human.NOT_STAFF, human.PRAISE, framing.PAST),
        max_words=2,
    ),
)
