"""The safety rules, as concepts said together in one sentence (see `concepts` for the language).

Each rule names what a person would listen for: a chest that hurts, a face drooping on one side,
someone claiming authority who wants money. Rules are the floor that needs no model and no
training; the classifier beside them (`classifier`) catches what they do not name.
"""

from __future__ import annotations

from services.ai_chat.domain.safety import lexicon as c
from services.ai_chat.domain.safety.concepts import Rule, any_, no, now, yes
from services.ai_chat.domain.safety.routes import Route, Tier

E, S, F, P = Route.EMERGENCY, Route.SELF_HARM, Route.FRAUD, Route.PERSON
# What turns a body in danger into a story, a lesson, the past or a figure of speech.
NOT_NOW = (c.STORY, c.PRACTICE, c.PAST, c.GENERAL, c.HELPED, c.FALSE_ALARM)
NOT_NOW_OR_FINE = (*NOT_NOW, c.RECOVERED)

EMERGENCY_RULES = (
    # The heart, told directly or as sensations.
    Rule(
        "cardiac.chest",
        E,
        (yes(c.CHEST), yes(c.CHEST_FEELING)),
        unless=(*NOT_NOW, c.IDIOM_BODY),
        window=6,
    ),
    Rule("cardiac.cold_sweat", E, (yes(c.COLD_SWEAT), any_(c.PAIN)), unless=NOT_NOW, window=12),
    Rule(
        "cardiac.cold_sweat_chest", E, (yes(c.COLD_SWEAT), yes(c.CHEST)), unless=NOT_NOW, window=14
    ),
    Rule(
        "cardiac.cold_sweat_nausea",
        E,
        (yes(c.COLD_SWEAT), yes(c.NAUSEA)),
        unless=NOT_NOW,
        window=14,
    ),
    Rule(
        "cardiac.radiating",
        E,
        (yes(c.CHEST), yes(c.RADIATING), yes(c.NUMB)),
        unless=NOT_NOW,
        window=16,
    ),
    Rule(
        "cardiac.arm_numb_sweat",
        E,
        (yes(c.RADIATING), yes(c.NUMB), yes(c.SWEAT)),
        unless=NOT_NOW,
        window=14,
    ),
    Rule("cardiac.pale_sweat", E, (yes(c.PALE), yes(c.SWEAT)), unless=NOT_NOW, window=10),
    Rule(
        "cardiac.palpitation",
        E,
        (yes(c.PALPITATION), any_(c.RACING), yes(c.DIZZY)),
        unless=NOT_NOW,
        window=14,
    ),
    Rule(
        "cardiac.palpitation_sudden",
        E,
        (yes(c.PALPITATION), any_(c.RACING), yes(c.SUDDEN)),
        unless=NOT_NOW,
        window=8,
        tier=Tier.UNCERTAIN,
    ),
    # A stroke: the face, speech, one side of the body, sight.
    Rule("stroke.face", E, (yes(c.FACE), yes(c.ONE_SIDE), any_(c.DROOP)), unless=NOT_NOW, window=8),
    Rule(
        "stroke.face_distorted", E, (yes(c.FACE), yes(c.DISTORT)), unless=NOT_NOW_OR_FINE, window=4
    ),
    Rule("stroke.speech", E, (yes(c.SPEECH), yes(c.GARBLED)), unless=NOT_NOW_OR_FINE, window=4),
    Rule(
        "stroke.speech_lost",
        E,
        (yes(c.SPEECH), no(c.SPEECH_ABILITY)),
        unless=NOT_NOW_OR_FINE,
        window=4,
    ),
    Rule(
        "stroke.one_side_weak",
        E,
        (yes(c.ONE_SIDE), yes(c.LIMB), no(c.MOVE)),
        unless=NOT_NOW_OR_FINE,
        window=6,
    ),
    Rule(
        "stroke.one_side_droop",
        E,
        (yes(c.ONE_SIDE), yes(c.LIMB), any_(c.DROOP)),
        unless=NOT_NOW_OR_FINE,
        window=6,
    ),
    Rule(
        "stroke.one_side_numb",
        E,
        (yes(c.ONE_SIDE), yes(c.NUMB), yes(c.SUDDEN)),
        unless=NOT_NOW_OR_FINE,
        window=8,
    ),
    Rule("stroke.no_strength", E, (yes(c.STRENGTH), no(c.ENTER)), unless=NOT_NOW_OR_FINE, window=3),
    Rule("stroke.hold", E, (yes(c.CHOPSTICKS), no(c.HOLD)), unless=NOT_NOW_OR_FINE, window=4),
    Rule(
        "stroke.drop",
        E,
        (yes(c.CHOPSTICKS), yes(c.DROP_OBJECT), yes(c.SUDDEN)),
        unless=NOT_NOW,
        window=8,
    ),
    Rule("stroke.sight", E, (yes(c.EYE), any_(c.BLURRED), yes(c.SUDDEN)), unless=NOT_NOW, window=8),
    Rule("stroke.sudden_blind", E, (yes(c.SUDDEN), no(c.SEE)), unless=NOT_NOW, window=5),
    # Breathing and choking.
    Rule(
        "breath.trouble",
        E,
        (yes(c.BREATH), any_(c.BREATH_TROUBLE)),
        unless=(*NOT_NOW, c.HYPERBOLE),
        window=4,
    ),
    Rule("breath.not_breathing", E, (no(c.BREATH),), unless=NOT_NOW),
    Rule("breath.breathless", E, (yes(c.BREATHLESS),), unless=NOT_NOW_OR_FINE, window=6),
    Rule("choking.food", E, (yes(c.FOOD), yes(c.STUCK)), unless=NOT_NOW_OR_FINE, window=6),
    Rule("choking.throat", E, (yes(c.THROAT), yes(c.STUCK)), unless=NOT_NOW_OR_FINE, window=4),
    # Someone collapsed, unconscious, not answering, convulsing.
    Rule("unconscious", E, (no(c.CONSCIOUS),), unless=NOT_NOW),
    Rule("unconscious.no_response", E, (yes(c.CALLING), no(c.RESPONSE)), unless=NOT_NOW, window=8),
    Rule(
        "unconscious.person",
        E,
        (yes(c.NEAR_PERSON), no(c.RESPONSE)),
        unless=NOT_NOW_OR_FINE,
        window=8,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "unconscious.collapsed",
        E,
        (yes(c.NEAR_PERSON), yes(c.COLLAPSE)),
        unless=NOT_NOW_OR_FINE,
        window=8,
    ),
    Rule("unconscious.bath", E, (yes(c.BATH), any_(c.COLLAPSE)), unless=NOT_NOW_OR_FINE, window=10),
    Rule(
        "unconscious.bath_stuck", E, (yes(c.BATH), no(c.GET_UP)), unless=NOT_NOW_OR_FINE, window=10
    ),
    Rule("seizure", E, (yes(c.SEIZURE),), unless=NOT_NOW),
    # Bleeding and burns.
    Rule("bleeding", E, (yes(c.BLOOD), any_(c.BLEEDING_BAD)), unless=NOT_NOW_OR_FINE, window=4),
    Rule("bleeding.severe", E, (yes(c.BLOOD_SEVERE),), unless=NOT_NOW),
    Rule("burn", E, (yes(c.BURN), yes(c.BURN_BAD)), unless=NOT_NOW_OR_FINE, window=8),
    Rule("burn.blister", E, (yes(c.BLISTER), yes(c.HOT)), unless=NOT_NOW_OR_FINE, window=16),
    Rule(
        "burn.spilled",
        E,
        (yes(c.HOT), yes(c.SPILL), yes(c.BURN_BAD)),
        unless=NOT_NOW_OR_FINE,
        window=14,
    ),
    # A fall or an accident the person cannot get up from, or with a blow to the head.
    Rule("fall.cannot_get_up", E, (yes(c.FALL), no(c.GET_UP)), unless=NOT_NOW, window=12),
    Rule("fall.head", E, (yes(c.FALL), yes(c.HEAD), yes(c.HIT)), unless=NOT_NOW_OR_FINE, window=10),
    Rule("fall.pain", E, (yes(c.FALL), yes(c.SEVERE), yes(c.PAIN)), unless=NOT_NOW, window=10),
    Rule("fall.broken", E, (yes(c.FALL), yes(c.SWELL)), unless=NOT_NOW_OR_FINE, window=14),
    Rule("fall.help", E, (yes(c.FALL), yes(c.HELP_NOW)), unless=NOT_NOW, window=8),
    Rule("accident", E, (yes(c.VEHICLE), yes(c.HIT_BY)), unless=NOT_NOW_OR_FINE, window=6),
    Rule(
        "cannot_move",
        E,
        (no(c.GET_UP), yes(c.PAIN)),
        unless=(*NOT_NOW_OR_FINE, c.CHRONIC),
        window=6,
    ),
    # Sudden severe pain.
    Rule(
        "pain.sudden_severe",
        E,
        (yes(c.SUDDEN), yes(c.SEVERE), yes(c.PAIN)),
        unless=NOT_NOW,
        window=8,
    ),
    Rule(
        "pain.sudden_body",
        E,
        (yes(c.SUDDEN), yes(c.PAIN), yes(c.ABDOMEN)),
        unless=NOT_NOW_OR_FINE,
        window=6,
    ),
    Rule(
        "pain.sudden_head",
        E,
        (yes(c.SUDDEN), yes(c.PAIN), yes(c.HEAD)),
        unless=(*NOT_NOW_OR_FINE, c.IDIOM_BODY),
        window=6,
    ),
    Rule(
        "pain.sudden_back",
        E,
        (yes(c.SUDDEN), yes(c.PAIN), yes(c.BACK)),
        unless=NOT_NOW_OR_FINE,
        window=6,
    ),
    Rule(
        "pain.head_severe",
        E,
        (yes(c.HEAD), yes(c.SEVERE), yes(c.PAIN)),
        unless=(*NOT_NOW, c.IDIOM_BODY),
        window=6,
    ),
    Rule(
        "pain.abdomen_severe",
        E,
        (yes(c.ABDOMEN), yes(c.SEVERE), yes(c.PAIN)),
        unless=NOT_NOW,
        window=6,
    ),
    Rule(
        "pain.back_severe", E, (yes(c.BACK), yes(c.SUDDEN), yes(c.SEVERE)), unless=NOT_NOW, window=6
    ),
    # Heat, fever with confusion, medicine or poison, allergy.
    Rule("heatstroke", E, (yes(c.HEATSTROKE), any_(c.DIZZY)), unless=NOT_NOW_OR_FINE, window=10),
    Rule(
        "heatstroke.signs",
        E,
        (yes(c.HEAT), yes(c.DIZZY), yes(c.NAUSEA)),
        unless=NOT_NOW_OR_FINE,
        window=16,
    ),
    Rule("heatstroke.named", E, (yes(c.HEATSTROKE),), unless=NOT_NOW_OR_FINE, tier=Tier.UNCERTAIN),
    Rule(
        "heat.dizzy",
        E,
        (yes(c.HEAT), yes(c.DIZZY)),
        unless=NOT_NOW_OR_FINE,
        window=10,
        tier=Tier.UNCERTAIN,
    ),
    Rule("fever.confused", E, (yes(c.FEVER), any_(c.CONFUSED)), unless=NOT_NOW_OR_FINE, window=12),
    Rule("medicine.too_much", E, (yes(c.MEDICINE), yes(c.TOO_MUCH)), unless=NOT_NOW, window=8),
    Rule(
        "poison",
        E,
        (yes(c.POISON),),
        unless=(*NOT_NOW, c.RECOVERED, c.CALM_END),
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "allergy.breath",
        E,
        (yes(c.ALLERGY), yes(c.ALLERGY_BODY)),
        unless=NOT_NOW_OR_FINE,
        window=10,
    ),
    # Fire, gas, an intruder or violence now.
    Rule("fire", E, (yes(c.FIRE), any_(c.FIRE_NOW)), unless=NOT_NOW, window=5),
    Rule("fire.named", E, (yes(c.FIRE_NAMED),), unless=NOT_NOW),
    Rule("gas", E, (yes(c.GAS), yes(c.SMELL_LEAK)), unless=NOT_NOW_OR_FINE, window=5),
    Rule("intruder", E, (yes(c.INTRUDER), yes(c.INSIDE)), unless=NOT_NOW_OR_FINE, window=6),
    Rule("violence", E, (yes(c.VIOLENCE),), unless=(*NOT_NOW, c.HYPERBOLE), tier=Tier.UNCERTAIN),
    # Asking for an ambulance, or for help, now.
    Rule("ambulance", E, (yes(c.AMBULANCE), yes(c.CALL)), unless=NOT_NOW_OR_FINE, window=6),
    Rule("dizzy.collapse", E, (yes(c.DIZZY), yes(c.COLLAPSE)), unless=NOT_NOW_OR_FINE, window=8),
)

