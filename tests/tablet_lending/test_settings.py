"""Production settings refuse what belongs to development and tests."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.tablet_lending.settings import TabletLendingSettings

STRONG = "a-real-secret-with-more-than-32-characters"


def production(**values: object) -> TabletLendingSettings:
    return TabletLendingSettings.model_validate(
        {
            "environment": "production",
            "token_secret": STRONG,
            "link_code_secret": STRONG,
            "lending_contact_secret": STRONG,
            **values,
        }
    )


def test_production_needs_a_real_token_secret() -> None:
    assert production().token_secret == STRONG
    with pytest.raises(ValidationError, match="TABLET_LENDING_TOKEN_SECRET"):
        production(token_secret="dev-tablet-lending-token-secret-not-for-production")
    with pytest.raises(ValidationError, match="32"):
        production(token_secret="short-but-not-dev")


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("demo_accounts", "op:operator-pass:operator", "DEMO_ACCOUNTS"),
        ("demo_data", True, "DEMO_DATA"),
        ("clock_start", "2030-01-01T00:00:00+09:00", "CLOCK_START"),
    ],
)
def test_production_refuses_demo_accounts_demo_data_and_a_shifted_clock(
    field: str, value: object, named: str
) -> None:
    with pytest.raises(ValidationError, match=named):
        production(**{field: value})


def test_reminder_schedule_and_hours_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TABLET_LENDING_REMINDER_DAYS_BEFORE", "10,3")
    monkeypatch.setenv("TABLET_LENDING_REMINDER_HOURS_JST", "8-20")
    settings = TabletLendingSettings()
    assert settings.reminder_days_before == (10, 3)
    assert settings.reminder_hours_jst == (8, 20)


def test_reminder_schedule_and_hours_are_validated() -> None:
    settings = TabletLendingSettings(reminder_days_before="1, 14,7")
    assert settings.reminder_days_before == (14, 7, 1)
    assert TabletLendingSettings(reminder_hours_jst="0-24").reminder_hours_jst == (0, 24)
    with pytest.raises(ValidationError):
        TabletLendingSettings(reminder_days_before="14,0")
    with pytest.raises(ValidationError):
        TabletLendingSettings(reminder_hours_jst="19-9")


def test_production_needs_a_real_link_code_secret() -> None:
    with pytest.raises(ValidationError, match="LINK_CODE_SECRET"):
        production(link_code_secret="dev-link-code-secret-not-for-production")
    with pytest.raises(ValidationError, match="LINK_CODE_SECRET needs at least 32"):
        production(link_code_secret="short-but-not-dev")


def test_production_needs_a_real_contact_card_secret() -> None:
    with pytest.raises(ValidationError, match="LENDING_CONTACT_SECRET"):
        production(lending_contact_secret="dev-lending-contact-secret-not-for-production")
    with pytest.raises(ValidationError, match="LENDING_CONTACT_SECRET needs at least 32"):
        production(lending_contact_secret="short-but-not-dev")
