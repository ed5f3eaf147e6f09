"""The emergency rules: a body in danger now, and what is around it."""

from __future__ import annotations

from services.common.language.concepts import any_, no, yes
from services.common.safety.concepts import Rule
from services.common.safety.lexicon import body, despair, framing, surroundings
from services.common.safety.routes import Tier
from services.common.safety.rules.shared import NOT_NOW, NOT_NOW_OR_FINE, E

EMERGENCY_RULES = (
    # The heart, told directly or as sensations.
    Rule(
        "cardiac.chest",
        E,
        (yes(body.CHEST), yes(body.CHEST_FEELING)),
        unless=(*NOT_NOW, framing.IDIOM_BODY),
        window=6,
    ),
    Rule(
        "cardiac.cold_sweat", E, (yes(body.COLD_SWEAT), any_(body.PAIN)), unless=NOT_NOW, window=12
    ),
    Rule(
        "cardiac.cold_sweat_chest",
        E,
        (yes(body.COLD_SWEAT), yes(body.CHEST)),
        unless=NOT_NOW,
        window=14,
    ),
    Rule(
        "cardiac.cold_sweat_nausea",
        E,
        (yes(body.COLD_SWEAT), yes(body.NAUSEA)),
        unless=NOT_NOW,
        window=14,
    ),
    Rule(
        "cardiac.radiating",
        E,
        (yes(body.CHEST), yes(body.RADIATING), yes(body.NUMB)),
        unless=NOT_NOW,
        window=16,
    ),
    Rule(
        "cardiac.arm_numb_sweat",
        E,
        (yes(body.RADIATING), yes(body.NUMB), yes(body.SWEAT)),
        unless=NOT_NOW,
        window=14,
    ),
    Rule("cardiac.pale_sweat", E, (yes(body.PALE), yes(body.SWEAT)), unless=NOT_NOW, window=10),
    Rule(
        "cardiac.palpitation",
        E,
        (yes(body.PALPITATION), any_(body.RACING), yes(body.DIZZY)),
        unless=NOT_NOW,
        window=14,
    ),
    Rule(
        "cardiac.palpitation_sudden",
        E,
        (yes(body.PALPITATION), any_(body.RACING), yes(body.SUDDEN)),
        unless=NOT_NOW,
        window=8,
        tier=Tier.UNCERTAIN,
    ),
    # A stroke: the face, speech, one side of the body, sight.
    Rule(
        "stroke.face",
        E,
        (yes(body.FACE), yes(body.ONE_SIDE), any_(body.DROOP)),
        unless=NOT_NOW,
        window=8,
    ),
    Rule(
        "stroke.face_distorted",
        E,
        (yes(body.FACE), yes(body.DISTORT)),
        unless=NOT_NOW_OR_FINE,
        window=4,
    ),
    Rule(
        "stroke.speech", E, (yes(body.SPEECH), yes(body.GARBLED)), unless=NOT_NOW_OR_FINE, window=4
    ),
    Rule(
        "stroke.speech_lost",
        E,
        (yes(body.SPEECH), no(body.SPEECH_ABILITY)),
        unless=NOT_NOW_OR_FINE,
        window=4,
    ),
    Rule(
        "stroke.one_side_weak",
        E,
        (yes(body.ONE_SIDE), yes(body.LIMB), no(body.MOVE)),
        unless=NOT_NOW_OR_FINE,
        window=6,
    ),
    Rule(
        "stroke.one_side_droop",
        E,
        (yes(body.ONE_SIDE), yes(body.LIMB), any_(body.DROOP)),
        unless=NOT_NOW_OR_FINE,
        window=6,
    ),
    Rule(
        "stroke.one_side_numb",
        E,
        (yes(body.ONE_SIDE), yes(body.NUMB), yes(body.SUDDEN)),
        unless=NOT_NOW_OR_FINE,
        window=8,
    ),
    Rule(
        "stroke.no_strength",
        E,
        (yes(body.STRENGTH), no(body.ENTER)),
        unless=NOT_NOW_OR_FINE,
        window=3,
    ),
    Rule("stroke.hold", E, (yes(body.CHOPSTICKS), no(body.HOLD)), unless=NOT_NOW_OR_FINE, window=4),
    Rule(
        "stroke.drop",
        E,
        (yes(body.CHOPSTICKS), yes(body.DROP_OBJECT), yes(body.SUDDEN)),
        unless=NOT_NOW,
        window=8,
    ),
    Rule(
        "stroke.sight",
        E,
        (yes(body.EYE), any_(body.BLURRED), yes(body.SUDDEN)),
        unless=NOT_NOW,
        window=8,
    ),
    Rule("stroke.sudden_blind", E, (yes(body.SUDDEN), no(body.SEE)), unless=NOT_NOW, window=5),
    # Breathing and choking.
    Rule(
        "breath.trouble",
        E,
        (yes(body.BREATH), any_(body.BREATH_TROUBLE)),
        unless=(*NOT_NOW, despair.HYPERBOLE),
        window=4,
    ),
    Rule("breath.not_breathing", E, (no(body.BREATH),), unless=NOT_NOW),
    Rule("breath.breathless", E, (yes(body.BREATHLESS),), unless=NOT_NOW_OR_FINE, window=6),
    Rule("choking.food", E, (yes(body.FOOD), yes(body.STUCK)), unless=NOT_NOW_OR_FINE, window=6),
    Rule(
        "choking.throat", E, (yes(body.THROAT), yes(body.STUCK)), unless=NOT_NOW_OR_FINE, window=4
    ),
    # Someone collapsed, unconscious, not answering, convulsing.
    Rule("unconscious", E, (no(body.CONSCIOUS),), unless=NOT_NOW),
    Rule(
        "unconscious.no_response",
        E,
        (yes(body.CALLING), no(body.RESPONSE)),
        unless=NOT_NOW,
        window=8,
    ),
    Rule(
        "unconscious.person",
        E,
        (yes(body.NEAR_PERSON), no(body.RESPONSE)),
        unless=NOT_NOW_OR_FINE,
        window=8,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "unconscious.collapsed",
        E,
        (yes(body.NEAR_PERSON), yes(body.COLLAPSE)),
        unless=NOT_NOW_OR_FINE,
        window=8,
    ),
    Rule(
        "unconscious.bath",
        E,
        (yes(body.BATH), any_(body.COLLAPSE)),
        unless=NOT_NOW_OR_FINE,
        window=10,
    ),
    Rule(
        "unconscious.bath_stuck",
        E,
        (yes(body.BATH), no(body.GET_UP)),
        unless=NOT_NOW_OR_FINE,
        window=10,
    ),
    Rule("seizure", E, (yes(body.SEIZURE),), unless=NOT_NOW),
    # Bleeding and burns.
    Rule(
        "bleeding", E, (yes(body.BLOOD), any_(body.BLEEDING_BAD)), unless=NOT_NOW_OR_FINE, window=4
    ),
    Rule("bleeding.severe", E, (yes(body.BLOOD_SEVERE),), unless=NOT_NOW),
    Rule("burn", E, (yes(body.BURN), yes(body.BURN_BAD)), unless=NOT_NOW_OR_FINE, window=8),
    Rule("burn.blister", E, (yes(body.BLISTER), yes(body.HOT)), unless=NOT_NOW_OR_FINE, window=16),
    Rule(
        "burn.spilled",
        E,
        (yes(body.HOT), yes(body.SPILL), yes(body.BURN_BAD)),
        unless=NOT_NOW_OR_FINE,
        window=14,
    ),
    # A fall or an accident the person cannot get up from, or with a blow to the head.
    Rule("fall.cannot_get_up", E, (yes(body.FALL), no(body.GET_UP)), unless=NOT_NOW, window=12),
    Rule(
        "fall.head",
        E,
        (yes(body.FALL), yes(body.HEAD), yes(body.HIT)),
        unless=NOT_NOW_OR_FINE,
        window=10,
    ),
    Rule(
        "fall.pain",
        E,
        (yes(body.FALL), yes(body.SEVERE), yes(body.PAIN)),
        unless=NOT_NOW,
        window=10,
    ),
    Rule("fall.broken", E, (yes(body.FALL), yes(body.SWELL)), unless=NOT_NOW_OR_FINE, window=14),
    Rule("fall.help", E, (yes(body.FALL), yes(surroundings.HELP_NOW)), unless=NOT_NOW, window=8),
    Rule("accident", E, (yes(body.VEHICLE), yes(body.HIT_BY)), unless=NOT_NOW_OR_FINE, window=6),
    Rule(
        "cannot_move",
        E,
        (no(body.GET_UP), yes(body.PAIN)),
        unless=(*NOT_NOW_OR_FINE, surroundings.CHRONIC),
        window=6,
    ),
    # Sudden severe pain.
    Rule(
        "pain.sudden_severe",
        E,
        (yes(body.SUDDEN), yes(body.SEVERE), yes(body.PAIN)),
        unless=NOT_NOW,
        window=8,
    ),
    Rule(
        "pain.sudden_body",
        E,
        (yes(body.SUDDEN), yes(body.PAIN), yes(body.ABDOMEN)),
        unless=NOT_NOW_OR_FINE,
        window=6,
    ),
    Rule(
        "pain.sudden_head",
        E,
        (yes(body.SUDDEN), yes(body.PAIN), yes(body.HEAD)),
        unless=(*NOT_NOW_OR_FINE, framing.IDIOM_BODY),
        window=6,
    ),
    Rule(
        "pain.sudden_back",
        E,
        (yes(body.SUDDEN), yes(body.PAIN), yes(body.BACK)),
        unless=NOT_NOW_OR_FINE,
        window=6,
    ),
    Rule(
        "pain.head_severe",
        E,
        (yes(body.HEAD), yes(body.SEVERE), yes(body.PAIN)),
        unless=(*NOT_NOW, framing.IDIOM_BODY),
        window=6,
    ),
    Rule(
        "pain.abdomen_severe",
        E,
        (yes(body.ABDOMEN), yes(body.SEVERE), yes(body.PAIN)),
        unless=NOT_NOW,
        window=6,
    ),
    Rule(
        "pain.back_severe",
        E,
        (yes(body.BACK), yes(body.SUDDEN), yes(body.SEVERE)),
        unless=NOT_NOW,
        window=6,
    ),
    # Heat, fever with confusion, medicine or poison, allergy.
    Rule(
        "heatstroke", E, (yes(body.HEATSTROKE), any_(body.DIZZY)), unless=NOT_NOW_OR_FINE, window=10
    ),
    Rule(
        "heatstroke.signs",
        E,
        (yes(body.HEAT), yes(body.DIZZY), yes(body.NAUSEA)),
        unless=NOT_NOW_OR_FINE,
        window=16,
    ),
    Rule(
        "heatstroke.named", E, (yes(body.HEATSTROKE),), unless=NOT_NOW_OR_FINE, tier=Tier.UNCERTAIN
    ),
    Rule(
        "heat.dizzy",
        E,
        (yes(body.HEAT), yes(body.DIZZY)),
        unless=NOT_NOW_OR_FINE,
        window=10,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "fever.confused",
        E,
        (yes(body.FEVER), any_(body.CONFUSED)),
        unless=NOT_NOW_OR_FINE,
        window=12,
    ),
    Rule(
        "medicine.too_much", E, (yes(body.MEDICINE), yes(body.TOO_MUCH)), unless=NOT_NOW, window=8
    ),
    Rule(
        "poison",
        E,
        (yes(body.POISON),),
        unless=(*NOT_NOW, framing.RECOVERED, despair.CALM_END),
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "allergy.breath",
        E,
        (yes(body.ALLERGY), yes(surroundings.ALLERGY_BODY)),
        unless=NOT_NOW_OR_FINE,
        window=10,
    ),
    # Fire, gas, an intruder or violence now.
    Rule(
        "fire", E, (yes(surroundings.FIRE), any_(surroundings.FIRE_NOW)), unless=NOT_NOW, window=5
    ),
    Rule("fire.named", E, (yes(surroundings.FIRE_NAMED),), unless=NOT_NOW),
    Rule(
        "gas",
        E,
        (yes(surroundings.GAS), yes(surroundings.SMELL_LEAK)),
        unless=NOT_NOW_OR_FINE,
        window=5,
    ),
    Rule(
        "intruder",
        E,
        (yes(surroundings.INTRUDER), yes(surroundings.INSIDE)),
        unless=NOT_NOW_OR_FINE,
        window=6,
    ),
    Rule(
        "violence",
        E,
        (yes(surroundings.VIOLENCE),),
        unless=(*NOT_NOW, despair.HYPERBOLE),
        tier=Tier.UNCERTAIN,
    ),
    # Asking for an ambulance, or for help, now.
    Rule(
        "ambulance",
        E,
        (yes(surroundings.AMBULANCE), yes(surroundings.CALL)),
        unless=NOT_NOW_OR_FINE,
        window=6,
    ),
    Rule(
        "dizzy.collapse", E, (yes(body.DIZZY), yes(body.COLLAPSE)), unless=NOT_NOW_OR_FINE, window=8
    ),
)