SELF_HARM_RULES = (
    Rule("wish.die", S, (yes(c.DIE_WISH),), unless=(c.HYPERBOLE, c.STORY), window=4),
    Rule("wish.disappear", S, (yes(c.DISAPPEAR_WISH),), unless=(c.STORY, c.HYPERBOLE)),
    Rule("death.thoughts", S, (yes(c.DEATH_THOUGHT),), unless=(c.STORY,)),
    Rule(
        "life.no_meaning", S, (yes(c.LIVE), any_(c.MEANING)), unless=(c.STORY, c.CALM_END), window=5
    ),
    Rule("life.not_wanted", S, (no(c.LIVE),), unless=(c.STORY,), window=1),
    Rule("life.not_want", S, (yes(c.LIVE), no(c.WANT)), unless=(c.STORY,), window=3),
    Rule(
        "morning.never",
        S,
        (yes(c.MORNING), no(c.WAKE), yes(c.WISH_ENDING)),
        unless=(c.STORY,),
        window=8,
    ),
    Rule("sleep.never_wake", S, (no(c.WAKE_UP), yes(c.WISH_ENDING)), unless=(c.STORY,), window=5),
    Rule("sleep.not_want_wake", S, (yes(c.WAKE_UP), no(c.WANT)), unless=(c.STORY,), window=2),
    Rule(
        "late.join",
        S,
        (yes(c.LATE), now(c.JOIN)),
        unless=(c.STORY, c.CALM_END, c.CHEERFUL),
        window=12,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "late.join_wish",
        S,
        (yes(c.LATE), now(c.JOIN), yes(c.WANT)),
        unless=(c.STORY, c.CHEERFUL),
        window=14,
    ),
    Rule(
        "spouse.go",
        S,
        (yes(c.SPOUSE), yes(c.PLACE_OF), yes(c.GO_WISH)),
        unless=(c.STORY,),
        window=8,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "spouse.go_lonely",
        S,
        (yes(c.SPOUSE), yes(c.GO_WISH), yes(c.LONELY)),
        unless=(c.STORY,),
        window=16,
    ),
    Rule(
        "spouse.go_late",
        S,
        (yes(c.SPOUSE), yes(c.GO_WISH), yes(c.LATE)),
        unless=(c.STORY,),
        window=20,
    ),
    Rule("omukae", S, (yes(c.OMUKAE), any_(c.COME_PLEASE)), unless=(c.STORY, c.CHEERFUL), window=6),
    Rule("burden.better_gone", S, (yes(c.BETTER_GONE),), unless=(c.STORY,)),
    Rule("burden", S, (yes(c.BURDEN), yes(c.BETTER_GONE)), window=12),
    Rule("method.named", S, (yes(c.STRONG_METHOD),), unless=(c.STORY, c.PRACTICE, c.CALM_END)),
    Rule("method.wish", S, (yes(c.METHOD), yes(c.DIE_WISH)), window=12),
    Rule("method.tracks", S, (yes(c.TRACKS), yes(c.JUMP)), unless=(c.STORY, c.HYPERBOLE), window=8),
    Rule(
        "method.want",
        S,
        (yes(c.METHOD), yes(c.WANT)),
        unless=(c.STORY, c.CALM_END, c.HYPERBOLE),
        window=3,
        tier=Tier.UNCERTAIN,
    ),
    Rule("method.stockpile", S, (yes(c.MEDICINE), yes(c.STOCKPILE)), unless=(c.STORY,), window=8),
    Rule("method.intend", S, (yes(c.MEDICINE), yes(c.TOO_MUCH), yes(c.INTEND)), window=8),
    Rule("self.hurt", S, (yes(c.SELF), yes(c.HURT), yes(c.WANT)), window=6),
    Rule(
        "self.injury",
        S,
        (yes(c.BODY_TO_HURT), yes(c.SELF_INJURY), yes(c.INVOLUNTARY)),
        unless=(c.STORY,),
        window=8,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "goodbye", S, (yes(c.THANKS_SO_FAR), yes(c.FINAL)), unless=(c.STORY, c.CALM_END), window=16
    ),
    Rule(
        "goodbye.late",
        S,
        (yes(c.GOODBYE), any_(c.LATE)),
        unless=(c.STORY, c.CALM_END),
        window=10,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "giving_away",
        S,
        (yes(c.GIVE_AWAY), yes(c.NO_LONGER_NEEDED)),
        unless=(c.STORY,),
        window=16,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "no_longer_needed",
        S,
        (yes(c.NO_LONGER_NEEDED),),
        unless=(c.STORY, c.CALM_END),
        tier=Tier.UNCERTAIN,
    ),
)

