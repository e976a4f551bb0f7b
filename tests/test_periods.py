from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from periods import (
    PERIOD_KINDS,
    Calendar,
    OutOfRange,
    Period,
    bounds_utc,
    elapsed_fraction,
    elapsed_working_days,
    fiscal_quarter_number,
    fiscal_year_label,
    in_range,
    local_date,
    neighbour,
    parse_key,
    period_at,
    period_containing,
    recent,
    shift,
    to_utc,
    working_days,
)

ROME = Calendar(timezone="Europe/Rome")
ROME_EVERY_DAY = Calendar(timezone="Europe/Rome", working_weekdays=frozenset(range(7)))
TOKYO = Calendar(timezone="Asia/Tokyo")
SUNDAY_WEEKS = Calendar(week_start=6)
APRIL_FY = Calendar(fiscal_year_start_month=4)
UTC_CAL = Calendar()

# 2026: Rome springs forward on Sunday 29 March and falls back on Sunday 25 October.
SPRING_FORWARD = date(2026, 3, 29)
FALL_BACK = date(2026, 10, 25)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def hours(period, cal):
    start, end = bounds_utc(period, cal)
    return (end - start) / timedelta(hours=1)


# Europe/Rome daylight saving


def test_spring_forward_day_in_rome_is_23_hours():
    assert hours(period_containing("day", SPRING_FORWARD, ROME), ROME) == 23


def test_fall_back_day_in_rome_is_25_hours():
    assert hours(period_containing("day", FALL_BACK, ROME), ROME) == 25


def test_ordinary_day_in_rome_is_24_hours():
    assert hours(period_containing("day", date(2026, 6, 10), ROME), ROME) == 24


def test_week_containing_spring_forward_in_rome_is_167_hours():
    week = period_containing("week", SPRING_FORWARD, ROME)

    assert week == Period("week", date(2026, 3, 23), date(2026, 3, 30))
    assert bounds_utc(week, ROME) == (utc(2026, 3, 22, 23), utc(2026, 3, 29, 22))
    assert hours(week, ROME) == 167


def test_week_containing_fall_back_in_rome_is_169_hours():
    week = period_containing("week", FALL_BACK, ROME)

    assert bounds_utc(week, ROME) == (utc(2026, 10, 18, 22), utc(2026, 10, 25, 23))
    assert hours(week, ROME) == 169


def test_bounds_are_utc_instants_of_local_midnight():
    start, end = bounds_utc(period_containing("month", date(2026, 7, 15), ROME), ROME)

    assert start.tzinfo is UTC and end.tzinfo is UTC
    assert start.astimezone(ROME.tz) == datetime(2026, 7, 1, tzinfo=ZoneInfo("Europe/Rome"))
    assert end.astimezone(ROME.tz) == datetime(2026, 8, 1, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2026, 3, 28, 22, 59, 59), date(2026, 3, 28)),  # 23:59:59 CET
        (utc(2026, 3, 28, 23, 0), SPRING_FORWARD),  # midnight CET
        (utc(2026, 3, 29, 0, 59, 59), SPRING_FORWARD),  # 01:59:59 CET, just before the jump
        (utc(2026, 3, 29, 1, 0), SPRING_FORWARD),  # 03:00 CEST, just after it
        (utc(2026, 3, 29, 21, 59, 59), SPRING_FORWARD),  # 23:59:59 CEST
        (utc(2026, 3, 29, 22, 0), date(2026, 3, 30)),  # midnight CEST
    ],
)
def test_local_date_around_spring_forward_in_rome(instant, expected):
    assert local_date(instant, ROME) == expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2026, 10, 24, 21, 59, 59), date(2026, 10, 24)),  # 23:59:59 CEST
        (utc(2026, 10, 24, 22, 0), FALL_BACK),  # midnight CEST
        (utc(2026, 10, 25, 0, 30), FALL_BACK),  # first 02:30, CEST
        (utc(2026, 10, 25, 1, 30), FALL_BACK),  # second 02:30, CET
        (utc(2026, 10, 25, 22, 59, 59), FALL_BACK),  # 23:59:59 CET
        (utc(2026, 10, 25, 23, 0), date(2026, 10, 26)),  # midnight CET
    ],
)
def test_local_date_around_fall_back_in_rome(instant, expected):
    assert local_date(instant, ROME) == expected


