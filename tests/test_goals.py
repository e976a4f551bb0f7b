"""Editing goals: templates, company and team goals, overrides with suggestions, time off."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import Goal, ScorecardTemplate, TimeOff
from services import activities
from tests import test_scorecards as screens
from tests.conftest import at
from tests.test_scorecards import cell

# The same organisation and clock as the screens' tests.
org, fixed_clock = screens.org, screens.fixed_clock


def post(auth, url, data=None):
    return auth.post(url, data or {}, page="/goals")


def test_leads_see_the_targets_overview_and_reps_do_not(org, auth, client):
    auth.sign_in("mara@example.com")
    page = client.get("/goals")
    assert page.status_code == 200
    assert "Sales: team goals" in page.text and "Other" not in page.text
    assert "Company goals" not in page.text
    auth.sign_out()
    auth.sign_in("ada@example.com")
    for url in ("/goals", "/goals/company", f"/goals/teams/{org.field.id}",
                f"/goals/people/{org.bo.id}", f"/goals/people/{org.bo.id}/time-off",
                "/goals/templates/new"):
        assert client.get(url).status_code == 403, url


def test_a_manager_changes_only_their_teams_and_people(org, auth, client):
    auth.sign_in("mara@example.com")
    assert client.get(f"/goals/teams/{org.field.id}").status_code == 200
    assert client.get(f"/goals/people/{org.ada.id}").status_code == 200
    assert client.get(f"/goals/teams/{org.other.id}").status_code == 404
    assert client.get(f"/goals/people/{org.cy.id}").status_code == 404
    assert client.get(f"/goals/people/{org.mara.id}").status_code == 403  # not their own
    assert client.get("/goals/company").status_code == 403
    assert post(auth, f"/goals/teams/{org.other.id}", {f"m{org.calls.id}": "5"}).status_code \
        == 404
    assert db.session.scalar(select(Goal)) is None


def test_goals_can_be_set_for_one_named_period_only(org, auth, client):
    auth.sign_in("exec@example.com")
    url = f"/goals/teams/{org.field.id}?period=month-2026-11-01"
    page = client.get(url)
    assert page.status_code == 200 and "November 2026 only" in page.text
    post(auth, url, {f"m{org.revenue.id}": "30000"})
    goal = db.session.scalar(select(Goal))
    assert (goal.level, goal.team_id, goal.period_kind, goal.period_start, goal.value) == (
        "team", org.field.id, "month", date(2026, 11, 1), 30000)
    assert goal.updated_by_id is not None
    november = client.get(f"/teams/{org.field.id}?period=month-2026-11-01").text
    december = client.get(f"/teams/{org.field.id}?period=month-2026-12-01").text
    assert cell(november, f"team-{org.field.id}-revenue")[1] == 30000
    assert cell(december, f"team-{org.field.id}-revenue")[1] == 42000  # its people's


def test_bad_goal_values_are_refused_with_a_message(org, auth, client):
    auth.sign_in("exec@example.com")
    response = post(auth, "/goals/company?kind=month", {f"m{org.revenue.id}": "-5"})
    assert response.status_code == 422 and 'class="error"' in response.text
    response = post(auth, "/goals/company?kind=month", {f"m{org.revenue.id}": "lots"})
    assert response.status_code == 422
    assert client.get("/goals/company?kind=fortnight").status_code == 400
    assert client.get("/goals/company?period=month-2026-11-02").status_code == 400
    assert db.session.scalar(select(Goal)) is None


def test_a_manager_accepts_a_suggestion_from_history(org, auth, client):
    # Ada logged 4 calls every working day of the last 12 weeks.
    monday = date(2026, 11, 23) - timedelta(weeks=12)
    for offset in range(7 * 12):
        day = monday + timedelta(days=offset)
        if day.weekday() < 5:
            activities.record(db.session, user=org.ada, metric=org.calls, quantity=4,
                              occurred_at=at(day.year, day.month, day.day, 9),
                              calendar=org.organization.calendar)
    db.session.commit()
    auth.sign_in("mara@example.com")
    page = client.get(f"/goals/people/{org.ada.id}?kind=week")
    assert 'data-suggestion="20.0"' in page.text and "10 a day" in page.text
    response = post(auth, f"/goals/people/{org.ada.id}?kind=week",
                    {"accept": str(org.calls.id), f"m{org.calls.id}": ""})
    assert response.status_code == 302
    goal = db.session.scalar(select(Goal))
    assert (goal.level, goal.user_id, goal.period_kind, goal.value) == (
        "person", org.ada.id, "week", 20)
    scorecard = client.get(f"/people/{org.ada.id}/scorecard").text
    assert cell(scorecard, f"person-{org.ada.id}-calls")[1] == 20


def test_a_manager_records_and_removes_time_off(org, auth, client):
    auth.sign_in("mara@example.com")
    url = f"/goals/people/{org.ada.id}/time-off"
    assert client.get(url).status_code == 200
    response = post(auth, url, {"first_day": "2026-11-26", "last_day": "2026-11-27",
                                "note": "Holiday"})
    assert response.status_code == 302
    entry = db.session.scalar(select(TimeOff))
    assert (entry.user_id, entry.first_day, entry.last_day) == (
        org.ada.id, date(2026, 11, 26), date(2026, 11, 27))
    assert cell(client.get(f"/teams/{org.field.id}").text, f"person-{org.ada.id}-calls")[1] \
        == 30
    assert post(auth, url, {"first_day": "2026-11-27", "last_day": "2026-11-26"}).status_code \
        == 422
    assert post(auth, f"/goals/time-off/{entry.id}/delete").status_code == 302
    assert db.session.scalar(select(TimeOff)) is None


def test_a_manager_cannot_remove_time_off_of_someone_outside_their_teams(org, auth):
    entry = TimeOff(user_id=org.cy.id, first_day=date(2026, 11, 26), last_day=date(2026, 11, 26))
    db.session.add(entry)
    db.session.commit()
    auth.sign_in("mara@example.com")
    assert post(auth, f"/goals/time-off/{entry.id}/delete").status_code == 404
    assert db.session.get(TimeOff, entry.id) is not None


def template_form(org, **fields):
    data = {"name": "Field sales", "role": "", "team_ids": [str(org.field.id)],
            "items-0-metric_id": str(org.calls.id), "items-0-included": "y",
            "items-0-weight": "20", "items-0-cap_percent": "120", "items-0-period_kind": "day",
            "items-0-target": "12",
            "items-1-metric_id": str(org.revenue.id), "items-1-weight": "10",
            "items-1-cap_percent": "150", "items-1-period_kind": "month", "items-1-target": ""}
    data.update(fields)
    return data


def test_a_manager_makes_a_template_for_their_team(org, auth, client):
    auth.sign_in("mara@example.com")
    assert client.get("/goals/templates/new").status_code == 200
    response = post(auth, "/goals/templates/new", template_form(org))
    assert response.status_code == 302
    template = db.session.scalar(select(ScorecardTemplate).where(
        ScorecardTemplate.name == "Field sales"))
    assert [(i.metric_id, i.weight, i.cap_percent, i.period_kind, i.target)
            for i in template.items] == [(org.calls.id, 20, 120, "day", 12)]
    assert [team.id for team in template.teams] == [org.field.id]
    grid = client.get(f"/teams/{org.field.id}").text
    assert cell(grid, f"person-{org.ada.id}-calls")[1] == 60
    assert cell(grid, f"person-{org.ada.id}-revenue")[1] is None  # not on this template
    assert client.get(f"/goals/templates/{template.id}").status_code == 200


def test_a_manager_may_not_make_role_templates_or_touch_the_organisations(org, auth, client):
    auth.sign_in("mara@example.com")
    response = post(auth, "/goals/templates/new", template_form(org, role="rep"))
    assert response.status_code == 422
    response = post(auth, "/goals/templates/new", template_form(org, team_ids=[]))
    assert response.status_code == 422 and "Choose at least one of your teams" in response.text
    reps = db.session.scalar(select(ScorecardTemplate).where(ScorecardTemplate.role == "rep"))
    assert client.get(f"/goals/templates/{reps.id}").status_code == 404
    assert post(auth, f"/goals/templates/{reps.id}/delete").status_code == 404


def test_an_admin_edits_and_deletes_a_template(org, auth, client):
    auth.sign_in("admin@example.com")
    reps = db.session.scalar(select(ScorecardTemplate).where(ScorecardTemplate.role == "rep"))
    page = client.get(f"/goals/templates/{reps.id}")
    assert page.status_code == 200 and 'value="21000' in page.text
    response = post(auth, f"/goals/templates/{reps.id}",
                    template_form(org, name="Reps", role="rep", team_ids=[]))
    assert response.status_code == 302
    db.session.refresh(reps)
    assert [item.target for item in reps.items] == [12]
    reps_id = reps.id
    assert post(auth, f"/goals/templates/{reps_id}/delete").status_code == 302
    assert db.session.get(ScorecardTemplate, reps_id) is None


def test_giving_a_team_to_a_template_takes_it_from_another(org, auth):
    auth.sign_in("admin@example.com")
    post(auth, "/goals/templates/new", template_form(org, name="First"))
    post(auth, "/goals/templates/new", template_form(org, name="Second"))
    first, second = (db.session.scalar(select(ScorecardTemplate).where(
        ScorecardTemplate.name == name)) for name in ("First", "Second"))
    assert first.teams == [] and [team.id for team in second.teams] == [org.field.id]


@pytest.mark.parametrize("url", ["/goals/templates/999", "/goals/time-off/999/delete"])
def test_unknown_ids_are_404(org, auth, client, url):
    auth.sign_in("admin@example.com")
    response = post(auth, url) if url.endswith("delete") else client.get(url)
    assert response.status_code == 404