# What turns a scam into a lesson, the news, the past, or the senior's own errand.
NOT_A_SCAM = (c.FRAUD_NEWS, c.PRACTICE, c.GENERAL)
FRAUD_RULES = (
    # Someone claiming to be an authority or a relative, who wants money or a credential.
    Rule(
        "claimant.money",
        F,
        (yes(c.CLAIMANT), yes(c.INBOUND), yes(c.MONEY)),
        unless=(*NOT_A_SCAM, c.OWN_ACTION),
        window=16,
    ),
    Rule(
        "claimant.credential",
        F,
        (yes(c.CLAIMANT), yes(c.CREDENTIAL), yes(c.HAND_OVER)),
        unless=(*NOT_A_SCAM,),
        window=16,
    ),
    Rule(
        "credential.hand_over",
        F,
        (yes(c.CREDENTIAL), yes(c.INBOUND), yes(c.HAND_OVER)),
        unless=(*NOT_A_SCAM, c.OWN_ACTION),
        window=10,
    ),
    Rule("collector", F, (yes(c.VALUABLES), yes(c.COLLECT)), unless=(*NOT_A_SCAM,), window=12),
    Rule(
        "collector.claimant", F, (yes(c.CLAIMANT), yes(c.COLLECT)), unless=(*NOT_A_SCAM,), window=16
    ),
    Rule(
        "relative.trouble",
        F,
        (yes(c.RELATIVE), yes(c.TROUBLE), yes(c.MONEY)),
        unless=(*NOT_A_SCAM,),
        window=24,
    ),
    Rule(
        "relative.new_number",
        F,
        (yes(c.RELATIVE), yes(c.VOICE_CHANGE), yes(c.CHANGED)),
        unless=(*NOT_A_SCAM,),
        window=10,
    ),
    Rule(
        "relative.money_call",
        F,
        (yes(c.RELATIVE), yes(c.CONTACT), yes(c.MONEY)),
        unless=(*NOT_A_SCAM, c.OWN_ACTION),
        window=8,
        tier=Tier.UNCERTAIN,
    ),
    Rule("refund", F, (yes(c.REFUND), any_(c.ATM)), unless=(*NOT_A_SCAM,), window=16),
    Rule("refund.call", F, (yes(c.REFUND), yes(c.CONTACT)), unless=(*NOT_A_SCAM,), window=14),
    Rule(
        "atm.told", F, (yes(c.ATM), yes(c.INBOUND)), unless=(*NOT_A_SCAM, c.OWN_ACTION), window=12
    ),
    Rule(
        "atm.on_phone",
        F,
        (yes(c.ATM), yes(c.CONTACT)),
        unless=(*NOT_A_SCAM, c.OWN_ACTION),
        window=6,
    ),
    Rule("prepaid", F, (yes(c.PREPAID), yes(c.INBOUND)), unless=(*NOT_A_SCAM,), window=14),
    Rule(
        "prepaid.code",
        F,
        (yes(c.CONVENIENCE), yes(c.CODE), yes(c.SEND_TELL)),
        unless=(*NOT_A_SCAM,),
        window=14,
    ),
    # Phishing: a message about an account or a parcel that wants a tap or a login.
    Rule(
        "phishing.account",
        F,
        (yes(c.CONTACT), yes(c.ACCOUNT_TROUBLE), yes(c.LINK)),
        unless=(*NOT_A_SCAM,),
        window=20,
    ),
    Rule(
        "phishing.parcel",
        F,
        (yes(c.DELIVERY), any_(c.LINK)),
        unless=(*NOT_A_SCAM, c.OWN_ACTION),
        window=20,
    ),
    Rule(
        "phishing.parcel_message",
        F,
        (yes(c.DELIVERY), yes(c.CONTACT)),
        unless=(*NOT_A_SCAM, c.OWN_ACTION),
        window=14,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "phishing.account_lock",
        F,
        (yes(c.CONTACT), yes(c.ACCOUNT_TROUBLE), yes(c.CREDENTIAL)),
        unless=(*NOT_A_SCAM,),
        window=20,
    ),
    # Money that grows for sure, love that needs money, a celebrity who writes, a fortune teller.
    Rule(
        "investment", F, (yes(c.INVESTMENT), yes(c.SURE_PROFIT)), unless=(*NOT_A_SCAM,), window=14
    ),
    Rule(
        "romance",
        F,
        (yes(c.ONLINE), yes(c.ROMANCE), yes(c.MONEY)),
        unless=(*NOT_A_SCAM,),
        window=30,
    ),
    Rule(
        "online.money",
        F,
        (yes(c.ONLINE), yes(c.MONEY), yes(c.INBOUND)),
        unless=(*NOT_A_SCAM, c.OWN_ACTION),
        window=16,
        tier=Tier.UNCERTAIN,
    ),
    Rule("celebrity", F, (yes(c.CELEBRITY), yes(c.CONTACT)), unless=(*NOT_A_SCAM,), window=14),
    Rule("fortune", F, (yes(c.FORTUNE), yes(c.MONEY)), unless=(*NOT_A_SCAM,), window=14),
    Rule("virus", F, (yes(c.VIRUS), yes(c.CONTACT)), unless=(*NOT_A_SCAM,), window=14),
    Rule("virus.pay", F, (yes(c.VIRUS), yes(c.MONEY)), unless=(*NOT_A_SCAM,), window=14),
    # The door: repairs that must be signed today, buying up gold.
    Rule(
        "doorstep.contract",
        F,
        (yes(c.HOME_WORK), yes(c.CONTRACT)),
        unless=(*NOT_A_SCAM, c.RECOVERED),
        window=20,
        consumer=True,
    ),
    Rule(
        "doorstep.visit",
        F,
        (yes(c.HOME_WORK), yes(c.AT_DOOR), yes(c.URGENT)),
        unless=(*NOT_A_SCAM, c.RECOVERED),
        window=20,
        consumer=True,
    ),
    Rule(
        "buy_up",
        F,
        (yes(c.BUY_UP), yes(c.AT_DOOR)),
        unless=(*NOT_A_SCAM, c.OWN_ACTION),
        window=12,
        consumer=True,
    ),
    # Bills for nothing, lawsuits, prizes.
    Rule(
        "legal.notice",
        F,
        (yes(c.LEGAL), yes(c.CONTACT)),
        unless=(*NOT_A_SCAM,),
        window=14,
        consumer=True,
    ),
    Rule(
        "unpaid",
        F,
        (yes(c.UNPAID), yes(c.CONTACT)),
        unless=(*NOT_A_SCAM, c.OWN_ACTION),
        window=12,
        consumer=True,
    ),
    Rule("prize", F, (yes(c.PRIZE), yes(c.MONEY)), unless=(*NOT_A_SCAM,), window=14, consumer=True),
    Rule(
        "prize.contact",
        F,
        (yes(c.PRIZE), yes(c.CONTACT)),
        unless=(*NOT_A_SCAM,),
        window=10,
        consumer=True,
    ),
    Rule("secret.money", F, (yes(c.SECRET), yes(c.MONEY)), unless=(*NOT_A_SCAM,), window=14),
    # Named, or asked about.
    Rule("named", F, (yes(c.NAMED_SCAM), yes(c.CONTACT)), unless=(*NOT_A_SCAM,), window=8),
    Rule(
        "asked", F, (yes(c.SCAM), yes(c.QUESTION), yes(c.CONTACT)), unless=(*NOT_A_SCAM,), window=14
    ),
    Rule("asked.scam", F, (yes(c.SCAM), yes(c.QUESTION)), unless=(*NOT_A_SCAM,), window=4),
)

