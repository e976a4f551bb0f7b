"""Every number the scorecard screens show for the demo organisation, recomputed straight from
the raw activity rows (not the roll-up), for every period kind: they all agree."""

import re
from collections import defaultdict
from datetime import time, timedelta

import pytest
from babel.numbers import format_percent
from sqlalchemy import select

import demo.organization
import demo.scorecards
from blueprints.scorecards.views import amount
from extensions import db
from models import Activity, DeviceOutbox, Metric, Organization, Team
from periods import PERIOD_KINDS, period_at, recent
from services import activities, lines, scorecards, target_settings
from tests.conftest import at

NOW = at(2026, 11, 25, 15, 42)  # a Wednesday afternoon
DAYS = 40
CELL = re.compile(r'data-cell="([^"]+)"\s+data-actual="([^"]*)"\s+data-target="([^"]*)"'
                  r'(?:\s+data-rollup="([^"]*)")?')


class Raw:
    """The activity rows themselves, added up the slow, obvious way."""

    def __init__(self, session):
        self.caps = {m.id: m.daily_cap for m in session.scalars(select(Metric))}
        self.keys = {m.id: m.key for m in session.scalars(select(Metric))}
        self.day_totals = defaultdict(float)
        self.day_crm = defaultdict(float)
        for row in session.scalars(select(Activity)):
            if not row.counted or row.deleted_at is not None:
                continue
            key = (row.user_id, self.keys[row.metric_id], row.local_day)
            self.day_totals[key] += row.quantity
            if row.source == "crm":
                self.day_crm[key] += row.quantity

    def _capped(self, key):
        total = self.day_totals[key]
        cap = self.caps[next(mid for mid, k in self.keys.items() if k == key[1])]
        return min(total, cap) if cap is not None else total

    def actual(self, user_ids, metric, period):
        return sum(self._capped((user, metric, day))
                   for user in user_ids for day in period.days
                   if (user, metric, day) in self.day_totals)

    def crm(self, user_ids, metric, period):
        """The CRM's share of each capped day, added up."""
        return sum(self._capped((user, metric, day)) * self.day_crm[(user, metric, day)]
                   / self.day_totals[(user, metric, day)]
                   for user in user_ids for day in period.days
                   if self.day_totals.get((user, metric, day)))


@pytest.fixture
def northwind(app, clock):
    clock.at(NOW)
    demo.organization.seed(db.session, NOW, app.config["PASSWORD_HASH_METHOD"], days=DAYS)
    demo.scorecards.seed(db.session, NOW, days=DAYS)
    organization = db.session.scalar(select(Organization))
    # A deleted activity and one waiting on a phone: neither may show up in the numbers.
    rep = next(person for person in scorecards.reps(db.session, organization.id)
               if person.email == "rep@example.com")
    latest = db.session.scalars(select(Activity).where(Activity.user_id == rep.id)
                                .order_by(Activity.occurred_at.desc())).first()
    activities.remove(db.session, latest, rep, now=NOW)
    db.session.add(DeviceOutbox(user_id=rep.id, device_id="phone", pending=4))
    db.session.commit()
    return organization


def cells(html):
    """{data-cell name: (actual, target, roll-up)} of every number on a page."""
    number = lambda text: float(text) if text else None  # noqa: E731
    return {name: (float(actual), number(target), number(rollup))
            for name, actual, target, rollup in CELL.findall(html)}


def shows(html, name, value):
    """The cell's visible text carries the number, formatted."""
    start = html.index(f'data-cell="{name}"')
    return f">{amount(value)}<" in html[start:start + 900]


