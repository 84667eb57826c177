from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from logic import contact_rules as rules


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def local(tz, *args):
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


@pytest.mark.parametrize(
    "tz",
    ["America/New_York", "America/Los_Angeles", "Europe/Paris", "Asia/Tokyo", "Australia/Sydney"],
)
def test_call_hours_edges_in_several_zones(tz):
    assert rules.within_call_hours(local(tz, 2026, 3, 2, 20, 59), tz)
    assert not rules.within_call_hours(local(tz, 2026, 3, 2, 21, 0), tz)
    assert rules.within_call_hours(local(tz, 2026, 3, 2, 8, 0), tz)
    assert not rules.within_call_hours(local(tz, 2026, 3, 2, 7, 59), tz)


def test_call_at_21_is_refused_until_next_morning():
    tz = "America/Chicago"
    moment = local(tz, 2026, 5, 4, 21, 0)
    violations = rules.check("phone_out", moment, tz)
    assert [v.rule for v in violations] == [rules.RULE_CALL_HOURS]
    assert violations[0].allowed_from == local(tz, 2026, 5, 5, 8, 0)
    assert rules.check("phone_out", local(tz, 2026, 5, 4, 20, 59), tz) == []


def test_early_morning_call_allowed_from_8_same_day():
    tz = "America/Denver"
    violations = rules.check("phone_out", local(tz, 2026, 5, 4, 6, 30), tz)
    assert violations[0].allowed_from == local(tz, 2026, 5, 4, 8, 0)


def test_daylight_saving_change_day():
    tz = "America/New_York"
    # 2026-03-08: clocks jump from 02:00 to 03:00 (UTC-5 to UTC-4)
    assert rules.within_call_hours(utc(2026, 3, 8, 12, 0), tz)  # 08:00 EDT
    assert not rules.within_call_hours(utc(2026, 3, 8, 11, 59), tz)  # 07:59 EDT
    assert rules.within_call_hours(utc(2026, 3, 9, 0, 59), tz)  # 20:59 EDT
    assert not rules.within_call_hours(utc(2026, 3, 9, 1, 0), tz)  # 21:00 EDT
    # the evening before the change, 21:30 EST: allowed again at 08:00 EDT
    violations = rules.check("phone_out", utc(2026, 3, 8, 2, 30), tz)
    assert violations[0].allowed_from == utc(2026, 3, 8, 12, 0)
    # autumn: 2026-11-01 back to EST; 08:00 EST is 13:00 UTC
    assert rules.next_call_window(utc(2026, 11, 1, 10, 0), tz) == utc(2026, 11, 1, 13, 0)


def test_seventh_call_allowed_eighth_refused():
    tz = "UTC"
    now = utc(2026, 5, 10, 15, 0)
    six = [now - timedelta(days=d, hours=1) for d in range(6)]
    assert rules.check("phone_out", now, tz, six) == []
    seven = [*six, now - timedelta(days=6, hours=20)]
    violations = rules.check("phone_out", now, tz, seven)
    assert [v.rule for v in violations] == [rules.RULE_CALL_FREQUENCY]
    assert violations[0].allowed_from == now - timedelta(days=6, hours=20) + timedelta(days=7)


def test_calls_older_than_the_window_do_not_count():
    now = utc(2026, 5, 10, 15, 0)
    old = [now - timedelta(days=7, minutes=d + 1) for d in range(10)]
    assert rules.check("phone_out", now, "UTC", old) == []


def test_frequency_limit_configurable():
    now = utc(2026, 5, 10, 15, 0)
    calls = [now - timedelta(hours=h + 1) for h in range(3)]
    assert rules.check("phone_out", now, "UTC", calls, max_calls=3)
    assert not rules.check("phone_out", now, "UTC", calls, max_calls=4)


def test_freed_slot_outside_call_hours_moves_to_next_window():
    tz = "America/New_York"
    now = local(tz, 2026, 5, 10, 15, 0)
    calls = [local(tz, 2026, 5, 3, 22, 30)] + [now - timedelta(hours=h + 1) for h in range(6)]
    violations = rules.check("phone_out", now, tz, calls)
    assert violations[0].allowed_from == local(tz, 2026, 5, 11, 8, 0)


@pytest.mark.parametrize("channel", ["phone_out", "letter", "email", "sms"])
def test_cease_blocks_every_outbound_channel(channel):
    violations = rules.check(
        channel, utc(2026, 5, 4, 15, 0), "UTC", cease_communication=True, sms_consent=True
    )
    assert rules.RULE_CEASE in [v.rule for v in violations]


def test_cease_acknowledgement_letter_allowed():
    assert (
        rules.check(
            "letter",
            utc(2026, 5, 4, 15, 0),
            "UTC",
            cease_communication=True,
            is_cease_acknowledgement=True,
        )
        == []
    )
    assert rules.check(
        "email",
        utc(2026, 5, 4, 15, 0),
        "UTC",
        cease_communication=True,
        is_cease_acknowledgement=True,
    )


@pytest.mark.parametrize("channel", ["phone_in", "portal", "in_person"])
def test_inbound_contacts_are_never_blocked(channel):
    assert (
        rules.check(
            channel, utc(2026, 5, 4, 3, 0), "UTC", [utc(2026, 5, 4)] * 20, cease_communication=True
        )
        == []
    )


def test_sms_needs_consent():
    moment = utc(2026, 5, 4, 15, 0)
    assert [v.rule for v in rules.check("sms", moment, "UTC")] == [rules.RULE_SMS_CONSENT]
    assert rules.check("sms", moment, "UTC", sms_consent=True) == []


def test_invalid_number_blocks_calls_only():
    moment = utc(2026, 5, 4, 15, 0)
    assert [v.rule for v in rules.check("phone_out", moment, "UTC", phone_invalid=True)] == [
        rules.RULE_INVALID_NUMBER
    ]
    assert rules.check("letter", moment, "UTC", phone_invalid=True) == []


def test_naive_datetimes_are_utc():
    assert rules.within_call_hours(datetime(2026, 5, 4, 15, 0), "UTC")
