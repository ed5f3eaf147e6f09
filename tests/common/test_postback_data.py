from __future__ import annotations

import pytest

from services.common.events.postback_data import PostbackData, postback_data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("daichan:my_loan", PostbackData("daichan", "my_loan")),
        ("lending:book?session=S-1", PostbackData("lending", "book", {"session": "S-1"})),
        (
            "helpdesk:csat?ticket=T1&score=4",
            PostbackData("helpdesk", "csat", {"ticket": "T1", "score": "4"}),
        ),
        ("daichan:help?topic=", PostbackData("daichan", "help", {"topic": ""})),
    ],
)
def test_the_convention_is_read(data: str, expected: PostbackData) -> None:
    assert PostbackData.parse(data) == expected


@pytest.mark.parametrize(
    "data", ["", "no-colon", ":action", "service:", "lending:book?session=A&session=B"]
)
def test_what_does_not_follow_it_is_refused(data: str) -> None:
    assert PostbackData.parse(data) is None


def test_built_data_reads_back_and_keeps_line_limits() -> None:
    built = postback_data("lending", "book", session="S 1&x")
    assert PostbackData.parse(built) == PostbackData("lending", "book", {"session": "S 1&x"})
    with pytest.raises(ValueError, match="300"):
        postback_data("lending", "book", session="x" * 300)