def test_local_date_accepts_instants_in_any_timezone():
    new_york_evening = datetime(2026, 3, 28, 19, 30, tzinfo=ZoneInfo("America/New_York"))

    assert local_date(new_york_evening, ROME) == SPRING_FORWARD


def test_local_date_rejects_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date(datetime(2026, 3, 29, 12), ROME)


def test_to_utc_reads_a_time_in_the_spring_forward_gap_with_the_offset_before_it():
    # 02:30 does not exist in Rome that night; fold=0 reads it as CET, i.e. 03:30 CEST.
    instant = to_utc(datetime(2026, 3, 29, 2, 30), ROME)

    assert instant == utc(2026, 3, 29, 1, 30)
    assert instant.astimezone(ROME.tz).hour == 3


def test_to_utc_resolves_a_repeated_fall_back_time_to_its_first_occurrence():
    assert to_utc(datetime(2026, 10, 25, 2, 30), ROME) == utc(2026, 10, 25, 0, 30)
    assert to_utc(datetime(2026, 10, 25, 2, 30, fold=1), ROME) == utc(2026, 10, 25, 1, 30)


def test_to_utc_rejects_an_aware_datetime():
    with pytest.raises(ValueError, match="naive"):
        to_utc(utc(2026, 3, 29, 12), ROME)


def test_working_hours_are_local_wall_clock_times_on_a_spring_forward_day():
    # Clocks went forward at 02:00; the working day is still 09:00 to 18:00 on the clock.
    day = period_containing("day", SPRING_FORWARD, ROME_EVERY_DAY)
    half_past_one = to_utc(datetime(2026, 3, 29, 13, 30), ROME_EVERY_DAY)

    assert half_past_one == utc(2026, 3, 29, 11, 30)  # CEST, not CET as at midnight
    assert elapsed_fraction(day, half_past_one, ROME_EVERY_DAY) == pytest.approx(0.5)
    assert elapsed_fraction(day, utc(2026, 3, 29, 7), ROME_EVERY_DAY) == 0.0  # 09:00 CEST
    assert elapsed_fraction(day, utc(2026, 3, 29, 16), ROME_EVERY_DAY) == 1.0  # 18:00 CEST


def test_working_hours_across_a_spring_forward_use_real_hours():
    # 01:00 to 05:00 on the clock are three real hours when 02:00 jumps to 03:00.
    night = ROME_EVERY_DAY.with_hours(time(1), time(5))
    day = period_containing("day", SPRING_FORWARD, night)
    three_thirty = to_utc(datetime(2026, 3, 29, 3, 30), night)

    assert elapsed_fraction(day, three_thirty, night) == pytest.approx(1.5 / 3)


def test_working_hours_across_a_fall_back_use_real_hours():
    # 01:00 to 05:00 on the clock are five real hours when 03:00 goes back to 02:00.
    night = ROME_EVERY_DAY.with_hours(time(1), time(5))
    day = period_containing("day", FALL_BACK, night)
    second_half_past_two = to_utc(datetime(2026, 10, 25, 2, 30, fold=1), night)

    assert elapsed_fraction(day, second_half_past_two, night) == pytest.approx(2.5 / 5)


def test_elapsed_working_days_in_spring_forward_week_counts_the_short_sunday_whole():
    week = period_containing("week", SPRING_FORWARD, ROME_EVERY_DAY)
    half_past_one = to_utc(datetime(2026, 3, 29, 13, 30), ROME_EVERY_DAY)

    assert elapsed_working_days(week, half_past_one, ROME_EVERY_DAY) == pytest.approx(6.5)


def test_day_starts_at_one_when_midnight_is_skipped_in_havana():
    havana = Calendar(timezone="America/Havana")
    day = period_containing("day", date(2026, 3, 8), havana)
    start, end = bounds_utc(day, havana)

    assert start.astimezone(havana.tz).hour == 1
    assert local_date(start, havana) == date(2026, 3, 8)
    assert local_date(start - timedelta(seconds=1), havana) == date(2026, 3, 7)
    assert end - start == timedelta(hours=23)


# Asia/Tokyo, UTC+9 with no daylight saving


