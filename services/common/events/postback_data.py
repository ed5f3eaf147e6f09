"""The platform's postback data convention: "<service>:<action>[?key=value&...]".

A button a senior taps carries this string in LINE's postback `data` (at most 300 characters).
Each service handles the postbacks addressed to it and ignores the rest, so building and reading
the string is one shared piece of code, as much a contract as the events themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from services.common.events.contracts.line import MAX_POSTBACK_DATA_LENGTH


@dataclass(frozen=True)
class PostbackData:
    service: str
    action: str
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: str) -> PostbackData | None:
        """The parts of `data`, or None when it does not follow the convention.

        A key given twice is refused rather than guessed at: "?session=A&session=B" means
        nothing a senior could have tapped.
        """
        service, colon, rest = data.partition(":")
        action, _, query = rest.partition("?")
        if not colon or not service or not action:
            return None
        params: dict[str, str] = {}
        for key, values in parse_qs(query, keep_blank_values=True).items():
            if len(values) != 1:
                return None
            params[key] = values[0].strip()
        return cls(service=service, action=action, params=params)

    def for_service(self, service: str) -> bool:
        return self.service == service

    def __str__(self) -> str:
        query = f"?{urlencode(self.params)}" if self.params else ""
        return f"{self.service}:{self.action}{query}"


def postback_data(service: str, action: str, **params: str) -> str:
    """Build the data string for a button, e.g. postback_data("lending", "book", session=id)."""
    data = str(PostbackData(service=service, action=action, params=dict(params)))
    if len(data) > MAX_POSTBACK_DATA_LENGTH:
        raise ValueError(f"postback data longer than {MAX_POSTBACK_DATA_LENGTH} characters")
    return data
