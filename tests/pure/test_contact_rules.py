from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_backdated_call_counts_the_calls_after_it():
    """Seven calls in the last hour: an eighth dated two hours back is refused too
    (the window from it holds the seven)."""
    now = utc(2026, 5, 10, 15, 0)
    seven = [now - timedelta(minutes=10 * (7 - i)) for i in range(7)]
    assert rules.check("phone_out", now, "UTC", seven)
    violations = rules.check("phone_out", now - timedelta(hours=2), "UTC", seven)
    assert [v.rule for v in violations] == [rules.RULE_CALL_FREQUENCY]
    # allowed again once the first of the seven leaves the window
    assert violations[0].allowed_from == seven[0] + timedelta(days=7)


def test_every_window_containing_the_call_is_counted():
    """Four calls before and three after, all within seven days of a call dated
    between them: eight in a window."""
    moment = utc(2026, 5, 10, 12, 0)
    before = [moment - timedelta(days=d) for d in (0.5, 1, 2, 3)]
    after = [moment + timedelta(days=d) for d in (1, 2, 3)]
    assert rules.call_frequency_violation(moment, before + after) is not None
    # the same calls spread wider: no window of seven days holds eight
    after = [moment + timedelta(days=d) for d in (3.5, 4, 5)]
    assert rules.call_frequency_violation(moment, before + after) is None


def test_a_call_long_before_the_others_is_allowed():
    now = utc(2026, 5, 10, 15, 0)
    seven = [now - timedelta(minutes=10 * (7 - i)) for i in range(7)]
    assert rules.check("phone_out", now - timedelta(days=7, hours=1), "UTC", seven) == []


@given(
    st.lists(st.integers(min_value=0, max_value=30 * 24), max_size=12),
    st.integers(min_value=0, max_value=30 * 24),
)
@settings(max_examples=200, deadline=None)
def test_frequency_property_no_window_over_the_limit(hours, new_hour):
    """A call the rule accepts never makes a rolling window hold more than seven;
    a refused one always would."""
    base = utc(2026, 5, 1)
    calls = [base + timedelta(hours=h) for h in hours]
    moment = base + timedelta(hours=new_hour)
    window = timedelta(days=7)
    every = sorted([*calls, moment])
    crowded = any(
        sum(1 for c in every if start <= c < start + window) > 7
        for start in every
        if start <= moment < start + window
    )
    assert (rules.call_frequency_violation(moment, calls) is not None) == crowded


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


# ---------------------------------------------------------------- the window for every channel


@pytest.mark.parametrize("channel", ["phone_out", "sms", "email"])
@pytest.mark.parametrize(
    "tz", ["America/New_York", "America/Los_Angeles", "Pacific/Honolulu", "Asia/Kolkata"]
)
def test_window_covers_calls_texts_and_emails(channel, tz):
    """Regulation F 1006.6(b)(1): 08:00-21:00 at the guarantor's local time for
    every communication sent, at the moment it is sent."""
    evening = local(tz, 2026, 5, 4, 21, 0)
    violations = rules.check(channel, evening, tz, sms_consent=True)
    assert [v.rule for v in violations] == [rules.RULE_CONTACT_HOURS]
    assert violations[0].allowed_from == local(tz, 2026, 5, 5, 8, 0)
    early = local(tz, 2026, 5, 4, 7, 59)
    assert [v.rule for v in rules.check(channel, early, tz, sms_consent=True)] == [
        rules.RULE_CONTACT_HOURS
    ]
    assert rules.check(channel, local(tz, 2026, 5, 4, 8, 0), tz, sms_consent=True) == []
    assert rules.check(channel, local(tz, 2026, 5, 4, 20, 59), tz, sms_consent=True) == []


def test_letters_are_outside_the_window():
    """A letter is mailed, not received, at a time of day: no window."""
    tz = "America/Chicago"
    assert rules.check("letter", local(tz, 2026, 5, 4, 23, 30), tz) == []
    assert rules.check("letter", local(tz, 2026, 5, 4, 3, 0), tz) == []