def test_late_utc_instant_belongs_to_the_next_local_day_in_tokyo():
    assert local_date(utc(2026, 11, 23, 14, 59, 59), TOKYO) == date(2026, 11, 23)
    assert local_date(utc(2026, 11, 23, 15, 0), TOKYO) == date(2026, 11, 24)
    assert period_at("day", utc(2026, 11, 23, 18), TOKYO).start == date(2026, 11, 24)


def test_late_utc_instant_on_the_last_of_the_month_is_next_month_in_tokyo():
    assert period_at("month", utc(2026, 11, 30, 16), TOKYO).start == date(2026, 12, 1)
    assert period_at("month", utc(2026, 11, 30, 16), UTC_CAL).start == date(2026, 11, 1)


def test_tokyo_day_runs_from_15_utc_to_15_utc():
    day = period_containing("day", date(2026, 11, 24), TOKYO)

    assert bounds_utc(day, TOKYO) == (utc(2026, 11, 23, 15), utc(2026, 11, 24, 15))


def test_every_tokyo_week_of_the_year_is_168_hours():
    weeks = recent(period_containing("week", date(2026, 12, 31), TOKYO), 53, TOKYO)

    assert {hours(week, TOKYO) for week in weeks} == {168}


# Weeks


def test_week_starts_on_monday_by_default():
    week = period_containing("week", date(2026, 11, 29), UTC_CAL)  # a Sunday

    assert week == Period("week", date(2026, 11, 23), date(2026, 11, 30))
    assert week.key == "week-2026-11-23"


def test_week_starting_on_sunday_contains_the_following_saturday():
    assert period_containing("week", date(2026, 11, 22), SUNDAY_WEEKS).start == date(2026, 11, 22)
    assert period_containing("week", date(2026, 11, 25), SUNDAY_WEEKS).start == date(2026, 11, 22)
    assert period_containing("week", date(2026, 11, 28), SUNDAY_WEEKS).end == date(2026, 11, 29)
    assert period_containing("week", date(2026, 11, 29), SUNDAY_WEEKS).start == date(2026, 11, 29)


def test_period_lists_its_days_and_knows_what_it_contains():
    week = period_containing("week", date(2026, 11, 25), SUNDAY_WEEKS)

    assert week.days == [date(2026, 11, 22) + timedelta(days=i) for i in range(7)]
    assert week.contains(date(2026, 11, 28))
    assert not week.contains(date(2026, 11, 29))
    assert not week.contains(date(2026, 11, 21))


# Fiscal year starting in April


@pytest.mark.parametrize(
    ("day", "start", "end", "number"),
    [
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 7, 1), 1),
        (date(2026, 6, 30), date(2026, 4, 1), date(2026, 7, 1), 1),
        (date(2026, 8, 15), date(2026, 7, 1), date(2026, 10, 1), 2),
        (date(2026, 12, 31), date(2026, 10, 1), date(2027, 1, 1), 3),
        (date(2027, 2, 10), date(2027, 1, 1), date(2027, 4, 1), 4),
    ],
)
def test_fiscal_quarters_start_in_april(day, start, end, number):
    quarter = period_containing("quarter", day, APRIL_FY)

    assert (quarter.start, quarter.end) == (start, end)
    assert fiscal_quarter_number(quarter, APRIL_FY) == number


def test_fiscal_year_starting_in_april_runs_to_the_end_of_march():
    year = period_containing("year", date(2026, 11, 23), APRIL_FY)

    assert year == Period("year", date(2026, 4, 1), date(2027, 4, 1))
    assert year.contains(date(2027, 3, 31))
    assert not year.contains(date(2026, 3, 31))


def test_fiscal_year_is_labelled_by_the_calendar_year_it_ends_in():
    last_day_of_fy2026 = period_containing("year", date(2026, 3, 31), APRIL_FY)
    first_day_of_fy2027 = period_containing("year", date(2026, 4, 1), APRIL_FY)

    assert fiscal_year_label(last_day_of_fy2026, APRIL_FY) == 2026
    assert fiscal_year_label(first_day_of_fy2027, APRIL_FY) == 2027
    march_2027 = period_containing("month", date(2027, 3, 1), APRIL_FY)
    assert fiscal_year_label(march_2027, APRIL_FY) == 2027


