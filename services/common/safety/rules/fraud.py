"""The fraud rules: someone claiming authority or closeness who wants money or a credential."""

from __future__ import annotations

from services.common.language.concepts import any_, yes
from services.common.safety.concepts import Rule
from services.common.safety.lexicon import body, framing, scams
from services.common.safety.routes import Tier
from services.common.safety.rules.shared import F

NOT_A_SCAM = (scams.FRAUD_NEWS, framing.PRACTICE, framing.GENERAL)
FRAUD_RULES = (
    # Someone claiming to be an authority or a relative, who wants money or a credential.
    Rule(
        "claimant.money",
        F,
        (yes(scams.CLAIMANT), yes(scams.INBOUND), yes(scams.MONEY)),
        unless=(*NOT_A_SCAM, scams.OWN_ACTION),
        window=16,
    ),
    Rule(
        "claimant.credential",
        F,
        (yes(scams.CLAIMANT), yes(scams.CREDENTIAL), yes(scams.HAND_OVER)),
        unless=(*NOT_A_SCAM,),
        window=16,
    ),
    Rule(
        "credential.hand_over",
        F,
        (yes(scams.CREDENTIAL), yes(scams.INBOUND), yes(scams.HAND_OVER)),
        unless=(*NOT_A_SCAM, scams.OWN_ACTION),
        window=10,
    ),
    Rule(
        "collector", F, (yes(scams.VALUABLES), yes(scams.COLLECT)), unless=(*NOT_A_SCAM,), window=12
    ),
    Rule(
        "collector.claimant",
        F,
        (yes(scams.CLAIMANT), yes(scams.COLLECT)),
        unless=(*NOT_A_SCAM,),
        window=16,
    ),
    Rule(
        "relative.trouble",
        F,
        (yes(body.RELATIVE), yes(scams.TROUBLE), yes(scams.MONEY)),
        unless=(*NOT_A_SCAM,),
        window=24,
    ),
    Rule(
        "relative.new_number",
        F,
        (yes(body.RELATIVE), yes(scams.VOICE_CHANGE), yes(scams.CHANGED)),
        unless=(*NOT_A_SCAM,),
        window=10,
    ),
    Rule(
        "relative.money_call",
        F,
        (yes(body.RELATIVE), yes(scams.CONTACT), yes(scams.MONEY)),
        unless=(*NOT_A_SCAM, scams.OWN_ACTION),
        window=8,
        tier=Tier.UNCERTAIN,
    ),
    Rule("refund", F, (yes(scams.REFUND), any_(scams.ATM)), unless=(*NOT_A_SCAM,), window=16),
    Rule(
        "refund.call", F, (yes(scams.REFUND), yes(scams.CONTACT)), unless=(*NOT_A_SCAM,), window=14
    ),
    Rule(
        "atm.told",
        F,
        (yes(scams.ATM), yes(scams.INBOUND)),
        unless=(*NOT_A_SCAM, scams.OWN_ACTION),
        window=12,
    ),
    Rule(
        "atm.on_phone",
        F,
        (yes(scams.ATM), yes(scams.CONTACT)),
        unless=(*NOT_A_SCAM, scams.OWN_ACTION),
        window=6,
    ),
    Rule("prepaid", F, (yes(scams.PREPAID), yes(scams.INBOUND)), unless=(*NOT_A_SCAM,), window=14),
    Rule(
        "prepaid.code",
        F,
        (yes(scams.CONVENIENCE), yes(scams.CODE), yes(scams.SEND_TELL)),
        unless=(*NOT_A_SCAM,),
        window=14,
    ),
    # Phishing: a message about an account or a parcel that wants a tap or a login.
    Rule(
        "phishing.account",
        F,
        (yes(scams.CONTACT), yes(scams.ACCOUNT_TROUBLE), yes(scams.LINK)),
        unless=(*NOT_A_SCAM,),
        window=20,
    ),
    Rule(
        "phishing.parcel",
        F,
        (yes(scams.DELIVERY), any_(scams.LINK)),
        unless=(*NOT_A_SCAM, scams.OWN_ACTION),
        window=20,
    ),
    Rule(
        "phishing.parcel_message",
        F,
        (yes(scams.DELIVERY), yes(scams.CONTACT)),
        unless=(*NOT_A_SCAM, scams.OWN_ACTION),
        window=14,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "phishing.account_lock",
        F,
        (yes(scams.CONTACT), yes(scams.ACCOUNT_TROUBLE), yes(scams.CREDENTIAL)),
        unless=(*NOT_A_SCAM,),
        window=20,
    ),
    # Money that grows for sure, love that needs money, a celebrity who writes, a fortune teller.
    Rule(
        "investment",
        F,
        (yes(scams.INVESTMENT), yes(scams.SURE_PROFIT)),
        unless=(*NOT_A_SCAM,),
        window=14,
    ),
    Rule(
        "romance",
        F,
        (yes(scams.ONLINE), yes(scams.ROMANCE), yes(scams.MONEY)),
        unless=(*NOT_A_SCAM,),
        window=30,
    ),
    Rule(
        "online.money",
        F,
        (yes(scams.ONLINE), yes(scams.MONEY), yes(scams.INBOUND)),
        unless=(*NOT_A_SCAM, scams.OWN_ACTION),
        window=16,
        tier=Tier.UNCERTAIN,
    ),
    Rule(
        "celebrity", F, (yes(scams.CELEBRITY), yes(scams.CONTACT)), unless=(*NOT_A_SCAM,), window=14
    ),
    Rule("fortune", F, (yes(scams.FORTUNE), yes(scams.MONEY)), unless=(*NOT_A_SCAM,), window=14),
    Rule("virus", F, (yes(scams.VIRUS), yes(scams.CONTACT)), unless=(*NOT_A_SCAM,), window=14),
    Rule("virus.pay", F, (yes(scams.VIRUS), yes(scams.MONEY)), unless=(*NOT_A_SCAM,), window=14),
    # The door: repairs that must be signed today, buying up gold.
    Rule(
        "doorstep.contract",
        F,
        (yes(scams.HOME_WORK), yes(scams.CONTRACT)),
        unless=(*NOT_A_SCAM, framing.RECOVERED),
        window=20,
        consumer=True,
    ),
    Rule(
        "doorstep.visit",
        F,
        (yes(scams.HOME_WORK), yes(scams.AT_DOOR), yes(scams.URGENT)),
        unless=(*NOT_A_SCAM, framing.RECOVERED),
        window=20,
        consumer=True,
    ),
    Rule(
        "buy_up",
        F,
        (yes(scams.BUY_UP), yes(scams.AT_DOOR)),
        unless=(*NOT_A_SCAM, scams.OWN_ACTION),
        window=12,
        consumer=True,
    ),
    # Bills for nothing, lawsuits, prizes.
    Rule(
        "legal.notice",
        F,
        (yes(scams.LEGAL), yes(scams.CONTACT)),
        unless=(*NOT_A_SCAM,),
        window=14,
        consumer=True,
    ),
    Rule(
        "unpaid",
        F,
        (yes(scams.UNPAID), yes(scams.CONTACT)),
        unless=(*NOT_A_SCAM, scams.OWN_ACTION),
        window=12,
        consumer=True,
    ),
    Rule(
        "prize",
        F,
        (yes(scams.PRIZE), yes(scams.MONEY)),
        unless=(*NOT_A_SCAM,),
        window=14,
        consumer=True,
    ),
    Rule(
        "prize.contact",
        F,
        (yes(scams.PRIZE), yes(scams.CONTACT)),
        unless=(*NOT_A_SCAM,),
        window=10,
        consumer=True,
    ),
    Rule(
        "secret.money", F, (yes(scams.SECRET), yes(scams.MONEY)), unless=(*NOT_A_SCAM,), window=14
    ),
    # Named, or asked about.
    Rule("named", F, (yes(scams.NAMED_SCAM), yes(scams.CONTACT)), unless=(*NOT_A_SCAM,), window=8),
    Rule(
        "asked",
        F,
        (yes(scams.SCAM), yes(scams.QUESTION), yes(scams.CONTACT)),
        unless=(*NOT_A_SCAM,),
        window=14,
    ),
    Rule("asked.scam", F, (yes(scams.SCAM), yes(scams.QUESTION)), unless=(*NOT_A_SCAM,), window=4),
)
