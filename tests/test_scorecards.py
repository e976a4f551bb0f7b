"""Scorecard screens: the rep's own, the team grid, the company view and the drill-down."""

import re
from datetime import date, time
from types import SimpleNamespace

import pytest

import periods
from extensions import db
from models import DeviceOutbox, User
from services import activities, scorecards, target_settings
from tests.conftest import at, csrf_token

NOW = at(2026, 11, 25, 12, 30)  # Wednesday 13:30 in Rome: half of a 09:00-18:00 day
WEEK_KEY = "week-2026-11-23"


@pytest.fixture(autouse=True)
def fixed_clock(clock):
    clock.at(NOW)


@pytest.fixture
def org(make):
    """HQ > Sales (led by Mara) > Field (Ada, Bo); HQ > Other (led by Olga, with Cy)."""
    calls = make.metric("calls", position=1)
    revenue = make.metric("revenue", kind="lagging", aggregation="sum", unit="EUR", position=2)
    hq = make.team("HQ")
    mara = make.user("mara@example.com", roles=("manager",))
    olga = make.user("olga@example.com", roles=("manager",))
    sales = make.team("Sales", parent=hq, managers=[mara])
    field = make.team("Field", parent=sales)
    other = make.team("Other", parent=hq, managers=[olga])
    ada = make.user("ada@example.com", team=field, name="Ada")
    bo = make.user("bo@example.com", team=field, name="Bo")
    cy = make.user("cy@example.com", team=other, name="Cy")
    make.user("exec@example.com", roles=("executive",))
    make.user("admin@example.com", roles=("admin",))
    target_settings.save_template(
        db.session, make.organization, None, name="Reps", role="rep", teams=[],
        items=[dict(metric_id=calls.id, weight=20, cap_percent=150, period_kind="day",
                    target=10),
               dict(metric_id=revenue.id, weight=10, cap_percent=150, period_kind="month",
                    target=21000)],
    )
    db.session.commit()
    return SimpleNamespace(calls=calls, revenue=revenue, hq=hq, sales=sales, field=field,
                           other=other, ada=ada, bo=bo, cy=cy, mara=mara, olga=olga,
                           organization=make.organization)


def log(person, metric, when, quantity=1, source="web", **fields):
    activities.record(db.session, user=person, metric=metric, occurred_at=when,
                      quantity=quantity, source=source, calendar=person.organization.calendar,
                      external_id=fields.pop("external_id", None), **fields)
    db.session.commit()


def cell(html, name):
    """(actual, target) in the data attributes of the element named `name`."""
    match = re.search(rf'data-cell="{re.escape(name)}"\s+data-actual="([^"]*)"'
                      rf'\s+data-target="([^"]*)"', html)
    assert match, f"no cell {name}"
    return float(match[1]), (float(match[2]) if match[2] else None)


def cell_html(html, name):
    """The markup of a cell up to the end of its status."""
    start = html.index(f'data-cell="{name}"')
    icon_end = html.index("</span>", html.index("data-status", start))
    return html[start:html.index("</span>", icon_end + 1) + len("</span>")]


# The rep's own scorecard


def test_rep_sees_their_scorecard_with_actual_target_pace_and_score(org, auth, client):
    log(org.ada, org.calls, at(2026, 11, 23, 9), quantity=12)
    log(org.ada, org.calls, at(2026, 11, 24, 9), quantity=18)
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard")
    assert page.status_code == 200 and "<html" in page.text
    assert "HX-Request" in page.headers["Vary"]
    assert cell(page.text, f"person-{org.ada.id}-calls") == (30, 50)
    # 25 calls due by Wednesday noon; 30 is 120%.
    assert 'data-status="ahead"' in cell_html(page.text, f"person-{org.ada.id}-calls")
    assert "Ahead" in page.text and "Due by now: 25" in page.text
    assert cell(page.text, f"person-{org.ada.id}-revenue") == (0, 5000)
    assert 'data-status="behind"' in cell_html(page.text, f"person-{org.ada.id}-revenue")
    # calls count 20 x 1.2, revenue 10 x 0: (24 + 0) / 30.
    assert 'data-score="80.0"' in page.text
    assert '<svg class="spark"' in page.text and "Last 8 weeks" in page.text
    assert "As of" in page.text