def test_calendar_fiscal_year_is_labelled_by_the_calendar_year():
    year = period_containing("year", date(2026, 6, 1), UTC_CAL)

    assert year == Period("year", date(2026, 1, 1), date(2027, 1, 1))
    assert fiscal_year_label(year, UTC_CAL) == 2026
    new_years_eve = period_containing("day", date(2026, 12, 31), UTC_CAL)
    assert fiscal_quarter_number(new_years_eve, UTC_CAL) == 4


def test_fiscal_year_starting_in_december_wraps_quarters_over_new_year():
    december_fy = Calendar(fiscal_year_start_month=12)
    quarter = period_containing("quarter", date(2026, 1, 15), december_fy)

    assert quarter == Period("quarter", date(2025, 12, 1), date(2026, 3, 1))
    assert fiscal_quarter_number(quarter, december_fy) == 1
    assert fiscal_year_label(quarter, december_fy) == 2026
    first_day_of_fy2027 = period_containing("day", date(2026, 12, 1), december_fy)
    assert fiscal_year_label(first_day_of_fy2027, december_fy) == 2027


def test_april_fiscal_year_bounds_in_rome_follow_summer_time_at_both_ends():
    rome_april_fy = Calendar(timezone="Europe/Rome", fiscal_year_start_month=4)
    year = period_containing("year", date(2026, 11, 23), rome_april_fy)

    assert bounds_utc(year, rome_april_fy) == (utc(2026, 3, 31, 22), utc(2027, 3, 31, 22))


# shift and recent


@pytest.mark.parametrize(
    ("kind", "day", "steps", "expected_start"),
    [
        ("day", date(2027, 1, 1), -1, date(2026, 12, 31)),
        ("week", date(2026, 12, 28), 1, date(2027, 1, 4)),
        ("week", date(2027, 1, 4), -1, date(2026, 12, 28)),
        ("month", date(2026, 12, 10), 1, date(2027, 1, 1)),
        ("month", date(2027, 1, 10), -1, date(2026, 12, 1)),
        ("month", date(2026, 11, 10), 14, date(2028, 1, 1)),
        ("quarter", date(2026, 11, 10), 1, date(2027, 1, 1)),
        ("year", date(2026, 11, 10), -3, date(2023, 1, 1)),
        ("week", date(2026, 11, 25), 0, date(2026, 11, 23)),
    ],
)
def test_shift_moves_across_year_ends(kind, day, steps, expected_start):
    shifted = shift(period_containing(kind, day, UTC_CAL), steps, UTC_CAL)

    assert shifted == period_containing(kind, expected_start, UTC_CAL)
    assert shifted.start == expected_start


def test_shift_of_last_april_fiscal_quarter_starts_the_next_fiscal_year():
    q4 = period_containing("quarter", date(2027, 2, 10), APRIL_FY)
    next_quarter = shift(q4, 1, APRIL_FY)

    assert next_quarter == Period("quarter", date(2027, 4, 1), date(2027, 7, 1))
    assert fiscal_quarter_number(next_quarter, APRIL_FY) == 1
    assert fiscal_year_label(next_quarter, APRIL_FY) == 2028


def test_shift_rejects_a_period_that_is_not_one_of_the_calendar():
    monday_week = period_containing("week", date(2026, 11, 25), UTC_CAL)

    with pytest.raises(ValueError, match="not a week"):
        shift(monday_week, 1, SUNDAY_WEEKS)


def test_recent_lists_periods_oldest_first_ending_with_the_given_one():
    quarter = period_containing("quarter", date(2027, 2, 10), APRIL_FY)

    assert [p.start for p in recent(quarter, 4, APRIL_FY)] == [
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
        date(2027, 1, 1),
    ]


def test_recent_weeks_across_new_year_are_consecutive():
    weeks = recent(period_containing("week", date(2027, 1, 6), SUNDAY_WEEKS), 3, SUNDAY_WEEKS)

    assert [w.start for w in weeks] == [date(2026, 12, 20), date(2026, 12, 27), date(2027, 1, 3)]
    assert all(a.end == b.start for a, b in zip(weeks, weeks[1:], strict=False))


