"""Pace and score: the edge cases every screen relies on."""

from datetime import date, time
from types import SimpleNamespace

import pytest

from periods import Calendar, Period, elapsed_fraction
from services.pace import AHEAD_AT, BEHIND_BELOW, due, elapsed, judge, pace
from services.scoring import achievement, score
from tests.conftest import at

ROME = Calendar(timezone="Europe/Rome")  # working 09:00 to 18:00
# Monday 23 to Sunday 29 November 2026.
WEEK = Period("week", date(2026, 11, 23), date(2026, 11, 30))
WEDNESDAY = Period("day", date(2026, 11, 25), date(2026, 11, 26))
# 13:30 in Rome: half of Wednesday's working hours, 2.5 of 5 working days gone.
HALF_PAST_ONE = at(2026, 11, 25, 12, 30)


def test_pace_expects_the_elapsed_share_of_the_target():
    half = elapsed_fraction(WEEK, HALF_PAST_ONE, ROME)
    assert half == pytest.approx(0.5)
    result = pace(50, 100, half)
    assert result.expected == pytest.approx(50)
    assert result.status == "on_pace" and result.ratio == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("actual", "status"),
    [(105, "ahead"), (104.9, "on_pace"), (90, "on_pace"), (89.9, "behind"), (0, "behind")],
)
def test_thresholds_are_105_and_90_percent_of_what_is_due(actual, status):
    assert (AHEAD_AT, BEHIND_BELOW) == (1.05, 0.90)
    assert pace(actual, 200, 0.5).status == status


def test_a_period_not_started_yet_is_not_judged():
    future = Period("week", date(2026, 11, 30), date(2026, 12, 7))
    fraction = elapsed_fraction(future, HALF_PAST_ONE, ROME)
    assert fraction == 0
    result = pace(0, 100, fraction)
    assert (result.expected, result.ratio, result.status) == (0, None, "not_started")
    assert achievement(result) is None
    # Anything already done before the period is due counts as ahead.
    assert pace(3, 100, fraction).status == "ahead"


def test_a_period_that_ended_is_judged_against_the_whole_target():
    past = Period("week", date(2026, 11, 16), date(2026, 11, 23))
    fraction = elapsed_fraction(past, HALF_PAST_ONE, ROME)
    assert fraction == 1
    assert pace(99, 100, fraction).expected == 100
    assert pace(99, 100, fraction).status == "on_pace"
    assert pace(80, 100, fraction).status == "behind"
    assert pace(120, 100, fraction).status == "ahead"


def test_a_zero_target_is_met_by_doing_nothing_and_beaten_by_anything():
    met = pace(0, 0, 0.5)
    assert (met.status, met.ratio) == ("on_pace", None)
    assert pace(4, 0, 0.5).status == "ahead"
    assert achievement(met) == 1.0
    assert achievement(pace(4, 0, 0.5), cap_percent=150) == 1.5


def test_no_target_means_no_status_and_no_part_in_the_score():
    result = pace(12, None, 0.5)
    assert (result.status, result.expected) == ("no_target", None)
    assert achievement(result) is None


def test_lower_is_better_treats_the_target_as_a_ceiling():
    # 10 complaints allowed this week, half of it gone: 5 allowed so far.
    assert pace(5, 10, 0.5, "lower").status == "on_pace"
    assert pace(4, 10, 0.5, "lower").status == "ahead"
    assert pace(7, 10, 0.5, "lower").status == "behind"
    assert pace(0, 10, 0.5, "lower").status == "ahead"
    assert pace(4, 10, 0.5, "lower").ratio == pytest.approx(5 / 4)


def test_lower_is_better_with_a_zero_target_or_before_the_start():
    assert pace(0, 0, 0.5, "lower").status == "on_pace"
    assert pace(1, 0, 0.5, "lower").status == "behind"
    assert pace(0, 10, 0, "lower").status == "not_started"
    assert pace(2, 10, 0, "lower").status == "behind"
    assert achievement(pace(1, 0, 0.5, "lower")) == 0.0
    assert achievement(pace(0, 10, 0.5, "lower"), cap_percent=120) == pytest.approx(1.2)


def test_a_metric_with_no_activity_is_behind_and_scores_zero_for_it():
    result = pace(0, 40, 0.5)
    assert (result.status, result.ratio) == ("behind", 0.0)
    assert achievement(result) == 0.0
    assert score([(1, achievement(result)), (1, 1.0)]) == pytest.approx(50)


def test_counted_things_are_due_whole_while_the_period_runs():
    assert due(6, 0.12, whole_units=True) == 0  # 0.72 of a demo is no demo yet
    assert due(10, 0.57, whole_units=True) == 5
    assert due(10, 0.57, "lower", whole_units=True) == 6  # an allowance rounds up
    assert due(2.9, 1.0, whole_units=True) == pytest.approx(2.9)  # at the end, the target
    assert pace(0, 6, 0.12, whole_units=True).status == "not_started"
    assert pace(0, 6, 0.12).status == "behind"


def test_days_off_stretch_a_persons_pace_over_the_days_they_work():
    # Off on Monday and Tuesday: by Wednesday 13:30 a half of their three days has gone.
    days_off = frozenset({date(2026, 11, 23), date(2026, 11, 24)})
    fraction = elapsed_fraction(WEEK, HALF_PAST_ONE, ROME, days_off)
    assert fraction == pytest.approx(0.5 / 3)
    assert pace(5, 30, fraction).expected == pytest.approx(5)


