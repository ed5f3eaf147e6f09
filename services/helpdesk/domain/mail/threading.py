"""Which earlier mail a mail answers: our Message-IDs, the reply's In-Reply-To and References,
and the ticket tag in our subjects.

Our replies carry a Message-ID made from the reply's id and the helpdesk's mail domain, so the
same reply always has the same id (a retried send is recognisable, and a reply to it names it).
A mail answering one of ours, or one we received, lists that id in In-Reply-To (the parent) and
References (the chain, oldest first); the parent is tried first, then the chain from the newest.

The subject is a fallback only in one form: the ticket tag we write into our own subjects
(「[SSL#…]」). Some carrier and feature-phone mailers drop In-Reply-To and References but keep
the subject, and the tag survives "Re:"/"返信:" prefixes. A plain subject match is not used: the
same person writing 「タブレットについて」 twice about two problems would join them. A tag can be
typed by anyone, so it may join a ticket only when the sender is that ticket's requester.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TypeVar

from services.helpdesk.domain.mail.model import InboundMail

_REPLY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
_DOMAIN = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)
_PREFIX = "helpdesk-reply."
_TAG = re.compile(r"\[SSL#([A-Za-z0-9-]{4,40})\]")
_REPLY_PREFIXES = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|sv|返信|転送|答复|回复)\s*(?:\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE
)
_T = TypeVar("_T")


def check_domain(domain: str) -> str:
    """The Message-ID domain lower-cased, or ValueError for one that cannot be a domain."""
    value = domain.strip().lower()
    if not _DOMAIN.match(value) or "." not in value:
        raise ValueError(f"not a mail domain: {domain!r}")
    return value


def reply_message_id(reply_id: str, domain: str) -> str:
    """Our Message-ID for the staff reply `reply_id` (a UUID or similar: letters, digits, -)."""
    if not _REPLY_ID.match(reply_id):
        raise ValueError("a reply id must be 1-64 letters, digits or '-'")
    return f"<{_PREFIX}{reply_id.lower()}@{check_domain(domain)}>"


def reply_id_of(message_id: str, domain: str) -> str | None:
    """The reply id inside one of our Message-IDs; None for anyone else's."""
    value = message_id.strip()
    if not (value.startswith("<") and value.endswith(">")):
        return None
    local, at, host = value[1:-1].rpartition("@")
    if not at or host.lower() != domain.strip().lower() or not local.startswith(_PREFIX):
        return None
    reply_id = local[len(_PREFIX) :]
    return reply_id if _REPLY_ID.match(reply_id) else None


def is_our_message_id(message_id: str, domain: str) -> bool:
    return reply_id_of(message_id, domain) is not None


def thread_candidates(mail: InboundMail) -> tuple[str, ...]:
    """Message-IDs this mail may answer, most likely first: In-Reply-To, then References from
    the newest. Look them up among the ids we sent and received; `find_thread` picks."""
    ordered: dict[str, None] = {}
    for message_id in (*mail.in_reply_to, *reversed(mail.references)):
        if message_id != mail.message_id:
            ordered.setdefault(message_id, None)
    return tuple(ordered)


def find_thread(candidates: tuple[str, ...], known: Mapping[str, _T]) -> _T | None:
    """The thread (e.g. ticket id) of the first candidate found among `known` ids."""
    for message_id in candidates:
        if message_id in known:
            return known[message_id]
    return None


def base_subject(subject: str) -> str:
    """The subject without its Re:/Fwd:/返信: prefixes."""
    return _REPLY_PREFIXES.sub("", subject).strip()


def tag_subject(subject: str, ticket_ref: str) -> str:
    """`subject` with the ticket tag, once."""
    if not _TAG.fullmatch(f"[SSL#{ticket_ref}]"):
        raise ValueError("a ticket ref must be 4-40 letters, digits or '-'")
    if ticket_ref_in_subject(subject) == ticket_ref:
        return subject
    return f"{subject} [SSL#{ticket_ref}]".strip()


def ticket_ref_in_subject(subject: str) -> str | None:
    """The ticket tag we wrote into a subject, if the subject still carries one."""
    match = _TAG.search(subject)
    return match.group(1) if match else None