def test_recent_of_zero_is_empty_and_negative_is_rejected():
    month = period_containing("month", date(2026, 11, 1), UTC_CAL)

    assert recent(month, 0, UTC_CAL) == []
    assert recent(month, 1, UTC_CAL) == [month]
    with pytest.raises(ValueError, match="negative"):
        recent(month, -1, UTC_CAL)


# parse_key


@pytest.mark.parametrize("cal", [UTC_CAL, SUNDAY_WEEKS, APRIL_FY, TOKYO])
@pytest.mark.parametrize("kind", PERIOD_KINDS)
@pytest.mark.parametrize("day", [date(2026, 1, 1), date(2026, 3, 29), date(2026, 12, 31)])
def test_parse_key_round_trips_every_kind(cal, kind, day):
    period = period_containing(kind, day, cal)

    assert parse_key(period.key, cal) == period
    assert period.key == f"{kind}-{period.start.isoformat()}"


def test_keys_read_as_kind_and_start_date():
    assert period_containing("quarter", date(2026, 11, 23), UTC_CAL).key == "quarter-2026-10-01"
    assert parse_key("week-2026-11-23", UTC_CAL) == Period(
        "week", date(2026, 11, 23), date(2026, 11, 30)
    )


@pytest.mark.parametrize(
    "key",
    [
        "",
        "week",
        "week-",
        "2026-11-23",
        "fortnight-2026-11-23",
        "DAY-2026-11-23",
        " day-2026-11-23",
        "day-2026-11-23 ",
        "day-2026-11-23\n",
        "day-2026-11-23-extra",
        "day-20261123",
        "week-2026-W48-1",
        "day-2026-13-01",
        "day-2026-02-30",
        "day-\u0662\u0660\u0662\u0666-11-23",  # Arabic-Indic digits match \d
        "week-2026-11-24",  # a Tuesday
        "month-2026-11-02",
        "quarter-2026-11-01",
        "year-2026-04-01",  # fiscal years start in January here
    ],
)
def test_parse_key_rejects_junk_and_non_boundaries(key):
    with pytest.raises(ValueError):
        parse_key(key, UTC_CAL)


def test_parse_key_rejects_a_boundary_of_another_calendar():
    assert parse_key("year-2026-04-01", APRIL_FY).end == date(2027, 4, 1)
    with pytest.raises(ValueError, match="does not start"):
        parse_key("week-2026-11-23", SUNDAY_WEEKS)


def test_parse_key_rejects_non_strings():
    with pytest.raises(ValueError):
        parse_key(None, UTC_CAL)


# Working days


def test_working_days_default_to_monday_to_friday():
    november = period_containing("month", date(2026, 11, 1), UTC_CAL)
    days = working_days(november, UTC_CAL)

    assert len(days) == 21
    assert days[0] == date(2026, 11, 2)
    assert all(day.weekday() < 5 for day in days)


def test_working_days_follow_custom_weekdays_and_skip_days_off():
    sunday_to_thursday = Calendar(week_start=6, working_weekdays=frozenset({6, 0, 1, 2, 3}))
    week = period_containing("week", date(2026, 11, 25), sunday_to_thursday)
    days_off = frozenset({date(2026, 11, 24), date(2026, 11, 27), date(2026, 12, 1)})

    assert working_days(week, sunday_to_thursday, days_off) == [
        date(2026, 11, 22),
        date(2026, 11, 23),
        date(2026, 11, 25),
        date(2026, 11, 26),
    ]


def test_calendar_accepts_a_plain_set_of_working_weekdays():
    cal = Calendar(working_weekdays={5, 6})

    assert cal.working_weekdays == frozenset({5, 6})
    assert hash(cal) == hash(Calendar(working_weekdays=frozenset({5, 6})))


# Elapsed working time

WEEK = period_containing("week", date(2026, 11, 23), UTC_CAL)


def test_elapsed_is_zero_before_the_period_starts():
    before = utc(2026, 11, 22, 23, 59, 59)

    assert elapsed_working_days(WEEK, before, UTC_CAL) == 0.0
    assert elapsed_fraction(WEEK, before, UTC_CAL) == 0.0


def test_elapsed_is_zero_at_the_first_instant_of_the_period():
    assert elapsed_working_days(WEEK, utc(2026, 11, 23), UTC_CAL) == 0.0