def test_the_scorecard_fragment_has_no_layout_and_varies(org, auth, client):
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard", headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "<html" not in page.text and page.text.lstrip().startswith("<div id=\"scorecard\"")
    assert "HX-Request" in page.headers["Vary"]
    restored = client.get("/scorecard", headers={"HX-Request": "true",
                                                 "HX-History-Restore-Request": "true"})
    assert "<html" in restored.text


def test_the_period_switcher_keeps_its_state_in_the_url(org, auth, client):
    log(org.ada, org.calls, at(2026, 11, 3, 9), quantity=7)
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard?period=month-2026-11-01")
    assert "November 2026" in page.text
    assert cell(page.text, f"person-{org.ada.id}-calls") == (7, 210)
    assert 'href="/scorecard?period=month-2026-10-01"' in page.text  # previous
    assert 'href="/scorecard?period=week-2026-11-23"' in page.text  # back to now
    assert 'hx-push-url="true"' in page.text
    earlier = client.get("/scorecard?period=week-2026-11-02")
    assert cell(earlier.text, f"person-{org.ada.id}-calls")[0] == 7
    assert "Missed" in earlier.text  # an ended period says so
    ahead = client.get("/scorecard?period=week-2026-11-30")
    assert "Nothing due yet" in ahead.text and "has not started yet" in ahead.text


@pytest.mark.parametrize("key", ["bogus", "week-2026-11-24", "month-2026-13-01", "day-x"])
def test_a_bad_period_key_is_a_400_that_says_why(org, auth, client, key):
    auth.sign_in("ada@example.com")
    page = client.get(f"/scorecard?period={key}")
    assert page.status_code == 400
    assert "is not a period" in page.text and "week-2026-11-23" in page.text


def test_time_off_shows_and_shrinks_the_target(org, auth, client):
    target_settings.add_time_off(db.session, org.ada, date(2026, 11, 26), date(2026, 11, 27))
    db.session.commit()
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard")
    assert cell(page.text, f"person-{org.ada.id}-calls")[1] == 30
    assert "2 working days off in this period" in page.text


def test_the_team_grid_says_whose_targets_are_reduced_and_why(org, auth, client):
    target_settings.add_time_off(db.session, org.ada, date(2026, 11, 26), date(2026, 11, 27))
    org.bo.started_on = date(2026, 11, 25)
    db.session.commit()
    auth.sign_in("mara@example.com")
    page = client.get(f"/teams/{org.field.id}?period={WEEK_KEY}").text
    row = lambda person: re.search(  # noqa: E731
        rf'<tr data-row="person-{person.id}".*?</th>', page, re.S).group(0)
    assert "2 days off" in row(org.ada) and "Started" not in row(org.ada)
    assert "Started Nov 25" in row(org.bo) and "day off" not in row(org.bo)
    assert cell(page, f"person-{org.ada.id}-calls")[1] == 30
    assert "has targets reduced to match" in page


def test_numbers_say_what_waits_on_devices_and_came_from_the_crm(org, auth, client):
    log(org.ada, org.revenue, at(2026, 11, 24, 9), quantity=3000, source="crm",
        external_id="deal-1")
    log(org.ada, org.revenue, at(2026, 11, 24, 10), quantity=1000)
    db.session.add(DeviceOutbox(user_id=org.ada.id, device_id="phone", pending=3))
    db.session.commit()
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard")
    assert "3 entries waiting to sync from devices" in page.text
    assert "75% from CRM" in page.text


def test_today_links_to_the_scorecard_in_one_tap(org, auth, client):
    auth.sign_in("ada@example.com")
    assert 'href="/scorecard"' in client.get("/today").text


def test_a_rep_sees_only_their_own_numbers(org, auth, client):
    log(org.bo, org.calls, at(2026, 11, 24, 9))
    auth.sign_in("ada@example.com")
    assert client.get(f"/people/{org.ada.id}/scorecard").status_code == 200
    assert client.get(f"/people/{org.bo.id}/scorecard").status_code == 404
    assert client.get(f"/teams/{org.field.id}").status_code == 403
    assert client.get("/teams").status_code == 403
    assert client.get("/company").status_code == 403
    assert client.get(f"/activities?person={org.bo.id}&metric=calls").status_code == 404
    assert client.get(f"/activities?team={org.field.id}&metric=calls").status_code == 403
    assert client.get("/activities?metric=calls").status_code == 403
    assert client.get(f"/activities?person={org.ada.id}&metric=calls").status_code == 200


