"""When an activity happened: how a typed time is read, and which times are believable.

One rule for every way a rep logs: the Today form and the phone's offline outbox
(services/sync.py) read a time the same way and accept the same range.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

# A "now" typed to the minute, or a phone clock running a little fast; further ahead than this
# is a typing mistake (tomorrow's date, the wrong hour).
FUTURE_TOLERANCE = timedelta(minutes=5)
# Older than this is not a late entry any more but a data import.
OLDEST = timedelta(days=366)

IN_FUTURE, TOO_OLD = "in_future", "too_old"

# A phone's clock that is off by more than this is corrected for (a batch says when the phone
# sent it); less is what a slow upload looks like, and shifting by it could move an activity
# logged a moment before midnight into the next day. Off by more than a day it is no clock.
CLOCK_SLACK = timedelta(minutes=1)
MAX_CLOCK_ERROR = timedelta(days=1)


def read(moment, timezone):
    """The instant a time means: one with a UTC offset as it is; a wall-clock time as typed
    (no offset) in `timezone`, the person's display timezone.

    In an hour that happens twice (autumn), the first; in one that never happens (spring),
    the offset before the change: as ZoneInfo reads it.
    """
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo(timezone))


def problem(when, now):
    """Why the instant `when` cannot be when an activity happened, or None if it can."""
    ahead = when - now
    if ahead > FUTURE_TOLERANCE:
        return IN_FUTURE
    if -ahead > OLDEST:
        return TOO_OLD
    return None


def clock_error(device_now, now):
    """How far ahead of ours a device's clock runs (negative: behind), from what it said the
    time was as it sent: zero when it said nothing, or is within the slack or past belief."""
    if device_now is None:
        return timedelta(0)
    error = device_now - now
    if abs(error) <= CLOCK_SLACK or abs(error) > MAX_CLOCK_ERROR:
        return timedelta(0)
    return error