def test_elapsed_counts_passed_days_and_the_worked_share_of_today():
    # 13:30 is half of a 09:00 to 18:00 day.
    wednesday_half_past_one = utc(2026, 11, 25, 13, 30)

    assert (UTC_CAL.workday_start, UTC_CAL.workday_end) == (time(9), time(18))
    assert elapsed_working_days(WEEK, wednesday_half_past_one, UTC_CAL) == pytest.approx(2.5)
    assert elapsed_fraction(WEEK, wednesday_half_past_one, UTC_CAL) == pytest.approx(0.5)


@pytest.mark.parametrize(("hour", "minute", "days"), [
    (0, 0, 2.0), (8, 30, 2.0), (9, 0, 2.0), (9, 54, 2.1), (13, 30, 2.5), (17, 6, 2.9),
    (18, 0, 3.0), (18, 1, 3.0), (23, 59, 3.0),
])
def test_nothing_of_today_is_due_before_the_working_day_and_all_of_it_by_its_end(
        hour, minute, days):
    wednesday = utc(2026, 11, 25, hour, minute)

    assert elapsed_working_days(WEEK, wednesday, UTC_CAL) == pytest.approx(days)


def test_the_last_working_day_of_a_period_is_all_due_at_its_end():
    friday_evening = utc(2026, 11, 27, 18)
    friday = period_containing("day", date(2026, 11, 27), UTC_CAL)

    assert elapsed_fraction(WEEK, friday_evening, UTC_CAL) == 1.0
    assert elapsed_fraction(friday, friday_evening, UTC_CAL) == 1.0
    assert elapsed_fraction(friday, utc(2026, 11, 27, 8, 30), UTC_CAL) == 0.0


def test_other_working_hours_pace_over_those_hours():
    early = UTC_CAL.with_hours(time(7), time(15))
    wednesday_half_past_one = utc(2026, 11, 25, 13, 30)

    assert elapsed_working_days(WEEK, wednesday_half_past_one, early) == pytest.approx(
        2 + 6.5 / 8)
    assert elapsed_working_days(WEEK, utc(2026, 11, 25, 15), early) == 3.0
    assert early.timezone == UTC_CAL.timezone and early.working_weekdays == UTC_CAL.working_weekdays


def test_a_month_counts_whole_working_days_before_today_then_todays_share():
    month = period_containing("month", date(2026, 11, 1), UTC_CAL)  # 21 working days
    # Wednesday 25th: 17 working days gone (2-6, 9-13, 16-20, 23, 24), then half of today.
    at_half_past_one = utc(2026, 11, 25, 13, 30)

    assert len(working_days(month, UTC_CAL)) == 21
    assert elapsed_fraction(month, at_half_past_one, UTC_CAL) == pytest.approx(17.5 / 21)


def test_elapsed_on_the_weekend_counts_the_whole_working_week():
    saturday = utc(2026, 11, 28, 15)

    assert elapsed_working_days(WEEK, saturday, UTC_CAL) == 5.0
    assert elapsed_fraction(WEEK, saturday, UTC_CAL) == 1.0


def test_elapsed_skips_days_off_including_today():
    days_off = frozenset({date(2026, 11, 24), date(2026, 11, 25)})
    wednesday_half_past_one = utc(2026, 11, 25, 13, 30)

    assert elapsed_working_days(WEEK, wednesday_half_past_one, UTC_CAL, days_off) == 1.0
    assert elapsed_fraction(WEEK, wednesday_half_past_one, UTC_CAL, days_off) == \
        pytest.approx(1 / 3)


def test_elapsed_is_all_working_days_once_the_period_ends():
    for after in (utc(2026, 11, 30), utc(2027, 6, 1)):
        assert elapsed_working_days(WEEK, after, UTC_CAL) == 5.0
        assert elapsed_fraction(WEEK, after, UTC_CAL) == 1.0


def test_elapsed_uses_the_calendar_timezone_for_today_and_its_hours():
    week = period_containing("week", date(2026, 11, 23), TOKYO)

    # 03:00 UTC Tuesday is noon in Tokyo: Monday done, 3 of Tuesday's 9 hours.
    assert elapsed_working_days(week, utc(2026, 11, 24, 3), TOKYO) == pytest.approx(1 + 3 / 9)
    # 16:00 UTC Tuesday is 01:00 Wednesday in Tokyo: Monday and Tuesday done, Wednesday not begun.
    assert elapsed_working_days(week, utc(2026, 11, 24, 16), TOKYO) == 2.0