def test_every_number_on_every_screen_agrees_with_the_raw_activities(northwind, auth, client,
                                                                     app):
    raw = Raw(db.session)
    calendar = northwind.calendar
    reps = scorecards.reps(db.session, northwind.id)
    teams = scorecards.org_teams(db.session, northwind.id)
    members = {team.id: [p.id for p in scorecards.reps(
        db.session, northwind.id, scorecards.subtree(teams, team.id))] for team in teams}
    metrics = [m.key for m in lines.active_metrics(db.session, northwind.id)]
    everyone = [p.id for p in reps]
    auth.sign_in("exec@example.com", password=demo.organization.PASSWORD)
    checked = 0

    def expect(found, name, user_ids, metric, period, html):
        nonlocal checked
        actual = raw.actual(user_ids, metric, period)
        assert found[name][0] == pytest.approx(actual, abs=0.01), (period.key, name)
        assert shows(html, name, found[name][0]), (period.key, name)
        checked += 1

    with app.test_request_context():
        for kind in PERIOD_KINDS:
            period = period_at(kind, NOW, calendar)
            trend_periods = recent(period, scorecards.TREND_PERIODS, calendar)

            # The rep scorecard: every metric, its CRM share and its trend.
            for rep in reps:
                html = client.get(f"/people/{rep.id}/scorecard?period={period.key}").text
                found = cells(html)
                for metric in metrics:
                    name = f"person-{rep.id}-{metric}"
                    expect(found, name, [rep.id], metric, period, html)
                    crm = raw.crm([rep.id], metric, period)
                    card = html[html.index(f'data-cell="{name}"'):]
                    card = card[:card.index("</li>")]
                    if crm > 0.0005 * found[name][0] and found[name][0]:
                        share = format_percent(crm / found[name][0], locale="en")
                        assert f"{share} from CRM" in card, (period.key, name)
                    trend = [amount(raw.actual([rep.id], metric, each))
                             for each in trend_periods]
                    assert f': {", ".join(trend)}"' in card, (period.key, name)
                if rep.email == "rep@example.com":
                    assert "4 entries waiting to sync from devices" in html

            # The team grids: each person, each team beneath, and the total row.
            for team in teams:
                html = client.get(f"/teams/{team.id}?period={period.key}").text
                found = cells(html)
                for name in found:
                    kind_, subject, metric = name.split("-", 2)
                    ids = [int(subject)] if kind_ == "person" else members[int(subject)]
                    expect(found, name, ids, metric, period, html)
                total_names = [f"team-{team.id}-{metric}" for metric in metrics]
                assert all(name in found for name in total_names)
                for metric in metrics:
                    rows = [value for name, value in found.items()
                            if name.endswith(f"-{metric}") and name != f"team-{team.id}-{metric}"]
                    targets = [target for _a, target, _r in rows if target is not None]
                    rollup = found[f"team-{team.id}-{metric}"][2]
                    # The roll-up is the sum of the rows beneath, computed, never typed.
                    assert rollup == pytest.approx(sum(targets) if targets else None)

            # The executive view, one metric's cascade at a time: the teams, then each team's
            # people as fetched when it is opened. Everyone is reached, once.
            tops = [team for team in teams if team.parent_id is None]
            for metric in metrics:
                html = client.get(f"/company?period={period.key}&metric={metric}").text
                found = cells(html)
                pages = [(found, html)]
                for url in re.findall(r'hx-get="(/company/teams/[^"]+)"', html):
                    fragment = client.get(url.replace("&amp;", "&"),
                                          headers={"HX-Request": "true"}).text
                    pages.append((cells(fragment), fragment))
                seen = []
                for page_found, page_html in pages:
                    for name in page_found:
                        kind_, subject, *rest = name.split("-", 2)
                        if kind_ == "company":  # the goals table: company-<metric>
                            expect(page_found, name, everyone, subject, period, page_html)
                            continue
                        if kind_ == "person" and rest[0] == metric:
                            seen.append(int(subject))
                        ids = [int(subject)] if kind_ == "person" else members[int(subject)]
                        expect(page_found, name, ids, rest[0], period, page_html)
                assert sorted(seen) == sorted(everyone), (period.key, metric)
                company_rollup = found[f"company-{metric}"][2]
                top_targets = [found[f"team-{team.id}-{metric}"][1] for team in tops]
                assert company_rollup == pytest.approx(
                    sum(t for t in top_targets if t is not None))
                assert "4 entries waiting to sync from devices" in html
    assert checked > 3000