def test_someone_without_the_rep_role_has_no_scorecard_of_their_own(org, auth, client):
    auth.sign_in("mara@example.com")
    assert client.get("/scorecard").status_code == 403


# The team grid


def test_manager_sees_the_team_grid_with_a_total_row(org, auth, client):
    log(org.ada, org.calls, at(2026, 11, 24, 9), quantity=30)
    log(org.bo, org.calls, at(2026, 11, 24, 9), quantity=10)
    log(org.cy, org.calls, at(2026, 11, 24, 9), quantity=99)
    auth.sign_in("mara@example.com")
    page = client.get(f"/teams/{org.field.id}")
    assert page.status_code == 200 and "<html" in page.text
    assert cell(page.text, f"person-{org.ada.id}-calls") == (30, 50)
    assert cell(page.text, f"person-{org.bo.id}-calls") == (10, 50)
    assert cell(page.text, f"team-{org.field.id}-calls") == (40, 100)
    assert "Team total" in page.text and "Cy" not in page.text
    # Colour is never the only signal.
    assert "▲ Ahead" in re.sub(r"<[^>]+>", "", cell_html(page.text, f"person-{org.ada.id}-calls"))
    assert "▼ Behind" in re.sub(r"<[^>]+>", "", cell_html(page.text, f"person-{org.bo.id}-calls"))


def test_the_team_grid_fragment_has_no_layout_and_varies(org, auth, client):
    auth.sign_in("mara@example.com")
    page = client.get(f"/teams/{org.field.id}?period={WEEK_KEY}", headers={"HX-Request": "true"})
    assert page.status_code == 200 and "<html" not in page.text
    assert 'id="team-grid"' in page.text and "HX-Request" in page.headers["Vary"]


def test_a_parent_teams_grid_rolls_up_the_teams_beneath(org, auth, client):
    log(org.ada, org.calls, at(2026, 11, 24, 9), quantity=30)
    auth.sign_in("mara@example.com")
    page = client.get(f"/teams/{org.sales.id}")
    assert cell(page.text, f"team-{org.field.id}-calls") == (30, 100)
    assert cell(page.text, f"team-{org.sales.id}-calls") == (30, 100)


def test_the_team_grid_sorts_by_a_metric(org, auth, client):
    log(org.bo, org.calls, at(2026, 11, 24, 9), quantity=30)
    log(org.ada, org.calls, at(2026, 11, 24, 9), quantity=10)
    auth.sign_in("mara@example.com")
    by_name = client.get(f"/teams/{org.field.id}").text
    ada, bo = f'data-row="person-{org.ada.id}"', f'data-row="person-{org.bo.id}"'
    assert by_name.index(ada) < by_name.index(bo)
    by_calls = client.get(f"/teams/{org.field.id}?sort=calls&order=desc").text
    assert by_calls.index(bo) < by_calls.index(ada)
    assert 'aria-sort="descending"' in by_calls
    assert client.get(f"/teams/{org.field.id}?sort=height").status_code == 400
    assert client.get(f"/teams/{org.field.id}?sort=calls&order=up").status_code == 400


def test_a_manager_sees_only_the_teams_they_lead_and_those_beneath(org, auth, client):
    auth.sign_in("mara@example.com")
    assert client.get(f"/teams/{org.other.id}").status_code == 404
    assert client.get(f"/teams/{org.hq.id}").status_code == 404
    assert client.get("/teams/999999").status_code == 404
    assert client.get(f"/people/{org.ada.id}/scorecard").status_code == 200
    assert client.get(f"/people/{org.cy.id}/scorecard").status_code == 404
    assert client.get(f"/activities?team={org.other.id}&metric=calls").status_code == 404
    assert client.get("/company").status_code == 403
    assert client.get("/teams").headers["Location"] == f"/teams/{org.sales.id}"


# The executive view