def test_elapsed_fraction_is_zero_when_the_period_has_no_working_days():
    saturday = period_containing("day", date(2026, 11, 28), UTC_CAL)

    assert working_days(saturday, UTC_CAL) == []
    assert elapsed_fraction(saturday, utc(2026, 11, 28, 12), UTC_CAL) == 0.0


def test_elapsed_rejects_a_naive_now():
    with pytest.raises(ValueError, match="timezone-aware"):
        elapsed_working_days(WEEK, datetime(2026, 11, 25, 12), UTC_CAL)


# Validation


@pytest.mark.parametrize("kind", ["fortnight", "", "Week", None])
def test_unknown_kind_is_rejected(kind):
    with pytest.raises(ValueError, match="unknown period kind"):
        period_containing(kind, date(2026, 11, 23), UTC_CAL)
    with pytest.raises(ValueError, match="unknown period kind"):
        period_at(kind, utc(2026, 11, 23), UTC_CAL)
    with pytest.raises(ValueError, match="unknown period kind"):
        Period(kind, date(2026, 11, 23), date(2026, 11, 24))


def test_period_must_end_after_it_starts():
    with pytest.raises(ValueError, match="end after"):
        Period("day", date(2026, 11, 23), date(2026, 11, 23))


def test_period_containing_rejects_a_datetime():
    with pytest.raises(TypeError, match="must be a date"):
        period_containing("day", utc(2026, 11, 23, 12), UTC_CAL)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": "../etc/passwd"},
        {"week_start": 7},
        {"week_start": -1},
        {"fiscal_year_start_month": 0},
        {"fiscal_year_start_month": 13},
        {"working_weekdays": frozenset({7})},
        {"workday_start": time(18), "workday_end": time(9)},  # overnight: not supported
        {"workday_start": time(9), "workday_end": time(9)},
    ],
)
def test_calendar_rejects_invalid_settings(kwargs):
    with pytest.raises(ValueError):
        Calendar(**kwargs)


@pytest.mark.parametrize("kwargs", [
    {"workday_start": "09:00"}, {"workday_end": None},
    {"workday_start": time(9, tzinfo=UTC)},
])
def test_calendar_takes_working_hours_only_as_naive_times(kwargs):
    with pytest.raises(TypeError):
        Calendar(**kwargs)


def test_a_calendar_with_other_hours_is_another_calendar():
    early = ROME.with_hours(time(7), time(15))

    assert early != ROME and hash(early) != hash(ROME)
    assert early == Calendar(timezone="Europe/Rome", workday_start=time(7), workday_end=time(15))
    with pytest.raises(ValueError):
        ROME.with_hours(time(15), time(7))


def test_calendar_exposes_its_zoneinfo():
    assert ROME.tz == ZoneInfo("Europe/Rome")
    assert Calendar().tz == ZoneInfo("UTC")


# The ends of the calendar: Pacer shows periods from 1900 to 2999


@pytest.mark.parametrize("key", ["day-0001-01-01", "day-9999-12-31", "week-9999-12-27",
                                 "month-0001-01-01", "year-0001-01-01", "year-9998-01-01",
                                 "day-1899-12-31", "day-3000-01-01", "year-1899-01-01"])
def test_a_key_outside_the_years_shown_is_out_of_range(key):
    with pytest.raises(OutOfRange):
        parse_key(key, ROME)


def test_out_of_range_is_a_value_error_so_callers_that_only_want_a_period_still_catch_it():
    assert issubclass(OutOfRange, ValueError)


def test_a_period_with_a_day_in_the_years_shown_is_in_range():
    sunday_weeks = Calendar(week_start=6)
    assert parse_key("week-1899-12-31", sunday_weeks).end == date(1900, 1, 7)
    assert parse_key("year-1899-04-01", APRIL_FY).end == date(1900, 4, 1)
    assert parse_key("year-2999-04-01", APRIL_FY).end == date(3000, 4, 1)
    assert parse_key("day-2999-12-31", UTC_CAL).start == date(2999, 12, 31)
    assert not in_range(Period("day", date(1899, 12, 31), date(1900, 1, 1)))
    assert in_range(Period("day", date(1900, 1, 1), date(1900, 1, 2)))


