"""Contact rules for collections: when a specialist may reach out, and how.

Drawn from Regulation F (12 CFR 1006, a best practice for a practice's own
staff) and the TCPA:

- outbound calls, texts and emails only between 08:00 and 21:00 at the
  guarantor's local time, judged when they are sent (1006.6(b)(1): the
  inconvenient-time presumption covers every communication, not only calls;
  a letter is excepted: it is mailed, not received, at a time of day);
- at most ``max_calls`` outbound call attempts per account in any rolling
  ``window_days`` days (7 in 7 by default), every window containing the call
  counted (a call dated back counts the calls logged after it too);
- no outbound contact of any channel after a request to cease communication,
  except the written acknowledgement of that request;
- text messages only with recorded consent;
- no outbound call or text to a number known to be wrong.

``check`` returns the rules a contact would break, each with the moment contact
becomes allowed again (None: not until something changes), so the caller can
say which rule and when.
"""

from collections import namedtuple
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

OUTBOUND_CHANNELS = frozenset({"phone_out", "letter", "email", "sms"})
CALL_CHANNELS = frozenset({"phone_out"})
# Channels that reach the guarantor at the moment they are sent: the time window applies.
WINDOW_CHANNELS = frozenset({"phone_out", "sms", "email"})
# Channels that use the guarantor's phone number.
PHONE_CHANNELS = frozenset({"phone_out", "sms"})

RULE_CALL_HOURS = "call_hours"
# The same rule under its exact name: the window covers texts and emails too.
RULE_CONTACT_HOURS = RULE_CALL_HOURS
RULE_CALL_FREQUENCY = "call_frequency"
RULE_CEASE = "cease_communication"
RULE_SMS_CONSENT = "sms_consent"
RULE_INVALID_NUMBER = "invalid_number"

CALL_START = time(8, 0)
CALL_END = time(21, 0)

Violation = namedtuple("Violation", "rule allowed_from")
Violation.__doc__ = "A broken rule and when contact is allowed again (UTC, or None)."


def _utc(moment):
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def local_time(moment_utc, tz_name):
    """``moment_utc`` (naive UTC or aware) in the time zone ``tz_name``."""
    return _utc(moment_utc).astimezone(ZoneInfo(tz_name or "UTC"))


def next_call_window(moment_utc, tz_name, start=CALL_START, end=CALL_END):
    """The first moment at or after ``moment_utc`` inside the local contact hours,
    in UTC (daylight-saving changes included)."""
    zone = ZoneInfo(tz_name or "UTC")
    local = _utc(moment_utc).astimezone(zone)
    if start <= local.time() < end:
        return _utc(moment_utc)
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    opening = datetime.combine(day, start, tzinfo=zone)
    return opening.astimezone(timezone.utc)


def within_call_hours(moment_utc, tz_name, start=CALL_START, end=CALL_END):
    return start <= local_time(moment_utc, tz_name).time() < end


# The window is Regulation F's for every communication; the names say so.
next_contact_window = next_call_window
within_contact_hours = within_call_hours


def _window_full(moment, calls, max_calls, window):
    """Whether a call at ``moment`` would make some rolling window containing it
    hold more than ``max_calls`` calls (``calls``: the others, sorted UTC): the
    windows that matter end at ``moment`` or at a later call less than a window
    after it."""
    ends = [moment] + [call for call in calls if moment <= call < moment + window]
    return any(sum(1 for call in calls if end - window < call <= end) >= max_calls for end in ends)


def call_frequency_violation(moment_utc, previous_calls_utc, max_calls=7, window_days=7):
    """When a call at ``moment_utc`` would make ``max_calls`` + 1 attempts in some
    rolling ``window_days`` days containing it — with the calls before it, and
    those after it too (a call logged late, dated back) — the first moment from
    which a call is allowed again; else None."""
    moment = _utc(moment_utc)
    window = timedelta(days=window_days)
    calls = sorted(_utc(call) for call in previous_calls_utc)
    if not _window_full(moment, calls, max_calls, window):
        return None
    # a slot frees when a call leaves the window: the first such moment with room
    # (the last one always has: every call is behind it then)
    for freed in sorted({call + window for call in calls if call + window > moment}):
        if not _window_full(freed, calls, max_calls, window):
            return freed
    return calls[-1] + window


def check(
    channel,
    moment_utc,
    tz_name,
    previous_calls_utc=(),
    cease_communication=False,
    sms_consent=False,
    phone_invalid=False,
    is_cease_acknowledgement=False,
    max_calls=7,
    window_days=7,
):
    """The rules an outbound contact on ``channel`` at ``moment_utc`` would break."""
    if channel not in OUTBOUND_CHANNELS:
        return []
    violations = []
    if cease_communication and not (channel == "letter" and is_cease_acknowledgement):
        violations.append(Violation(RULE_CEASE, None))
    if channel == "sms" and not sms_consent:
        violations.append(Violation(RULE_SMS_CONSENT, None))
    if channel in PHONE_CHANNELS and phone_invalid:
        violations.append(Violation(RULE_INVALID_NUMBER, None))
    if channel in WINDOW_CHANNELS and not within_contact_hours(moment_utc, tz_name):
        violations.append(Violation(RULE_CONTACT_HOURS, next_contact_window(moment_utc, tz_name)))
    if channel in CALL_CHANNELS:
        freed = call_frequency_violation(moment_utc, previous_calls_utc, max_calls, window_days)
        if freed is not None:
            violations.append(Violation(RULE_CALL_FREQUENCY, next_call_window(freed, tz_name)))
    return violations


# What a collections manager may log against the rules, with a reason: a call or a
# letter (a call missed by minutes, a letter naming the practice's remedies), never a
# message (a text or an email waits until the rules allow it) nor a call after a
# request to cease communication (Regulation F: only a letter may follow it).
OVERRIDABLE_CHANNELS = frozenset({"phone_out", "letter"})


def overridable(channel, violations):
    """Whether a manager may log a contact on ``channel`` despite ``violations``."""
    if channel not in OVERRIDABLE_CHANNELS:
        return False
    return not (channel != "letter" and any(v.rule == RULE_CEASE for v in violations))