PERSON_RULES = (
    Rule(
        "person.staff",
        P,
        (yes(c.STAFF_ROLE), yes(c.ASK_FOR), now(c.PLEASE)),
        unless=(c.NOT_STAFF, c.PRAISE),
        window=8,
    ),
    Rule(
        "person.someone",
        P,
        (yes(c.SOMEONE), yes(c.ASK_FOR), now(c.PLEASE)),
        unless=(c.NOT_STAFF, c.PRAISE),
        window=5,
    ),
    Rule(
        "person.present",
        P,
        (yes(c.STAFF), yes(c.PRESENT)),
        unless=(c.NOT_STAFF, c.PRAISE),
        window=3,
        max_words=4,
    ),
    Rule("person.call_me", P, (yes(c.CALL_ME),), unless=(c.NOT_STAFF, c.AMBULANCE, c.CLAIMANT)),
    Rule("person.not_ai", P, (yes(c.AI), yes(c.REFUSE)), unless=(c.NOT_STAFF,), window=6),
    Rule("person.no_sense", P, (yes(c.NO_SENSE), yes(c.STAFF)), window=12),
    Rule(
        "person.number",
        P,
        (yes(c.STAFF_ROLE), yes(c.HELPDESK_NUMBER), any_(c.TELL)),
        unless=(c.NOT_STAFF,),
        window=8,
    ),
    Rule(
        "person.named",
        P,
        (yes(c.STAFF_TITLE),),
        unless=(c.NOT_STAFF, c.PRAISE, c.PAST),
        max_words=2,
    ),
)

RULES = (*EMERGENCY_RULES, *SELF_HARM_RULES, *FRAUD_RULES, *PERSON_RULES)