def test_email_window_follows_the_guarantors_zone_not_utc():
    # 02:00 UTC is 19:00 in Los Angeles (allowed) and 22:00 in New York (refused)
    moment = utc(2026, 7, 1, 2, 0)
    assert rules.check("email", moment, "America/Los_Angeles") == []
    violations = rules.check("email", moment, "America/New_York")
    assert [v.rule for v in violations] == [rules.RULE_CONTACT_HOURS]
    assert violations[0].allowed_from == local("America/New_York", 2026, 7, 1, 8, 0)


def test_email_window_on_daylight_saving_change_day():
    tz = "America/New_York"
    # 2026-03-08: 08:00 EDT is 12:00 UTC; 07:59 EDT still refused
    assert rules.check("email", utc(2026, 3, 8, 12, 0), tz) == []
    violations = rules.check("email", utc(2026, 3, 8, 11, 59), tz)
    assert violations[0].allowed_from == utc(2026, 3, 8, 12, 0)


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_frequency_limit_stays_on_calls(channel):
    now = utc(2026, 5, 10, 15, 0)
    many = [now - timedelta(hours=h + 1) for h in range(20)]
    assert rules.check(channel, now, "UTC", many, sms_consent=True) == []
    # and texts or emails do not count as call attempts: the caller passes calls only
    assert rules.check("phone_out", now, "UTC", many[:6]) == []


def test_text_outside_window_without_consent_breaks_both_rules():
    tz = "America/Denver"
    violations = rules.check("sms", local(tz, 2026, 5, 4, 22, 0), tz)
    assert {v.rule for v in violations} == {rules.RULE_SMS_CONSENT, rules.RULE_CONTACT_HOURS}


def test_wrong_number_blocks_calls_and_texts_not_emails():
    moment = utc(2026, 5, 4, 15, 0)
    sms = rules.check("sms", moment, "UTC", sms_consent=True, phone_invalid=True)
    assert [v.rule for v in sms] == [rules.RULE_INVALID_NUMBER]
    assert rules.check("email", moment, "UTC", phone_invalid=True) == []


def test_cease_blocks_email_inside_the_window():
    moment = local("America/New_York", 2026, 5, 4, 12, 0)
    violations = rules.check("email", moment, "America/New_York", cease_communication=True)
    assert [v.rule for v in violations] == [rules.RULE_CEASE]


def test_former_names_still_answer():
    assert rules.RULE_CALL_HOURS == rules.RULE_CONTACT_HOURS
    assert rules.within_contact_hours is rules.within_call_hours
    assert rules.next_contact_window is rules.next_call_window


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(timezone.utc),
    ),
    tz=st.sampled_from(
        ["UTC", "America/New_York", "America/Phoenix", "Pacific/Honolulu", "Australia/Lord_Howe"]
    ),
    channel=st.sampled_from(["phone_out", "sms", "email"]),
)
def test_window_property(moment, tz, channel):
    """Allowed exactly when the local time is in [08:00, 21:00); when refused, the
    moment given is inside the window, after now, and within a day."""
    violations = rules.check(channel, moment, tz, sms_consent=True)
    inside = rules.CALL_START <= moment.astimezone(ZoneInfo(tz)).time() < rules.CALL_END
    assert (violations == []) == inside
    if violations:
        allowed = violations[0].allowed_from
        assert moment < allowed <= moment + timedelta(hours=25)
        assert rules.within_contact_hours(allowed, tz)


def test_manager_overrides_a_call_or_a_letter_never_a_message():
    hours = [rules.Violation(rules.RULE_CONTACT_HOURS, None)]
    cease = [rules.Violation(rules.RULE_CEASE, None)]
    consent = [rules.Violation(rules.RULE_SMS_CONSENT, None)]
    assert rules.overridable("phone_out", hours)
    assert rules.overridable("letter", hours)
    assert rules.overridable("letter", cease)
    assert not rules.overridable("phone_out", cease)
    assert not rules.overridable("phone_out", hours + cease)
    assert not rules.overridable("sms", consent)
    assert not rules.overridable("sms", hours)
    assert not rules.overridable("email", hours)
    assert not rules.overridable("email", cease)