def test_a_person_who_joined_mid_period_is_paced_from_their_first_day():
    started_thursday = frozenset(WEEK.days[:3])
    assert elapsed_fraction(WEEK, HALF_PAST_ONE, ROME, started_thursday) == 0
    assert pace(0, 20, elapsed_fraction(WEEK, HALF_PAST_ONE, ROME, started_thursday)).status \
        == "not_started"


def test_a_team_is_judged_on_what_its_people_are_due():
    assert judge(30, 100, 40).status == "behind"
    assert judge(40, 100, 40).status == "on_pace"
    assert judge(0, 100, 0).status == "not_started"


def test_achievement_is_capped_per_metric():
    triple = pace(300, 100, 1.0)
    assert achievement(triple, cap_percent=150) == 1.5
    assert achievement(triple, cap_percent=100) == 1.0
    assert achievement(pace(120, 100, 1.0), cap_percent=150) == pytest.approx(1.2)


def test_score_is_weighted_and_goes_above_100_when_targets_are_beaten():
    assert score([(20, 1.5), (10, 1.0)]) == pytest.approx(100 * (30 + 10) / 30)
    assert score([(20, 1.0), (10, 0.4)]) == pytest.approx(100 * 24 / 30)
    assert score([(1, 1.2)]) == pytest.approx(120)


def test_score_leaves_out_metrics_that_cannot_count_yet_and_zero_weights():
    assert score([(10, None), (5, 0.8), (0, 0.0)]) == pytest.approx(80)
    assert score([(10, None)]) is None
    assert score([]) is None


# Working hours: a day's target is due over them, not from midnight


def test_nothing_of_the_days_target_is_due_before_the_working_day_starts():
    before_nine = at(2026, 11, 25, 7, 30)  # 08:30 in Rome
    fraction = elapsed_fraction(WEDNESDAY, before_nine, ROME)
    assert fraction == 0.0
    assert pace(0, 10, fraction, whole_units=True).expected == 0
    assert pace(0, 10, fraction, whole_units=True).status == "not_started"


def test_half_the_days_target_is_due_half_way_through_the_working_day():
    fraction = elapsed_fraction(WEDNESDAY, HALF_PAST_ONE, ROME)
    assert fraction == pytest.approx(0.5)
    assert pace(5, 10, fraction, whole_units=True).expected == 5
    assert pace(5, 10, fraction, whole_units=True).status == "on_pace"
    assert pace(3, 10, fraction, whole_units=True).status == "behind"


@pytest.mark.parametrize("utc_hour", [17, 18, 22])  # 18:00, 19:00 and 23:00 in Rome
def test_all_the_days_target_is_due_from_the_end_of_the_working_day(utc_hour):
    fraction = elapsed_fraction(WEDNESDAY, at(2026, 11, 25, utc_hour), ROME)
    assert fraction == 1.0
    assert pace(9, 10, fraction, whole_units=True).expected == 10


def test_the_week_on_wednesday_at_half_past_one_is_half_due():
    # Monday and Tuesday whole, then half of Wednesday: 2.5 of 5 working days.
    fraction = elapsed_fraction(WEEK, HALF_PAST_ONE, ROME)
    assert fraction == pytest.approx(0.5)
    assert pace(0, 50, fraction, whole_units=True).expected == 25
    # At 08:30 on Wednesday only Monday and Tuesday are due.
    assert elapsed_fraction(WEEK, at(2026, 11, 25, 7, 30), ROME) == pytest.approx(2 / 5)


def person_in(calendar):
    """Anyone whose pace runs on `calendar`, as a User's `calendar` gives it."""
    return SimpleNamespace(calendar=calendar)


def test_a_person_is_paced_by_the_hours_of_their_team():
    early = person_in(ROME.with_hours(time(7), time(15)))
    office = person_in(ROME)
    # 13:30 in Rome: 6.5 of the early team's 8 hours, half of the office's 9.
    assert elapsed(early, WEDNESDAY, HALF_PAST_ONE) == pytest.approx(6.5 / 8)
    assert elapsed(office, WEDNESDAY, HALF_PAST_ONE) == pytest.approx(0.5)
    # 15:00 in Rome: the early team's day is done.
    assert elapsed(early, WEDNESDAY, at(2026, 11, 25, 14)) == 1.0
    # Days off count as everywhere else.
    assert elapsed(early, WEEK, HALF_PAST_ONE, frozenset(WEEK.days[:2])) == pytest.approx(
        (6.5 / 8) / 3)


def test_the_working_day_keeps_to_the_clock_on_a_dst_change():
    # Rome springs forward on Sunday 29 March 2026; a calendar working every day.
    every_day = Calendar(timezone="Europe/Rome", working_weekdays=frozenset(range(7)))
    sunday = Period("day", date(2026, 3, 29), date(2026, 3, 30))
    assert elapsed_fraction(sunday, at(2026, 3, 29, 6, 30), every_day) == 0.0  # 08:30 CEST
    assert elapsed_fraction(sunday, at(2026, 3, 29, 11, 30), every_day) == pytest.approx(0.5)
    assert elapsed_fraction(sunday, at(2026, 3, 29, 16), every_day) == 1.0  # 18:00 CEST
