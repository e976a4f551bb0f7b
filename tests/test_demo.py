from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

import demo.organization
from extensions import db
from models import Activity, DailyRollup, Metric, Organization, Team, User
from periods import local_date
from services import accounts

# A Wednesday afternoon in Rome; two weeks back crosses the end of summer time (25 October).
NOW = datetime(2026, 11, 4, 14, 30, tzinfo=UTC)
DEMO_LOGINS = [email for email, _ in demo.organization.LOGINS]


def seed(now=NOW, days=14):
    summary = demo.organization.seed(db.session, now, "pbkdf2:sha256:1000", days=days)
    db.session.commit()
    return summary


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def counts():
    return {model.__name__: count(model) for model in (User, Team, Metric, Activity)}


def client_ids():
    return set(db.session.scalars(select(Activity.client_id)))


def user(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_seed_demo_prints_the_logins_and_commits(runner):
    result = runner.invoke(args=["seed-demo", "--days", "3"])

    assert result.exit_code == 0, result.output
    for email in DEMO_LOGINS:
        assert email in result.output
    assert "pacer-demo" in result.output
    assert "Northwind Supplies: 7 teams" in result.output
    db.session.remove()
    assert count(User) > 30
    assert count(Activity) > 0


def test_seed_demo_refuses_outside_development(app, runner):
    app.config["DEVELOPMENT"] = False

    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code != 0
    assert "PACER_ENV=development" in result.output
    assert count(User) == 0


def test_every_demo_login_signs_in_with_the_demo_password(app):
    seed(days=1)
    method = app.config["PASSWORD_HASH_METHOD"]

    for email in DEMO_LOGINS:
        assert accounts.authenticate(db.session, email, "pacer-demo", method) is not None
    assert accounts.authenticate(db.session, "rep@example.com", "wrong password", method) is None


def test_demo_logins_have_their_roles_and_teams(app):
    seed(days=1)

    assert user("admin@example.com").roles == {"admin"}
    executive = user("exec@example.com")
    assert executive.roles == {"executive"}
    assert [team.name for team in executive.managed_teams] == ["Northwind"]
    manager = user("manager@example.com")
    assert manager.roles == {"manager"}
    assert [team.name for team in manager.managed_teams] == ["Milan Field"]
    for email in ("rep@example.com", "newhire@example.com"):
        assert user(email).roles == {"rep"}
        assert user(email).team.name == "Milan Field"


def test_full_demo_is_a_company_of_two_regions_four_teams_and_thirty_reps(app):
    summary = seed(now=datetime(2026, 11, 18, 14, 30, tzinfo=UTC), days=90)

    organization = db.session.scalar(select(Organization))
    assert (organization.name, organization.timezone) == ("Northwind Supplies", "Europe/Rome")
    assert (organization.week_start, organization.fiscal_year_start_month) == (0, 1)
    assert organization.working_weekdays == "01234"
    company = db.session.scalar(select(Team).where(Team.parent_id.is_(None)))
    assert company.name == "Northwind"
    assert [region.name for region in company.children] == ["North", "South"]
    teams = [team for region in company.children for team in region.children]
    assert len(teams) == 4
    for team in teams:
        assert len(team.managers) == 1
        assert 6 <= len(team.members) <= 9
        assert all(member.has_role("rep") for member in team.members)
    assert summary.reps == sum(len(team.members) for team in teams) == 30
    metrics = db.session.scalars(select(Metric).order_by(Metric.position)).all()
    assert [m.key for m in metrics] == [
        "calls", "visits", "demos", "proposals",
        "meetings_booked", "deals_won", "revenue", "pipeline_added",
    ]
    assert metrics[0].quality_min == 2 and metrics[0].daily_cap == 80
    assert {m.unit for m in metrics if not m.is_count} == {"EUR"}
    assert all(u.started_on is not None for u in db.session.scalars(select(User)))
    # Ninety days up to now; the first may be a weekend, when almost nobody works.
    assert summary.last_day == date(2026, 11, 18)
    assert date(2026, 8, 21) <= summary.first_day <= date(2026, 8, 23)
    assert summary.activities == summary.added > 30 * 60 * 10


def test_newhire_has_activities_only_since_their_monday_start(app):
    seed()

    newhire = user("newhire@example.com")
    assert newhire.started_on == date(2026, 11, 2)
    days = set(db.session.scalars(select(Activity.local_day).where(Activity.user == newhire)))
    assert days and min(days) >= newhire.started_on
    veteran_days = db.session.scalars(
        select(Activity.local_day).where(Activity.user == user("rep@example.com"))
    )
    assert min(veteran_days) < newhire.started_on


def test_demo_activity_looks_like_a_sales_team_at_work(app):
    seed(days=28)

    calendar = db.session.scalar(select(Organization)).calendar
    rows = db.session.scalars(select(Activity)).all()
    weekdays = [row.local_day.weekday() for row in rows]
    assert sum(day >= 5 for day in weekdays) < 0.02 * len(rows)
    assert weekdays.count(4) < weekdays.count(1)  # fewer on Fridays
    for row in rows:
        local = row.occurred_at.astimezone(calendar.tz)
        assert 8 <= local.hour <= 18
        assert row.local_day == local_date(row.occurred_at, calendar)
        assert row.occurred_at <= row.created_at <= NOW
        assert row.counted == row.metric.qualifies(row.value)
    calls = [row for row in rows if row.metric.key == "calls"]
    assert 0.05 < sum(not row.counted for row in calls) / len(calls) < 0.4
    by_source = {row.source for row in rows}
    assert by_source == {"web", "offline", "crm"}
    assert all(row.external_id for row in rows if row.source == "crm")
    revenue = [row.quantity for row in rows if row.metric.key == "revenue"]
    won = [row for row in rows if row.metric.key == "deals_won"]
    assert len(won) == len(revenue) < len(calls) / 50
    assert all(100 <= amount <= 500_000 for amount in revenue)


def test_top_performers_do_more_than_strugglers(app):
    seed()

    def activities_of(email):
        return db.session.scalar(
            select(func.count(Activity.id)).where(Activity.user == user(email))
        )

    assert activities_of("giulia.rossi@example.com") > 1.5 * activities_of(
        "simone.bruno@example.com"
    )


def test_seeding_twice_changes_nothing(app):
    seed()
    before, ids = counts(), client_ids()

    summary = seed()

    assert counts() == before
    assert client_ids() == ids
    assert summary.added == 0
    assert summary.created == dict(organization=0, teams=0, metrics=0, people=0)


def test_a_later_run_adds_the_new_days_and_what_the_last_run_had_not_reached(app):
    seed(days=7)
    first_ids = client_ids()
    later = NOW + timedelta(days=2, hours=3)

    summary = seed(now=later, days=9)

    assert first_ids < client_ids()
    assert summary.added == len(client_ids() - first_ids)
    new_days = set(db.session.scalars(
        select(Activity.local_day).where(Activity.client_id.not_in(first_ids))
    ))
    assert min(new_days) == date(2026, 11, 4) and max(new_days) == date(2026, 11, 6)
    # The top-up ends exactly where seeding from scratch at the later time would.
    topped_up = client_ids()
    db.session.execute(delete(DailyRollup))
    db.session.execute(delete(Activity))
    seed(now=later, days=9)
    assert client_ids() == topped_up


def test_every_rollup_equals_a_recount_of_its_activities(app):
    seed()
    seed(now=NOW + timedelta(hours=5))  # a top-up rebuilds them too

    recount = {
        (user_id, metric_id, day): (entries, total)
        for user_id, metric_id, day, entries, total in db.session.execute(
            select(
                Activity.user_id, Activity.metric_id, Activity.local_day,
                func.count(Activity.id), func.sum(Activity.quantity),
            )
            .where(Activity.counted.is_(True), Activity.deleted_at.is_(None))
            .group_by(Activity.user_id, Activity.metric_id, Activity.local_day)
        )
    }
    rollups = {
        (row.user_id, row.metric_id, row.day): (row.entries, row.total)
        for row in db.session.scalars(select(DailyRollup))
    }
    assert recount and rollups.keys() == recount.keys()
    for key, (entries, total) in rollups.items():
        assert entries == recount[key][0]
        assert total == pytest.approx(recount[key][1])


def test_refuses_an_email_that_belongs_to_another_organisation(make):
    make.user("rep@example.com")

    with pytest.raises(demo.organization.DemoConflict, match="rep@example.com"):
        seed(days=1)