def test_executive_sees_company_goals_cascading_to_teams_and_people(org, auth, client):
    log(org.ada, org.revenue, at(2026, 11, 24, 9), quantity=4000)
    log(org.cy, org.revenue, at(2026, 11, 24, 9), quantity=6000)
    auth.sign_in("exec@example.com")
    page = client.get("/company?metric=revenue")
    assert page.status_code == 200 and "<html" in page.text
    assert cell(page.text, "company-revenue")[0] == 10000
    assert cell(page.text, f"team-{org.hq.id}-revenue") == (10000, 63000)
    assert cell(page.text, f"team-{org.other.id}-revenue") == (6000, 21000)
    assert "Revenue by team" in page.text
    fragment = client.get("/company?metric=revenue", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="company"' in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert client.get("/company?metric=nope").status_code == 404
    assert client.get(f"/teams/{org.other.id}").status_code == 200


def test_executive_opens_a_team_to_see_its_people(org, auth, client):
    """The company view lists teams only; a team's people load when it is opened."""
    log(org.cy, org.revenue, at(2026, 11, 24, 9), quantity=6000)
    log(org.ada, org.revenue, at(2026, 11, 24, 9), quantity=2000)
    auth.sign_in("exec@example.com")
    page = client.get("/company?metric=revenue").text
    assert f"person-{org.cy.id}-" not in page
    url = f"/company/teams/{org.other.id}?period=month-2026-11-01&amp;metric=revenue"
    assert f'hx-get="{url}"' in page and "1 rep</summary>" in page
    # Without JavaScript the team's name leads to its grid, where its people are.
    assert f'href="/teams/{org.other.id}?period=month-2026-11-01"' in page
    fragment = client.get(url.replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert cell(fragment.text, f"person-{org.cy.id}-revenue") == (6000, 21000)
    assert "depth-3" in fragment.text and "75%" in fragment.text  # 6,000 of the 8,000
    full = client.get(url.replace("&amp;", "&"))
    assert "<html" in full.text and cell(full.text, f"person-{org.cy.id}-revenue")[0] == 6000
    assert client.get(f"/company/teams/{org.other.id}").status_code == 400
    assert client.get(f"/company/teams/{org.other.id}?metric=nope").status_code == 404
    assert client.get("/company/teams/999999?metric=revenue").status_code == 404
    auth.sign_out()
    auth.sign_in("mara@example.com")
    assert client.get(f"/company/teams/{org.field.id}?metric=revenue").status_code == 403


def test_nobody_drops_out_of_the_company_total_when_a_team_is_retired(org, auth, client):
    for person, amount in ((org.ada, 4000), (org.cy, 6000)):
        log(person, org.revenue, at(2026, 11, 24, 9), quantity=amount)
    org.hq.active = False
    org.other.active = False
    db.session.commit()
    auth.sign_in("exec@example.com")
    page = client.get("/company?metric=revenue").text
    assert cell(page, "company-revenue")[0] == 10000
    assert cell(page, f"team-{org.sales.id}-revenue")[0] == 4000  # now a top team
    assert cell(page, f"person-{org.cy.id}-revenue")[0] == 6000  # in no active team
    assert f"team-{org.hq.id}-" not in page


def rollup_shown(client, metric="revenue"):
    page = client.get(f"/company?metric={metric}").text
    match = re.search(rf'data-cell="company-{metric}"[^>]*data-rollup="([^"]*)"', page)
    return float(match[1])


def test_changing_a_teams_goal_changes_the_company_rollup(org, auth, client):
    auth.sign_in("exec@example.com")
    assert rollup_shown(client) == 63000  # three reps at 21,000 a month
    page = client.get(f"/goals/teams/{org.other.id}?kind=month")
    assert page.status_code == 200
    response = auth.post(f"/goals/teams/{org.other.id}?kind=month",
                         {f"m{org.revenue.id}": "50000"}, page="/goals")
    assert response.status_code == 302
    assert rollup_shown(client) == 42000 + 50000
    # The team's grid is judged against its goal, and shows how much its people cover.
    grid = client.get(f"/teams/{org.other.id}?period=month-2026-11-01").text
    assert cell(grid, f"team-{org.other.id}-revenue")[1] == 50000
    assert "42% of the goal assigned" in grid
    auth.post(f"/goals/teams/{org.other.id}?kind=month", {f"m{org.revenue.id}": ""},
              page="/goals")
    assert rollup_shown(client) == 63000


def test_the_company_goal_is_shown_beside_what_the_teams_add_up_to(org, auth, client):
    auth.sign_in("exec@example.com")
    auth.post("/goals/company?kind=month", {f"m{org.revenue.id}": "84000"}, page="/goals")
    page = client.get("/company?period=month-2026-11-01&metric=revenue").text
    assert cell(page, "company-revenue")[1] == 84000
    assert re.search(r'data-rollup="63000(\.0)?"', page)
    assert "75%" in page


def test_a_persons_override_wins_over_the_team_template(org, auth, client, make):
    field_template = target_settings.save_template(
        db.session, org.organization, None, name="Field", role=None, teams=[org.field],
        items=[dict(metric_id=org.calls.id, weight=1, cap_percent=150, period_kind="day",
                    target=12)],
    )
    db.session.commit()
    auth.sign_in("mara@example.com")
    grid = client.get(f"/teams/{org.field.id}").text
    assert cell(grid, f"person-{org.ada.id}-calls")[1] == 60  # the team template's 12 a day
    response = auth.post(f"/goals/people/{org.ada.id}?kind=day",
                         {f"m{org.calls.id}": "20"}, page="/goals")
    assert response.status_code == 302
    grid = client.get(f"/teams/{org.field.id}").text
    assert cell(grid, f"person-{org.ada.id}-calls")[1] == 100
    assert cell(grid, f"person-{org.bo.id}-calls")[1] == 60
    assert cell(grid, f"team-{org.field.id}-calls")[1] == 160
    assert field_template.id


# The activities behind a number


def test_drill_down_lists_the_activities_behind_a_number(org, auth, client):
    log(org.ada, org.calls, at(2026, 11, 24, 9), quantity=2, note="Rossi, follow-up")
    log(org.ada, org.calls, at(2026, 11, 16, 9), quantity=5, note="Last week")
    log(org.bo, org.calls, at(2026, 11, 24, 9), quantity=3, note="Bo's call")
    auth.sign_in("mara@example.com")
    page = client.get(f"/activities?person={org.ada.id}&metric=calls&period={WEEK_KEY}")
    assert page.status_code == 200
    assert "Rossi, follow-up" in page.text and "Last week" not in page.text
    assert "Bo&#39;s call" not in page.text and 'data-total="2' in page.text
    team = client.get(f"/activities?team={org.field.id}&metric=calls&period={WEEK_KEY}")
    assert "Bo&#39;s call" in team.text and 'data-total="5' in team.text
    fragment = client.get(f"/activities?team={org.field.id}&metric=calls",
                          headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "HX-Request" in fragment.headers["Vary"]


def test_drill_down_says_what_the_daily_cap_and_quality_gate_left_out(make, auth, client):
    calls = make.metric("calls", daily_cap=3, quality_min=2)
    rep = make.user("rep@example.com")
    for minutes in (5, 5, 5, 5, 1):
        log(rep, calls, at(2026, 11, 24, 9), value=minutes)
    auth.sign_in("rep@example.com")
    page = client.get(f"/activities?person={rep.id}&metric=calls&period={WEEK_KEY}").text
    assert "Total 3, from 4 activities." in page
    assert "Each day counts up to 3; what was logged above that (1) is left out." in page
    assert "1 more was logged but does not count: it is under the minimum of 2" in page
    one = client.get(f"/activities?person={rep.id}&metric=calls&period=day-2026-11-24").text
    assert "from 4 activities." in one
    log(rep, calls, at(2026, 11, 25, 9), value=5)
    today = client.get(f"/activities?person={rep.id}&metric=calls&period=day-2026-11-25").text
    assert "from 1 activity." in today


@pytest.mark.parametrize("query", ["person=abc&metric=calls", "team=1.5&metric=calls",
                                   "metric=", "person={ada}", "person={ada}&metric=calls&page=x"])
def test_bad_drill_down_parameters_are_400s(org, auth, client, query):
    auth.sign_in("exec@example.com")
    response = client.get("/activities?" + query.format(ada=org.ada.id))
    assert response.status_code == 400


def test_drill_down_of_an_unknown_metric_is_404(org, auth, client):
    auth.sign_in("exec@example.com")
    assert client.get("/activities?metric=nope").status_code == 404


# Landing


@pytest.mark.parametrize(
    ("email", "landing"),
    [("exec@example.com", "/company"), ("mara@example.com", "/teams"),
     ("ada@example.com", "/today"), ("admin@example.com", "/admin/users")],
)
def test_each_person_lands_on_the_screen_they_come_for(org, auth, client, email, landing):
    auth.sign_in(email)
    assert client.get("/").headers["Location"] == landing


def test_someone_added_today_is_judged_from_today_and_the_page_says_so(org, auth, client):
    """Added on Wednesday without a start date: they start that day, nothing is due from them
    on Monday and Tuesday, and their scorecard says why their week's target is smaller."""
    auth.sign_in("admin@example.com")
    page = client.get("/admin/users/new")
    added = client.post("/admin/users/new", data={
        "csrf_token": csrf_token(page.text), "name": "Nina New", "email": "nina@example.com",
        "roles": ["rep"], "team_id": str(org.field.id), "started_on": "", "locale": "",
        "timezone": "", "active": "y", "password": "a long enough password",
    })
    assert added.status_code == 302
    nina = db.session.scalar(db.select(User).where(User.email == "nina@example.com"))
    assert nina.started_on == date(2026, 11, 25)  # the day she was added, in Rome
    auth.sign_out()
    auth.sign_in("nina@example.com", password="a long enough password")
    week = client.get(f"/scorecard?period={WEEK_KEY}").text
    # Wednesday to Friday of a 10-calls-a-day template: 30, not 50.
    assert cell(week, f"person-{nina.id}-calls")[1] == 30
    assert "Started on Wed, Nov 25: targets count from that day." in week
    assert "working day off" not in week
    before = client.get("/scorecard?period=day-2026-11-24").text  # the day before she started
    assert cell(before, f"person-{nina.id}-calls")[1] == 0


# Working hours: pace runs over them, not from midnight

DAY_KEY = "day-2026-11-25"


def due_now(html, name):
    """The "Due by now" a cell says, and its status."""
    start = html.index(f'data-cell="{name}"')
    end = html.index("</li>", start)
    due = re.search(r"Due by now: ([0-9.,]+)", html[start:end])
    status = re.search(r'data-status="([a-z_]+)"', html[start:end])
    return (float(due[1].replace(",", "")) if due else None), status[1]


@pytest.mark.parametrize(("utc_hour", "utc_minute", "due_today", "due_this_week"), [
    (7, 30, 0, 20),  # 08:30 in Rome: nothing of today yet, Monday and Tuesday are
    (8, 0, 0, 20),  # 09:00: the working day starts
    (12, 30, 5, 25),  # 13:30: half of a 09:00 to 18:00 day
    (17, 0, 10, 30),  # 18:00: all of today
    (21, 0, 10, 30),  # 22:00: still all of today, not more
])
def test_the_rep_scorecard_paces_today_over_the_working_hours(
        org, auth, client, clock, utc_hour, utc_minute, due_today, due_this_week):
    clock.at(at(2026, 11, 25, utc_hour, utc_minute))
    auth.sign_in("ada@example.com")
    name = f"person-{org.ada.id}-calls"
    day = client.get(f"/scorecard?period={DAY_KEY}").text
    week = client.get(f"/scorecard?period={WEEK_KEY}").text
    assert cell(day, name) == (0, 10)
    assert due_now(day, name) == (due_today, "not_started" if due_today == 0 else "behind")
    assert due_now(week, name) == (due_this_week, "behind")


def test_a_call_logged_before_the_working_day_is_ahead(org, auth, client, clock):
    clock.at(at(2026, 11, 25, 7, 30))  # 08:30 in Rome
    log(org.ada, org.calls, at(2026, 11, 25, 7, 15))
    auth.sign_in("ada@example.com")
    day = client.get(f"/scorecard?period={DAY_KEY}").text
    assert due_now(day, f"person-{org.ada.id}-calls") == (0, "ahead")


def test_a_team_with_its_own_hours_paces_its_people_by_them(org, auth, client):
    org.field.workday_start, org.field.workday_end = time(7), time(15)
    db.session.commit()
    auth.sign_in("ada@example.com")
    day = client.get(f"/scorecard?period={DAY_KEY}").text
    # 13:30 is 6.5 of Field's 8 hours from 07:00: 8.125 calls, 8 whole ones.
    assert due_now(day, f"person-{org.ada.id}-calls") == (8, "behind")
    auth.sign_out()
    auth.sign_in("cy@example.com")  # in Other, on the organisation's 09:00 to 18:00
    day = client.get(f"/scorecard?period={DAY_KEY}").text
    assert due_now(day, f"person-{org.cy.id}-calls") == (5, "behind")


def test_a_team_without_its_own_hours_keeps_those_of_the_team_above(org, auth, client):
    org.sales.workday_start, org.sales.workday_end = time(7), time(15)
    org.organization.workday_start, org.organization.workday_end = time(10), time(19)
    db.session.commit()
    assert org.field.calendar.workday_start == time(7)  # Field sits in Sales
    assert org.other.calendar.workday_start == time(10)  # Other, in HQ: the organisation's
    auth.sign_in("ada@example.com")
    day = client.get(f"/scorecard?period={DAY_KEY}").text
    assert due_now(day, f"person-{org.ada.id}-calls") == (8, "behind")
    auth.sign_out()
    auth.sign_in("cy@example.com")  # 13:30 is 3.5 of 10:00 to 19:00's 9 hours: 3.9 calls
    day = client.get(f"/scorecard?period={DAY_KEY}").text
    assert due_now(day, f"person-{org.cy.id}-calls") == (3, "behind")


def test_the_team_grid_adds_up_what_each_person_is_due_by_their_hours(org, auth, client):
    org.field.workday_start, org.field.workday_end = time(7), time(15)
    db.session.commit()
    auth.sign_in("exec@example.com")
    page = client.get(f"/teams/{org.hq.id}?period={DAY_KEY}")
    assert page.status_code == 200
    grid = scorecards.team_grid(db.session, org.hq, periods.parse_key(
        DAY_KEY, org.organization.calendar), NOW)
    by_team = {line.subject.name: line.cell(org.calls).pace.expected for line in grid.rows}
    # Sales: Ada and Bo in Field at 8 each; Other: Cy at 5.
    assert by_team == {"Sales": 16, "Other": 5}
    assert grid.total.cell(org.calls).pace.expected == 21


def test_a_teams_own_goal_is_due_over_the_teams_hours(org):
    org.field.workday_start, org.field.workday_end = time(7), time(15)
    target_settings.set_goal(db.session, org.organization, level="team", metric=org.calls,
                             kind="day", value=40, subject_id=org.field.id)
    db.session.commit()
    day = periods.parse_key(DAY_KEY, org.organization.calendar)
    grid = scorecards.team_grid(db.session, org.field, day, NOW)
    assert grid.total.cell(org.calls).pace.expected == 32  # 6.5 / 8 of 40 is 32.5
    assert grid.timing.fraction == pytest.approx(6.5 / 8)


def test_changed_working_hours_show_at_once_on_a_kept_page(org, auth, client):
    auth.sign_in("ada@example.com")
    name = f"person-{org.ada.id}-calls"
    assert due_now(client.get(f"/scorecard?period={DAY_KEY}").text, name)[0] == 5
    version = org.organization.settings_version
    org.field.workday_start, org.field.workday_end = time(7), time(15)
    db.session.commit()
    assert org.organization.settings_version > version
    assert due_now(client.get(f"/scorecard?period={DAY_KEY}").text, name)[0] == 8
    version = org.organization.settings_version
    org.organization.workday_start, org.organization.workday_end = time(11), time(15)
    org.field.workday_start = org.field.workday_end = None  # back to the organisation's
    db.session.commit()
    assert org.organization.settings_version > version
    # 13:30 is 2.5 of 11:00 to 15:00's 4 hours: 6.25 calls today, 26.25 this week.
    assert due_now(client.get(f"/scorecard?period={DAY_KEY}").text, name)[0] == 6
    assert due_now(client.get(f"/scorecard?period={WEEK_KEY}").text, name)[0] == 26