def test_the_demo_has_scorecards_that_look_real(northwind, auth, client):
    """Templates for reps, company and team goals, overrides and time off, all seeded."""
    auth.sign_in("exec@example.com", password=demo.organization.PASSWORD)
    html = client.get("/company?metric=revenue").text
    found = cells(html)
    company = found["company-revenue"]
    assert company[1] == pytest.approx(1_600_000)
    assert 0.5 < company[2] / company[1] < 1.0  # the teams do not cover the whole goal yet
    milan = db.session.scalar(select(Team).where(Team.name == "Milan Field"))
    grid = client.get(f"/teams/{milan.id}").text
    statuses = set(re.findall(r'data-status="([a-z_]+)"', grid))
    assert {"ahead", "behind"} <= statuses
    # Re-seeding adds nothing and changes nothing.
    assert demo.scorecards.seed(db.session, NOW + timedelta(hours=1), days=DAYS) == (
        "Scorecards: added 0 templates, 0 goals and 0 spells of time off.")


def test_a_teams_reps_added_up_at_once_are_the_same_as_one_by_one(northwind):
    """The executive view adds each team's own reps up at once (the team roll-up, and targets
    by what they depend on); the rep scorecards work each person out alone. They agree on
    every number: actual, CRM part, target, what is due by now, waiting entries and headcount,
    for people with overrides, time off and a start date inside the period alike."""
    reps = scorecards.reps(db.session, northwind.id)
    reps[0].started_on = NOW.date() - timedelta(days=2)  # started this week
    reps[1].started_on = NOW.date() + timedelta(days=2)  # starts next week
    metrics = lines.active_metrics(db.session, northwind.id)
    retired = Metric(organization=northwind, key="retired", name="Retired", active=False)
    db.session.add(retired)
    db.session.flush()
    # Targets of their own: one with a start inside the period, one with time off too, and
    # one for a metric nobody logs any more.
    for person, metric in ((reps[0], metrics[0]), (reps[2], metrics[1]), (reps[3], metrics[0]),
                           (reps[4], retired)):
        target_settings.set_goal(db.session, northwind, level="person", subject_id=person.id,
                                 metric=metric, kind="day", value=7)
    target_settings.add_time_off(db.session, reps[3], NOW.date() - timedelta(days=1),
                                 NOW.date() + timedelta(days=1))
    # Working hours of their own: a region's, which its teams inherit, and one team's.
    teams = {team.name: team for team in scorecards.org_teams(db.session, northwind.id)}
    teams["North"].workday_start, teams["North"].workday_end = time(7), time(15)
    teams["Rome Field"].workday_start, teams["Rome Field"].workday_end = time(12), time(20)
    db.session.commit()
    assert teams["Milan Field"].calendar.workday_end == time(15)
    book_checked = 0
    for kind in PERIOD_KINDS:
        period = period_at(kind, NOW, northwind.calendar)
        view = scorecards.company_view(db.session, northwind, period, NOW)
        crowds = {line.subject.id: child for line in view.tree if line.kind == "team"
                  for child in line.children if child.kind == "people"}
        assert crowds
        for team_id, crowd in crowds.items():
            people = [scorecards.rep_scorecard(db.session, person, period, NOW).line
                      for person in scorecards.reps(db.session, northwind.id, [team_id])]
            people = [line for line in people if line.subject.team_id == team_id]
            assert crowd.headcount == len(people)
            assert crowd.pending == sum(line.pending for line in people)
            for metric in view.metrics:
                cells_ = [line.cell(metric) for line in people]
                cell = crowd.cell(metric)
                assert cell.actual == pytest.approx(sum(c.actual for c in cells_), abs=0.005)
                assert cell.crm == pytest.approx(sum(c.crm for c in cells_), abs=0.005)
                targets = [c.target for c in cells_ if c.target is not None]
                dues = [c.pace.expected for c in cells_ if c.pace.expected is not None]
                assert cell.target == (pytest.approx(sum(targets)) if targets else None)
                assert cell.pace.expected == (pytest.approx(sum(dues)) if dues else None)
                book_checked += 1
    assert book_checked > 100
