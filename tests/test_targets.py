"""Targets: which one applies, spread over working days, prorated, rolled up and suggested."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from extensions import db
from periods import Calendar, Period, period_containing
from services import activities, target_settings, target_suggestions, targets
from tests.conftest import at

ROME = Calendar(timezone="Europe/Rome")
WEEK = Period("week", date(2026, 11, 23), date(2026, 11, 30))
NOVEMBER = Period("month", date(2026, 11, 1), date(2026, 12, 1))  # 21 working days
# Monday 30 November to Sunday 6 December: one working day in November, four in December.
STRADDLING = Period("week", date(2026, 11, 30), date(2026, 12, 7))
CALLS, REVENUE, VISITS = 1, 2, 3


def item(metric_id, target, kind="week", weight=10, cap_percent=150):
    return SimpleNamespace(metric_id=metric_id, target=target, period_kind=kind, weight=weight,
                           cap_percent=cap_percent)


def template(template_id, *items, role=None):
    return SimpleNamespace(id=template_id, role=role, items=list(items))


def person(person_id=7, team_id=30, started_on=None, roles=("rep",)):
    return SimpleNamespace(id=person_id, team_id=team_id, started_on=started_on,
                           roles=frozenset(roles))


# Company 10 > region 20 > team 30; team 31 sits beside 30 in the region.
TEAMS = [SimpleNamespace(id=10, parent_id=None), SimpleNamespace(id=20, parent_id=10),
         SimpleNamespace(id=30, parent_id=20), SimpleNamespace(id=31, parent_id=20)]
REPS = template(1, item(CALLS, 10, "day"), item(REVENUE, 42000, "month"), role="rep")


def book(period, templates=(REPS,), assignments=(), goals=(), time_off=()):
    return targets.Book(ROME, period.start, period.end - timedelta(days=1), TEAMS,
                        list(templates), list(assignments), list(goals), list(time_off))


def test_a_daily_target_adds_up_over_the_working_days_of_the_period():
    assert book(WEEK).person_target(person(), CALLS, WEEK) == 50
    assert book(NOVEMBER).person_target(person(), CALLS, NOVEMBER) == 210
    day = Period("day", date(2026, 11, 28), date(2026, 11, 29))  # a Saturday
    assert book(day).person_target(person(), CALLS, day) == 0


def test_a_monthly_target_is_spread_over_the_months_working_days():
    assert book(WEEK).person_target(person(), REVENUE, WEEK) == pytest.approx(42000 * 5 / 21)
    # 1 of November's 21 working days and 4 of December's 23.
    assert book(STRADDLING).person_target(person(), REVENUE, STRADDLING) == pytest.approx(
        42000 * 1 / 21 + 42000 * 4 / 23
    )


def test_days_off_prorate_the_target():
    off = [(7, date(2026, 11, 24), date(2026, 11, 25))]
    assert book(WEEK, time_off=off).person_target(person(), CALLS, WEEK) == 30
    assert book(NOVEMBER, time_off=off).person_target(person(), REVENUE, NOVEMBER) == \
        pytest.approx(42000 * 19 / 21)
    # Someone else's time off changes nothing for this person.
    assert book(WEEK, time_off=[(8, WEEK.start, WEEK.end)]).person_target(
        person(), CALLS, WEEK) == 50


def test_a_person_who_joined_mid_period_gets_the_share_from_their_first_day():
    joined = person(started_on=date(2026, 11, 26))  # Thursday
    assert book(WEEK).person_target(joined, CALLS, WEEK) == 20
    assert book(WEEK).days_off(joined) == frozenset(WEEK.days[:3])
    not_yet = person(started_on=date(2026, 12, 1))
    assert book(WEEK).person_target(not_yet, CALLS, WEEK) == 0


def test_a_metric_outside_the_template_has_no_target():
    assert book(WEEK).person_target(person(), VISITS, WEEK) is None


def test_a_persons_override_wins_over_the_template():
    goals = [("person", None, 7, CALLS, "day", None, 14)]
    assert book(WEEK, goals=goals).person_target(person(), CALLS, WEEK) == 70
    assert book(WEEK, goals=goals).person_target(person(8), CALLS, WEEK) == 50


def test_an_override_for_one_named_period_leaves_the_others_to_the_standing_target():
    goals = [("person", None, 7, CALLS, "week", WEEK.start, 80)]
    assert book(WEEK, goals=goals).person_target(person(), CALLS, WEEK) == 80
    # In November the named week counts 80 and the other 16 working days 10 each.
    november = book(NOVEMBER, goals=goals)
    assert november.person_target(person(), CALLS, NOVEMBER) == pytest.approx(80 + 160)


def test_the_newest_of_two_identical_goals_wins():
    goals = [("person", None, 7, CALLS, "day", None, 14),
             ("person", None, 7, CALLS, "day", None, 9)]
    assert book(WEEK, goals=goals).person_target(person(), CALLS, WEEK) == 45


def test_the_nearest_team_template_wins_over_the_parents_and_the_roles():
    region = template(2, item(CALLS, 20, "day"))
    team = template(3, item(CALLS, 30, "day"))
    in_team, beside = person(team_id=30), person(team_id=31)
    only_region = book(WEEK, templates=(REPS, region), assignments=[(20, 2)])
    assert only_region.person_target(in_team, CALLS, WEEK) == 100
    assert only_region.person_target(beside, CALLS, WEEK) == 100
    both = book(WEEK, templates=(REPS, region, team), assignments=[(20, 2), (30, 3)])
    assert both.person_target(in_team, CALLS, WEEK) == 150
    assert both.person_target(beside, CALLS, WEEK) == 100
    assert both.person_target(person(team_id=None), CALLS, WEEK) == 50
    assert both.template_for_team(10) is REPS


def test_a_person_without_the_role_of_any_template_has_none():
    assert book(WEEK).template_for(person(team_id=None, roles=("manager",))) is None


def test_a_team_goal_is_spread_like_a_persons_but_over_the_organisations_days():
    goals = [("team", 30, None, REVENUE, "month", None, 210000)]
    assert book(WEEK, goals=goals).goal("team", 30, REVENUE, WEEK) == pytest.approx(50000)
    assert book(WEEK, goals=goals).goal("team", 31, REVENUE, WEEK) is None


def test_a_goal_that_covers_only_part_of_the_period_counts_as_none():
    goals = [("company", None, None, REVENUE, "week", WEEK.start, 100)]
    assert book(WEEK, goals=goals).goal("company", None, REVENUE, WEEK) == 100
    assert book(NOVEMBER, goals=goals).goal("company", None, REVENUE, NOVEMBER) is None


def test_the_kind_viewed_is_preferred_among_a_subjects_goals():
    goals = [("company", None, None, REVENUE, "month", None, 420),
             ("company", None, None, REVENUE, "week", None, 50)]
    assert book(WEEK, goals=goals).goal("company", None, REVENUE, WEEK) == 50
    assert book(NOVEMBER, goals=goals).goal("company", None, REVENUE, NOVEMBER) == 420
    quarter = period_containing("quarter", date(2026, 11, 1), ROME)
    # A quarter has no goal of its own: the finest kind there is, spread over it. Q4 2026
    # starts on a Thursday (2 of that week's 5 days), has 12 whole weeks and ends on one.
    assert book(quarter, goals=goals).goal("company", None, REVENUE, quarter) == \
        pytest.approx(50 * 2 / 5 + 50 * 12 + 50 * 4 / 5)


def test_coverage_is_what_the_level_beneath_adds_up_to_over_the_goal():
    covered = targets.Cascade(explicit=200, rollup=150)
    assert (covered.effective, covered.coverage) == (200, 0.75)
    rolled = targets.Cascade(explicit=None, rollup=150)
    assert (rolled.effective, rolled.coverage) == (150, None)
    assert targets.Cascade(explicit=0, rollup=10).coverage is None
    assert targets.add_up([None, 2, 3]) == 5 and targets.add_up([None]) is None


def test_the_suggestion_is_the_80th_percentile_of_weekly_rates():
    assert target_suggestions.percentile([1, 2, 3, 4, 5], 0.8) == pytest.approx(4.2)
    assert target_suggestions.percentile([7], 0.8) == 7
    assert target_suggestions.percentile([], 0.8) is None
    history = target_suggestions.History(rates=(8, 9, 10, 11, 12))  # per working day
    assert history.suggest("day", 5) == 11  # 11.2, rounded as a person would type it
    assert history.suggest("week", 5) == 56
    assert history.suggest("month", 5) == round(11.2 * 5 * 52 / 12)
    assert history.suggest("week", 5, direction="lower") == 44  # the 20th percentile
    assert target_suggestions.History(rates=()).suggest("week", 5) is None
    assert target_suggestions.round_target(54321) == 54300
    assert target_suggestions.round_target(3.14) == 3.1


def test_suggestions_read_the_last_12_complete_weeks_of_the_rollup(make):
    calls = make.metric("calls")
    rep = make.user("rep@example.com")
    now = at(2026, 11, 25, 10)  # this week does not count
    # Weeks before: 1 call a working day in 10 of them, 3 a day in two; the week of the
    # 16th has two days off, so its 6 calls are 2 a day.
    monday = date(2026, 8, 31)
    for week in range(12):
        per_day = 3 if week in (3, 7) else 1
        for offset in range(5):
            day = monday + timedelta(weeks=week, days=offset)
            if week == 11 and offset < 2:
                continue
            per = 2 if week == 11 else per_day
            activities.record(db.session, user=rep, metric=calls, quantity=per,
                              occurred_at=at(day.year, day.month, day.day, 9),
                              calendar=rep.organization.calendar)
    activities.record(db.session, user=rep, metric=calls, quantity=50,
                      occurred_at=at(2026, 11, 24, 9), calendar=rep.organization.calendar)
    target_settings.add_time_off(db.session, rep, date(2026, 11, 16), date(2026, 11, 17))
    db.session.commit()
    found = target_suggestions.suggestions(db.session, rep.organization, [rep], [calls], "week",
                                           now)
    rates = sorted([1] * 9 + [3, 3, 2])
    assert found[(rep.id, calls.id)] == pytest.approx(
        target_suggestions.round_target(target_suggestions.percentile(rates, 0.8) * 5)
    )