def test_neighbours_stop_at_the_ends_of_the_years_shown():
    first, last = parse_key("day-1900-01-01", UTC_CAL), parse_key("year-2999-01-01", UTC_CAL)
    assert neighbour(first, -1, UTC_CAL) is None
    assert neighbour(first, 1, UTC_CAL) == parse_key("day-1900-01-02", UTC_CAL)
    assert neighbour(last, 1, UTC_CAL) is None
    assert neighbour(last, -1, UTC_CAL) == parse_key("year-2998-01-01", UTC_CAL)


@pytest.mark.parametrize("kind, day, steps", [
    ("day", date(9999, 12, 30), 1), ("day", date.min, -1), ("week", date(9999, 12, 20), 1),
    ("week", date(1, 1, 3), -1), ("month", date.min, -1), ("quarter", date(9999, 9, 30), 1),
    ("year", date(9998, 6, 1), 1), ("year", date.min, -8),
])
def test_stepping_past_year_1_or_9999_is_a_value_error_not_an_overflow(kind, day, steps):
    period = period_containing(kind, day, UTC_CAL)
    with pytest.raises(ValueError):
        shift(period, steps, UTC_CAL)
    assert neighbour(period, steps, UTC_CAL) is None


@pytest.mark.parametrize("kind", ["day", "week", "month", "quarter", "year"])
def test_a_period_that_would_end_past_9999_is_a_value_error(kind):
    with pytest.raises(ValueError):
        period_containing(kind, date.max, UTC_CAL)


ZONES = st.sampled_from(["UTC", "Europe/Rome", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
CALENDARS = st.builds(Calendar, timezone=ZONES, week_start=st.integers(0, 6),
                      fiscal_year_start_month=st.integers(1, 12))


@settings(max_examples=50, deadline=None)
@given(kind=st.sampled_from(PERIOD_KINDS), day=st.dates(), cal=CALENDARS)
def test_any_key_parses_to_a_period_or_a_value_error(kind, day, cal):
    try:
        period = parse_key(f"{kind}-{day.isoformat()}", cal)
    except ValueError:
        return
    assert in_range(period) and period.start == day


@settings(max_examples=50, deadline=None)
@given(kind=st.sampled_from(PERIOD_KINDS), cal=CALENDARS,
       day=st.one_of(st.dates(date(1899, 12, 1), date(1900, 2, 1)),
                     st.dates(date(2999, 11, 1), date(2999, 12, 31)),
                     st.dates(date(1900, 1, 1), date(2999, 12, 31))))
def test_every_step_a_screen_takes_from_a_period_shown_stays_in_the_calendar(kind, day, cal):
    """Neighbours, a trend of eight periods back, goals a year back, UTC bounds: all real."""
    period = period_containing(kind, day, cal)
    if not in_range(period):
        return
    for other in [shift(period, 1, cal), *recent(period, 8, cal)]:
        bounds_utc(other, cal)
    assert period.start - timedelta(days=367) > date.min
    for steps in (-1, 1):
        found = neighbour(period, steps, cal)
        assert found is None or (in_range(found) and found == shift(period, steps, cal))


HOURS = st.tuples(st.times(), st.times()).filter(lambda pair: pair[0] < pair[1])


@settings(max_examples=60, deadline=None)
@given(cal=CALENDARS, hours=HOURS, day=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
       kind=st.sampled_from(PERIOD_KINDS), offsets=st.lists(st.integers(0, 26 * 60), min_size=2,
                                                            max_size=6))
def test_what_is_due_never_goes_back_as_time_passes(cal, hours, day, kind, offsets):
    cal = cal.with_hours(*hours)
    period = period_containing(kind, day, cal)
    midnight = bounds_utc(period_containing("day", day, cal), cal)[0]
    moments = sorted(midnight + timedelta(minutes=minutes) for minutes in offsets)
    fractions = [elapsed_fraction(period, moment, cal) for moment in moments]

    assert all(0.0 <= fraction <= 1.0 for fraction in fractions)
    assert fractions == sorted(fractions)
