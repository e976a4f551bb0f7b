"""Pace: what should be done by now, and whether a number is ahead, on pace or behind."""

import math
from dataclasses import dataclass

from periods import elapsed_fraction

# Ahead from 105% of what is due by now; behind under 90%. Between the two is on pace: a
# rep a couple of calls short on a Tuesday morning is not behind.
AHEAD_AT = 1.05
BEHIND_BELOW = 0.90

STATUSES = ("ahead", "on_pace", "behind", "not_started", "no_target")


@dataclass(frozen=True)
class Pace:
    """How an actual compares with what is due by now.

    `ratio` reads the same way for both directions: above 1 is better than due. It is None
    when nothing is due yet or the target is zero, where a ratio means nothing.
    """

    target: float | None
    expected: float | None  # what should be done by now (the most allowed, when lower is better)
    ratio: float | None
    status: str


def elapsed(person, period, now, days_off=frozenset()):
    """Share (0..1) of `period` elapsed for `person` at `now`: the fraction to pace them by.

    Counted over the person's working time: the whole working days of the period before today,
    then the share of today's working hours gone (nothing before the day's start, all of it by
    its end, linear in between). The hours are their team's own, else the nearest team's above
    it, else the organisation's (`person.calendar`). `days_off` are the dates they are away in
    the period, as `services.targets.Book.days_off(person)` gives them (time off, and the days
    before they started): their pace stretches over the days they work.
    """
    return elapsed_fraction(period, now, person.calendar, days_off)


def pace(actual, target, fraction, direction="higher", whole_units=False):
    """Pace of `actual` against `target` with `fraction` (0..1) of the working time elapsed.

    For lower-is-better metrics the target is a ceiling and what is "expected by now" is the
    share of it used up so far. With whole_units (metrics that count things) what is due is
    counted in whole things: see due().
    """
    if target is None:
        return Pace(None, None, None, "no_target")
    return judge(actual, target, due(target, fraction, direction, whole_units), direction)


def due(target, fraction, direction="higher", whole_units=False):
    """What should be done by now (or, lower is better, the most allowed by now).

    Counted things are due whole while the period runs: 0.7 of a demo due on a Monday morning
    is no demo yet, and 5.7 calls are 5, so nobody is "behind" for a fraction of a call. The
    allowance of a lower-is-better count rounds up, for the same reason.
    """
    fraction = min(1.0, max(0.0, fraction))
    expected = target * fraction
    if whole_units and fraction < 1:
        expected = (math.floor(expected + 1e-9) if direction == "higher"
                    else math.ceil(expected - 1e-9))
    return float(expected)


def judge(actual, target, expected, direction="higher"):
    """Pace of `actual` when `expected` of `target` is due by now.

    A team without a goal of its own is due what its people are due, which need not be one
    fraction of the whole (their days off differ), hence this form.
    """
    if target is None:
        return Pace(None, None, None, "no_target")
    if direction == "lower":
        return Pace(target, expected, *_lower(actual, target, expected))
    return Pace(target, expected, *_higher(actual, target, expected))


def _higher(actual, target, expected):
    if expected > 0:
        ratio = actual / expected
        return ratio, _by_ratio(ratio)
    if actual > 0:
        return None, "ahead"  # done before any of it was due
    if target == 0:
        return None, "on_pace"  # nothing asked, nothing done
    return None, "not_started"


def _lower(actual, target, expected):
    if actual > 0:
        if expected == 0:
            return None, "behind"  # used some of an allowance of nothing
        ratio = expected / actual
        return ratio, _by_ratio(ratio)
    if expected > 0:
        return None, "ahead"
    if target == 0:
        return None, "on_pace"
    return None, "not_started"


def _by_ratio(ratio):
    if ratio >= AHEAD_AT:
        return "ahead"
    if ratio < BEHIND_BELOW:
        return "behind"
    return "on_pace"


def whole_target(target, metric):
    """A target as shown and judged: of a metric that counts things, the whole number it takes.

    A prorated target of 2.7 proposals asks for 3 (reaching 3 meets it, 2 does not); the
    allowance of a lower-is-better count rounds down for the same reason. Sums stay as they are.
    """
    if target is None or not metric.is_count:
        return target
    if metric.direction == "lower":
        return float(math.floor(target + 1e-9))
    return float(math.ceil(target - 1e-9))
