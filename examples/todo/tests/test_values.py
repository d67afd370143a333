"""Description and Reminder validate as the seed's value objects do (seed 000, section A)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from examples.todo import Description, InvalidDescription, InvalidReminderTime, Reminder
from fabula import DomainError

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_a_description_must_not_be_empty() -> None:
    with pytest.raises(InvalidDescription) as refused:
        Description("")
    assert refused.value.message == "description cannot be empty"
    assert refused.value.code == "invalid_description"
    assert isinstance(refused.value, DomainError)
    assert Description(" ").text == " "


def test_a_reminder_must_be_after_the_current_time() -> None:
    assert Reminder.new(NOW + timedelta(seconds=1), NOW).time == NOW + timedelta(seconds=1)
    for when in (NOW, NOW - timedelta(days=1)):
        with pytest.raises(InvalidReminderTime) as refused:
            Reminder.new(when, NOW)
        assert refused.value.message == "reminder time cannot be in the past"
        assert refused.value.code == "invalid_reminder_time"


def test_a_reminder_is_kept_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    reminder = Reminder.new(datetime(2100, 1, 1, 2, 0, tzinfo=paris), NOW)
    assert reminder.time.utcoffset() == timedelta(0)
    assert reminder.time == datetime(2100, 1, 1, 0, 0, tzinfo=UTC)


def test_a_reminder_needs_aware_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Reminder.new(datetime(2100, 1, 1), NOW)


def test_a_stored_reminder_in_the_past_is_still_a_reminder() -> None:
    assert Reminder(NOW - timedelta(days=1)).time < NOW
