"""The admin area: people, teams, metrics and the organisation's settings."""

import re
from datetime import date, time

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Activity, DailyRollup, Metric, Organization, Team, User
from services import activities
from tests.conftest import PASSWORD, Auth, at

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def admin(make, auth):
    user = make.user("admin@example.com", roles=("admin",), name="Ada Admin")
    auth.sign_in("admin@example.com")
    return user


def post(auth, url, data):
    """POST as the signed-in admin, with the CSRF token of the form's own page."""
    return auth.post(url, data, page=url)


def person(**fields):
    data = {
        "name": "Rita Rep", "email": "rita@example.com", "roles": ["rep"], "team_id": "",
        "started_on": "", "locale": "", "timezone": "", "active": "y", "password": NEW_PASSWORD,
    }
    return {**data, **fields}


def metric_fields(**fields):
    data = {
        "key": "calls", "name": "Calls", "kind": "leading", "aggregation": "count", "unit": "",
        "direction": "higher", "quality_min": "", "quality_unit": "", "daily_cap": "",
        "position": "0", "active": "y",
    }
    return {**data, **fields}


def organisation_fields(**fields):
    data = {
        "name": "Acme", "timezone": "Europe/Rome", "week_start": "0",
        "fiscal_year_start_month": "1", "working_weekdays": ["0", "1", "2", "3", "4"],
    }
    return {**data, **fields}


def assert_fragment(response):
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["Vary"]


def assert_labelled(page, *labels):
    """Each label text names a <label> or a fieldset's <legend>."""
    for label in labels:
        assert re.search(rf">\s*{re.escape(label)}[^<]*</(label|legend)>", page.text), label


def signed_in_client(app, email):
    other = app.test_client()
    Auth(other).sign_in(email)
    return other


# People


def test_admin_sees_each_persons_email_roles_team_and_state(make, admin, client):
    team = make.team("North")
    make.user("rita@example.com", roles=("rep", "manager"), team=team, name="Rita Rep")
    make.user("gone@example.com", name="Gone Person", active=False)
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert "<html" in page.text
    for text in ("Rita Rep", "rita@example.com", "Manager, Sales rep", "North", "Inactive"):
        assert text in page.text
    assert 'aria-current="page"' in page.text


def test_people_list_answers_htmx_with_only_the_list(make, admin, client):
    make.user("rita@example.com", name="Rita Rep")
    response = client.get("/admin/users?q=rita", headers={"HX-Request": "true"})
    assert_fragment(response)
    assert 'id="people"' in response.text
    assert "Rita Rep" in response.text


def test_people_search_keeps_only_matching_names_and_emails(make, admin, client):
    make.user("rita@example.com", name="Rita Rep")
    make.user("bob@example.com", name="Bob Builder")
    page = client.get("/admin/users?q=RIT")
    assert "Rita Rep" in page.text
    assert "Bob Builder" not in page.text
    wildcard = client.get("/admin/users?q=%25")
    assert "Rita Rep" not in wildcard.text
    assert "No one’s name or email contains “%”." in wildcard.text


def test_new_person_form_shows_every_field_with_a_label(admin, client):
    page = client.get("/admin/users/new")
    assert page.status_code == 200
    assert_labelled(page, "Name", "Email", "Roles", "Team", "Manages these teams", "Start date",
                    "Language", "Timezone", "Active")
    assert "We email them an invitation" in page.text  # not a password (test_invitations.py)


def test_admin_adds_a_person_who_can_then_sign_in(app, make, admin, auth, client):
    north, south = make.team("North"), make.team("South")
    response = post(auth, "/admin/users/new", person(
        email="  Rita@Example.COM ", roles=["rep", "manager"], team_id=str(north.id),
        managed_team_ids=[str(north.id), str(south.id)], started_on="2026-01-05",
        locale="it", timezone="America/New_York",
    ))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/users")
    user = db.session.scalar(select(User).where(User.name == "Rita Rep"))
    assert user.email == "rita@example.com"
    assert user.roles == {"rep", "manager"}
    assert user.team == north
    assert {team.name for team in user.managed_teams} == {"North", "South"}
    assert str(user.started_on) == "2026-01-05"
    assert (user.locale, user.timezone) == ("it", "America/New_York")
    assert "Added Rita Rep." in client.get("/admin/users").text
    rita = app.test_client()
    assert Auth(rita).sign_in("rita@example.com", NEW_PASSWORD).status_code == 302


def test_adding_a_person_with_an_email_taken_in_another_case_is_refused(make, admin, auth):
    make.user("rita@example.com")
    response = post(auth, "/admin/users/new", person(email="RITA@example.com"))
    assert response.status_code == 422
    assert "Someone already has an account with this email address." in response.text
    assert "Some fields need attention" in response.text


def test_adding_a_person_without_a_role_is_refused(admin, auth):
    response = post(auth, "/admin/users/new", person(roles=[]))
    assert response.status_code == 422
    assert "Choose at least one role." in response.text
    assert db.session.scalar(select(User).where(User.email == "rita@example.com")) is None


def test_adding_a_person_with_a_short_password_is_refused_and_without_one_invites(admin, auth):
    short = post(auth, "/admin/users/new", person(password="short"))  # sent by a script
    assert short.status_code == 422
    missing = post(auth, "/admin/users/new", person(password=""))
    assert missing.status_code == 302  # invited by email (tests/test_invitations.py)


def test_adding_a_person_with_an_unknown_timezone_is_refused(admin, auth):
    response = post(auth, "/admin/users/new", person(timezone="Mars/Olympus_Mons"))
    assert response.status_code == 422
    assert "Unknown timezone." in response.text


@pytest.mark.parametrize("fields, message", [
    ({"email": "not an email"}, "Enter an email address such as name@example.com."),
    ({"roles": ["overlord"]}, "not a valid choice"),
    ({"team_id": "2147483648"}, "Not a valid choice."),
    ({"team_id": "north"}, "Invalid Choice: could not coerce."),
    ({"locale": "fr"}, "Not a valid choice."),
    ({"started_on": "2026-13-45"}, "Not a valid date value."),
    ({"name": "Rita\x00"}, "Remove the invisible control characters"),
    ({"name": ""}, "This field is required."),
])
def test_adding_a_person_with_bad_values_explains_what_is_wrong(admin, auth, fields, message):
    response = post(auth, "/admin/users/new", person(**fields))
    assert response.status_code == 422
    assert message in response.text


def test_edit_form_shows_the_persons_current_values(make, admin, client):
    team = make.team("North")
    rita = make.user("rita@example.com", name="Rita Rep", team=team, timezone="Asia/Tokyo")
    page = client.get(f"/admin/users/{rita.id}/edit")
    assert page.status_code == 200
    assert 'value="Rita Rep"' in page.text
    assert 'value="Asia/Tokyo"' in page.text
    assert f'<option selected value="{team.id}">' in page.text


def test_admin_edits_a_person_and_an_empty_password_keeps_theirs(app, make, admin, auth):
    north, south = make.team("North"), make.team("South")
    rita = make.user("rita@example.com", team=north)
    rita_client = signed_in_client(app, "rita@example.com")
    response = post(auth, f"/admin/users/{rita.id}/edit", person(
        name="Rita Renamed", roles=["rep", "executive"], team_id=str(south.id), password="",
    ))
    assert response.status_code == 302
    db.session.refresh(rita)
    assert (rita.name, rita.team, rita.roles) == ("Rita Renamed", south, {"rep", "executive"})
    assert rita_client.get("/today").status_code == 200
    assert Auth(app.test_client()).sign_in("rita@example.com", PASSWORD).status_code == 302


def test_a_new_password_signs_the_person_out_everywhere(app, make, admin, auth):
    rita = make.user("rita@example.com", name="Rita Rep")
    rita_client = signed_in_client(app, "rita@example.com")
    response = post(auth, f"/admin/users/{rita.id}/edit", person(password=NEW_PASSWORD))
    assert response.status_code == 302
    assert rita_client.get("/today").headers["Location"].startswith("/sign-in")
    assert Auth(app.test_client()).sign_in("rita@example.com", NEW_PASSWORD).status_code == 302


def test_deactivating_a_person_ends_their_session(app, make, admin, auth):
    rita = make.user("rita@example.com", name="Rita Rep")
    rita_client = signed_in_client(app, "rita@example.com")
    assert rita_client.get("/today").status_code == 200
    data = person(password="")
    del data["active"]
    response = post(auth, f"/admin/users/{rita.id}/edit", data)
    assert response.status_code == 302
    db.session.refresh(rita)
    assert rita.active is False
    after = rita_client.get("/today")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/sign-in")


def test_admin_cannot_deactivate_themself(admin, auth):
    data = person(name="Ada Admin", email="admin@example.com", roles=["admin"], password="")
    del data["active"]
    response = post(auth, f"/admin/users/{admin.id}/edit", data)
    assert response.status_code == 422
    assert "You cannot deactivate yourself." in response.text
    db.session.refresh(admin)
    assert admin.active is True


def test_admin_cannot_remove_their_own_admin_role(admin, auth):
    response = post(auth, f"/admin/users/{admin.id}/edit", person(
        name="Ada Admin", email="admin@example.com", roles=["rep"], password="",
    ))
    assert response.status_code == 422
    assert "You cannot remove your own administrator role." in response.text
    db.session.refresh(admin)
    assert admin.roles == {"admin"}


def test_admin_changes_their_own_password_on_the_account_page_not_here(admin, auth):
    response = post(auth, f"/admin/users/{admin.id}/edit", person(
        name="Ada Admin", email="admin@example.com", roles=["admin"], password=NEW_PASSWORD,
    ))
    assert response.status_code == 422
    assert re.search(r'class="error"[^>]*>Change your own password on the Account page\.',
                     response.text)


def test_admin_keeps_their_own_email_when_editing_themself(admin, auth):
    response = post(auth, f"/admin/users/{admin.id}/edit", person(
        name="Ada Lovelace", email="ADMIN@example.com", roles=["admin", "rep"], password="",
    ))
    assert response.status_code == 302
    db.session.refresh(admin)
    assert (admin.name, admin.email, admin.roles) == ("Ada Lovelace", "admin@example.com",
                                                      {"admin", "rep"})


# Teams


def test_teams_list_shows_the_tree_with_managers_and_member_counts(make, admin, client):
    boss = make.user("boss@example.com", roles=("manager",), name="Bea Boss")
    company = make.team("Acme Sales")
    north = make.team("North", parent=company, managers=[boss])
    field = make.team("Field", parent=north)
    make.team("Alpha", parent=company)
    make.user("rita@example.com", team=field)
    make.user("rob@example.com", team=field)
    make.user("gone@example.com", team=field, active=False)
    page = client.get("/admin/teams")
    assert page.status_code == 200
    names = re.findall(r'team-row depth-(\d)">\s*<a class="team-name"[^>]*>([^<]+)</a>', page.text)
    assert names == [("0", "Acme Sales"), ("1", "Alpha"), ("1", "North"), ("2", "Field")]
    text = page.text
    assert "2 members" in text
    assert "Managed by Bea Boss" in text


def test_teams_list_answers_htmx_with_only_the_tree(make, admin, client):
    make.team("North")
    response = client.get("/admin/teams", headers={"HX-Request": "true"})
    assert_fragment(response)
    assert 'id="teams"' in response.text
    assert "North" in response.text


def test_new_team_form_offers_parents_and_a_search_for_managers(make, admin, client):
    make.team("North")
    make.user("boss@example.com", name="Bea Boss", roles=("manager",))
    page = client.get("/admin/teams/new")
    assert page.status_code == 200
    assert_labelled(page, "Name", "Part of", "Managers", "Find people by name or email",
                    "Active")
    assert "North</option>" in page.text
    assert "Bea Boss" not in page.text  # nobody is listed before a search


def test_admin_adds_a_team_under_a_parent_with_managers(make, admin, auth, client):
    north = make.team("North")
    boss = make.user("boss@example.com", roles=("manager",))
    response = post(auth, "/admin/teams/new", {
        "name": " Field ", "parent_id": str(north.id), "manager_ids": [str(boss.id)], "active": "y",
    })
    assert response.status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "Field"))
    assert team.parent == north
    assert team.managers == [boss]
    assert "Added the team Field." in client.get("/admin/teams").text


def test_admin_edits_a_team_and_deactivates_it(make, admin, auth, client):
    north, south = make.team("North"), make.team("South")
    boss = make.user("boss@example.com", roles=("manager",))
    field = make.team("Field", parent=north, managers=[boss])
    assert 'value="Field"' in client.get(f"/admin/teams/{field.id}/edit").text
    response = post(auth, f"/admin/teams/{field.id}/edit", {
        "name": "Field Sales", "parent_id": str(south.id),
    })
    assert response.status_code == 302
    db.session.refresh(field)
    assert (field.name, field.parent, field.managers, field.active) == (
        "Field Sales", south, [], False)


def test_two_teams_in_the_same_place_cannot_share_a_name(make, admin, auth):
    north, south = make.team("North"), make.team("South")
    field = make.team("Milan Field", parent=north)
    other = make.team("Rome Field", parent=north)
    for url, data in (
        ("/admin/teams/new", {"name": "milan field", "parent_id": str(north.id)}),
        (f"/admin/teams/{other.id}/edit", {"name": "Milan Field", "parent_id": str(north.id)}),
        ("/admin/teams/new", {"name": "North", "parent_id": ""}),  # top-level teams too
    ):
        response = post(auth, url, {**data, "active": "y"})
        assert response.status_code == 422
        assert "Another team in the same place is already called that." in response.text
    # Elsewhere in the tree the name is free, and a team keeps its own name when saved.
    assert post(auth, "/admin/teams/new", {"name": "Milan Field", "parent_id": str(south.id),
                                           "active": "y"}).status_code == 302
    assert post(auth, f"/admin/teams/{field.id}/edit", {"name": "Milan Field",
                                                       "parent_id": str(north.id),
                                                       "active": "y"}).status_code == 302
    assert db.session.scalar(select(func.count(Team.id))) == 5


def test_a_team_cannot_be_moved_under_its_own_descendant(make, admin, auth):
    company = make.team("Company")
    region = make.team("Region", parent=company)
    local = make.team("Local", parent=region)
    for parent in (local, company):
        response = post(auth, f"/admin/teams/{company.id}/edit", {
            "name": "Company", "parent_id": str(parent.id), "active": "y",
        })
        assert response.status_code == 422
        assert "A team cannot be part of itself or of a team inside it." in response.text
    db.session.refresh(company)
    assert company.parent is None


def test_a_team_of_another_organisation_is_no_parent_choice(make, admin, auth):
    other = Organization(name="Other")
    foreign = Team(name="Foreign", organization=other)
    db.session.add_all([other, foreign])
    db.session.commit()
    response = post(auth, "/admin/teams/new", {"name": "Mine", "parent_id": str(foreign.id)})
    assert response.status_code == 422
    assert "Not a valid choice." in response.text


# Metrics


def test_metrics_list_follows_the_position_order(make, admin, client):
    make.metric("demos", name="Demos", position=2)
    make.metric("calls", name="Calls", position=1, quality_min=2, quality_unit="minutes")
    make.metric("revenue", name="Revenue", position=3, kind="lagging", aggregation="sum",
                daily_cap=5000, active=False)
    page = client.get("/admin/metrics")
    assert page.status_code == 200
    assert page.text.index("Calls") < page.text.index("Demos") < page.text.index("Revenue")
    for text in ("≥ 2 minutes", "Lagging (a result)", "Add up the amounts", "5,000", "Inactive"):
        assert text in page.text


def test_metrics_list_answers_htmx_with_only_the_table(make, admin, client):
    make.metric("calls")
    response = client.get("/admin/metrics", headers={"HX-Request": "true"})
    assert_fragment(response)
    assert 'id="metrics"' in response.text


def test_new_metric_form_shows_every_field(admin, client):
    page = client.get("/admin/metrics/new")
    assert page.status_code == 200
    assert_labelled(page, "Key", "Name", "Kind", "How entries add up", "Unit", "Direction",
                    "Quality gate: counts from", "Quality gate unit", "Daily cap", "Position",
                    "Active")


def test_admin_adds_a_metric(make, admin, auth, client):
    response = post(auth, "/admin/metrics/new", metric_fields(
        key="talk_time", name="Talk time", aggregation="sum", unit="minutes",
        direction="higher", quality_min="2", quality_unit="minutes", daily_cap="240",
        position="",
    ))
    assert response.status_code == 302
    metric = db.session.scalar(select(Metric).where(Metric.key == "talk_time"))
    assert metric.organization == make.organization
    assert (metric.name, metric.aggregation, metric.unit) == ("Talk time", "sum", "minutes")
    assert (metric.quality_min, metric.daily_cap, metric.position) == (2, 240, 0)
    assert "Added the metric Talk time." in client.get("/admin/metrics").text


@pytest.mark.parametrize("key", ["Calls", "c", "1calls", "calls-made", "x" * 41, ""])
def test_a_metric_key_that_is_not_a_slug_is_refused(admin, auth, key):
    response = post(auth, "/admin/metrics/new", metric_fields(key=key))
    assert response.status_code == 422
    assert ("lower-case letters, digits and _" in response.text
            or "This field is required." in response.text)


def test_a_metric_key_already_used_in_the_organisation_is_refused(make, admin, auth):
    make.metric("calls")
    response = post(auth, "/admin/metrics/new", metric_fields(key="calls"))
    assert response.status_code == 422
    assert "Another metric already has this key." in response.text


def test_another_organisations_metric_key_is_free_to_use(make, admin, auth):
    other = Organization(name="Other")
    db.session.add_all([other, Metric(key="calls", name="Calls", organization=other)])
    db.session.commit()
    response = post(auth, "/admin/metrics/new", metric_fields(key="calls"))
    assert response.status_code == 302


@pytest.mark.parametrize("fields, message", [
    ({"daily_cap": "0"}, "Use a number above 0"),
    ({"daily_cap": "-5"}, "Use a number above 0"),
    ({"quality_min": "nan"}, "Enter a number, such as 12 or 2.5."),
    ({"quality_min": "inf"}, "Enter a number, such as 12 or 2.5."),
    ({"quality_min": "2000000"}, "Enter a number from 0 to 1,000,000."),
    ({"position": "first"}, "Not a valid integer value."),
    ({"kind": "sideways"}, "Not a valid choice."),
])
def test_a_metric_with_bad_numbers_or_choices_explains_what_is_wrong(admin, auth, fields, message):
    response = post(auth, "/admin/metrics/new", metric_fields(**fields))
    assert response.status_code == 422
    assert message in response.text


def test_edit_form_shows_the_metric_key_read_only(make, admin, client):
    metric = make.metric("calls", quality_min=2.5, daily_cap=100)
    page = client.get(f"/admin/metrics/{metric.id}/edit")
    assert page.status_code == 200
    assert re.search(r'<input[^>]*name="key"[^>]*readonly[^>]*value="calls"', page.text)
    assert 'value="2.5"' in page.text
    assert 'value="100"' in page.text


def test_admin_edits_a_metric_and_its_key_stays(make, admin, auth):
    metric = make.metric("calls", name="Calls")
    response = post(auth, f"/admin/metrics/{metric.id}/edit", metric_fields(
        name="Phone calls", unit="calls", position="5", active="",
    ))
    assert response.status_code == 302
    db.session.refresh(metric)
    assert (metric.key, metric.name, metric.unit, metric.position, metric.active) == (
        "calls", "Phone calls", "calls", 5, False)


def words(language, name="", unit="", quality_unit=""):
    return {f"words_{language}-name": name, f"words_{language}-unit": unit,
            f"words_{language}-quality_unit": quality_unit}


def test_the_metric_form_asks_for_the_words_in_each_other_language(make, admin, client):
    metric = make.metric("calls", translations={"ja": {"name": "電話", "unit": "件"}})
    page = client.get(f"/admin/metrics/{metric.id}/edit")
    assert "In other languages (optional)" in page.text
    assert "Left blank, they see the name and units above." in page.text
    for language, legend in (("it", "Italiano"), ("ja", "日本語")):
        assert f'<legend lang="{language}">{legend}</legend>' in page.text
        entry = re.search(rf'<input[^>]*name="words_{language}-quality_unit"[^>]*>', page.text)
        assert f'lang="{language}"' in entry.group(0)
    assert re.search(r'name="words_ja-name"[^>]*value="電話"', page.text)
    assert re.search(r'name="words_it-name"[^>]*value=""', page.text)
    assert 'name="words_en-name"' not in page.text  # the default language is the fields above


def test_admin_saves_a_metrics_words_per_language_and_blanks_fall_back(make, admin, auth,
                                                                      app):
    metric = make.metric("calls", name="Calls", quality_min=2, quality_unit="minutes",
                         translations={"it": {"name": "Telefonate"}})
    response = post(auth, f"/admin/metrics/{metric.id}/edit", metric_fields(
        quality_min="2", quality_unit="minutes", **words("it"),
        **words("ja", name=" 電話 ", unit="件", quality_unit="分"),
    ))
    assert response.status_code == 302
    db.session.refresh(metric)
    assert metric.translations == {"ja": {"name": "電話", "unit": "件", "quality_unit": "分"}}

    make.user("kenji@example.com", locale="ja")
    make.user("rosa@example.com", locale="it")
    for email, name in (("kenji@example.com", "電話"), ("rosa@example.com", "Calls")):
        today = signed_in_client(app, email).get("/today")
        assert today.status_code == 200
        assert re.search(rf">\s*{name}\s*<", today.text), email


@pytest.mark.parametrize("fields, message", [
    (words("ja", name="x" * 81), "Field cannot be longer than 80 characters."),
    (words("it", unit="u\x00"), "Remove the invisible control characters"),
])
def test_bad_words_in_another_language_are_refused(make, admin, auth, fields, message):
    metric = make.metric("calls")
    response = post(auth, f"/admin/metrics/{metric.id}/edit", metric_fields(**fields))
    assert response.status_code == 422
    assert message in response.text
    db.session.refresh(metric)
    assert metric.translations == {}


def test_changing_a_metric_key_is_refused(make, admin, auth):
    metric = make.metric("calls")
    response = post(auth, f"/admin/metrics/{metric.id}/edit", metric_fields(key="dials"))
    assert response.status_code == 422
    assert "The key cannot be changed once the metric exists." in response.text
    db.session.refresh(metric)
    assert metric.key == "calls"


def test_changing_the_quality_gate_recounts_the_rollup(make, admin, auth):
    rep = make.user("rita@example.com")
    calls = make.metric("calls", quality_min=2, quality_unit="minutes")
    calendar = make.organization.calendar
    for minutes in (1, 3):
        activities.record(db.session, user=rep, metric=calls, occurred_at=at(2026, 3, 2, 10),
                          calendar=calendar, value=minutes)
    db.session.commit()

    def rollup():
        db.session.expire_all()
        row = db.session.scalar(select(DailyRollup).where(DailyRollup.metric_id == calls.id))
        return row.entries if row else 0

    assert rollup() == 1
    response = post(auth, f"/admin/metrics/{calls.id}/edit", metric_fields(
        quality_min="0.5", quality_unit="minutes"))
    assert response.status_code == 302
    assert rollup() == 2
    post(auth, f"/admin/metrics/{calls.id}/edit", metric_fields(quality_min="5"))
    assert rollup() == 0


# Organisation


def test_organisation_settings_show_the_current_calendar(make, admin, client):
    page = client.get("/admin/organization")
    assert page.status_code == 200
    assert 'value="Europe/Rome"' in page.text
    for text in ("Weeks start on", "The fiscal year starts in", "Working days", "Monday",
                 "January", '<datalist id="timezones">'):
        assert text in page.text


def test_admin_changes_the_organisation_settings(make, admin, auth, client):
    response = post(auth, "/admin/organization", organisation_fields(
        name="Acme Italia", timezone="America/Chicago", week_start="6",
        fiscal_year_start_month="4", working_weekdays=["6", "0", "1", "2", "3"],
    ))
    assert response.status_code == 302
    organization = db.session.get(Organization, make.organization.id)
    db.session.refresh(organization)
    assert (organization.name, organization.timezone, organization.week_start) == (
        "Acme Italia", "America/Chicago", 6)
    assert organization.fiscal_year_start_month == 4
    assert organization.working_weekdays == "01236"
    page = client.get("/admin/organization")
    assert "Saved the organisation" in page.text
    assert re.search(r'<option selected value="6">\s*Sunday', page.text)


def test_a_new_timezone_moves_logged_activities_to_their_local_day_there(make, admin, auth):
    rep, calls = make.user("rita@example.com"), make.metric("calls")
    # 23:30 UTC on 2 March: still the 2nd in London, already the 3rd in Rome.
    activities.record(db.session, user=rep, metric=calls, occurred_at=at(2026, 3, 2, 23, 30),
                      calendar=make.organization.calendar)
    db.session.commit()
    days = lambda: [row.day for row in db.session.scalars(  # noqa: E731
        select(DailyRollup).where(DailyRollup.entries > 0))]
    assert days() == [date(2026, 3, 3)]
    response = post(auth, "/admin/organization", organisation_fields(timezone="Europe/London"))
    assert response.status_code == 302
    db.session.expire_all()
    assert days() == [date(2026, 3, 2)]
    assert db.session.scalar(select(Activity.local_day)) == date(2026, 3, 2)


@pytest.mark.parametrize("fields, message", [
    ({"timezone": "Europe/Atlantis"}, "Unknown timezone."),
    ({"timezone": ""}, "This field is required."),
    ({"working_weekdays": []}, "Choose at least one working day."),
    ({"working_weekdays": ["7"]}, "is not a valid choice"),
    ({"week_start": "9"}, "Not a valid choice."),
    ({"fiscal_year_start_month": "13"}, "Not a valid choice."),
])
def test_bad_organisation_settings_are_refused(make, admin, auth, fields, message):
    response = post(auth, "/admin/organization", organisation_fields(**fields))
    assert response.status_code == 422
    assert message in response.text
    assert db.session.get(Organization, make.organization.id).timezone == "Europe/Rome"


# Access and bad input

ADMIN_PAGES = [
    "/admin", "/admin/users", "/admin/users/new", "/admin/users/{user}/edit",
    "/admin/teams", "/admin/teams/new", "/admin/teams/{team}/edit",
    "/admin/metrics", "/admin/metrics/new", "/admin/metrics/{metric}/edit",
    "/admin/organization",
]
ADMIN_FORMS = [url for url in ADMIN_PAGES if url.endswith(("new", "edit", "organization"))]


@pytest.fixture
def objects(make):
    """A person, a team and a metric, for the URLs that name one."""
    return {
        "user": make.user("someone@example.com").id,
        "team": make.team("North").id,
        "metric": make.metric("calls").id,
    }


@pytest.mark.parametrize("roles", [("rep",), ("manager",), ("manager", "rep", "executive")])
def test_people_without_the_admin_role_are_refused_every_admin_page(make, auth, client,
                                                                    objects, roles):
    make.user("nosy@example.com", roles=roles)
    auth.sign_in("nosy@example.com")
    for url in ADMIN_PAGES:
        assert client.get(url.format(**objects)).status_code == 403, url
    for url in ADMIN_FORMS:
        response = auth.post(url.format(**objects), {"name": "Hijacked"}, page="/account/password")
        assert response.status_code == 403, url
    assert db.session.get(Team, objects["team"]).name == "North"


def test_signed_out_visitors_are_sent_to_sign_in(client, objects):
    for url in ADMIN_PAGES:
        response = client.get(url.format(**objects))
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]


def test_a_form_sent_without_its_csrf_token_is_refused(admin, client):
    response = client.post("/admin/teams/new", data={"name": "Sneaky"})
    assert response.status_code == 400
    assert db.session.scalar(select(Team).where(Team.name == "Sneaky")) is None


@pytest.mark.parametrize("kind", ["users", "teams", "metrics"])
@pytest.mark.parametrize("object_id", ["0", "999999", "2147483648", "99999999999999999999999",
                                       "abc", "-1"])
def test_unknown_ids_in_admin_urls_are_not_found(admin, client, kind, object_id):
    assert client.get(f"/admin/{kind}/{object_id}/edit").status_code == 404


def test_another_organisations_records_are_not_found(admin, auth, client):
    other = Organization(name="Other")
    team = Team(name="Foreign", organization=other)
    metric = Metric(key="calls", name="Calls", organization=other)
    user = User(email="foreign@example.com", name="Foreign", organization=other, password_hash="x")
    db.session.add_all([other, team, metric, user])
    db.session.commit()
    for url in (f"/admin/users/{user.id}/edit", f"/admin/teams/{team.id}/edit",
                f"/admin/metrics/{metric.id}/edit"):
        assert client.get(url).status_code == 404
        assert auth.post(url, {"name": "Mine now"}, page="/admin/users").status_code == 404
    db.session.refresh(team)
    assert team.name == "Foreign"


# Working hours


def test_the_organisation_form_shows_its_working_hours(make, admin, client):
    page = client.get("/admin/organization")
    assert_labelled(page, "Working day starts at", "Working day ends at")
    assert 'type="time"' in page.text
    assert 'value="09:00"' in page.text and 'value="18:00"' in page.text
    assert "shifts past midnight are not supported" in page.text


def test_admin_sets_the_organisations_working_hours(make, admin, auth, client):
    response = post(auth, "/admin/organization", organisation_fields(
        workday_start="08:30", workday_end="17:30"))
    assert response.status_code == 302
    organization = db.session.get(Organization, make.organization.id)
    assert (organization.workday_start, organization.workday_end) == (time(8, 30), time(17, 30))
    assert organization.calendar.workday_start == time(8, 30)
    assert 'value="08:30"' in client.get("/admin/organization").text


@pytest.mark.parametrize("fields, message", [
    ({"workday_start": "18:00", "workday_end": "09:00"}, "must end after it starts"),
    ({"workday_start": "09:00", "workday_end": "09:00"}, "must end after it starts"),
    ({"workday_start": "22:00", "workday_end": "06:00"}, "must end after it starts"),
    ({"workday_start": "", "workday_end": "18:00"}, "Enter a time such as 09:00."),
    ({"workday_start": "9am", "workday_end": "18:00"}, "Enter a time such as 09:00."),
    ({"workday_start": "09:00", "workday_end": "24:00"}, "Enter a time such as 09:00."),
    ({"workday_start": "09:00", "workday_end": "18:00\x00"}, "Enter a time such as 09:00."),
    ({"workday_start": "09:00", "workday_end": "1" * 5000}, "Enter a time such as 09:00."),
    ({"workday_start": ["09:00", "10:00"], "workday_end": "18:00"}, "Enter a time such as"),
])
def test_bad_working_hours_of_the_organisation_are_refused(make, admin, auth, fields, message):
    response = post(auth, "/admin/organization", organisation_fields(**fields))
    assert response.status_code == 422
    assert message in response.text
    organization = db.session.get(Organization, make.organization.id)
    assert (organization.workday_start, organization.workday_end) == (time(9), time(18))


def test_a_team_form_offers_hours_of_its_own_or_the_same_as_above(make, admin, client):
    page = client.get("/admin/teams/new")
    assert_labelled(page, "Working day starts at", "Working day ends at")
    assert "Leave both empty for the same hours as the team it is part of" in page.text
    assert "(9:00\u202fAM to 6:00\u202fPM)" in page.text  # the organisation's, in English


def test_admin_gives_a_team_its_own_hours_and_takes_them_back(make, admin, auth, client):
    north = make.team("North")
    field = make.team("Field", parent=north)
    response = post(auth, f"/admin/teams/{north.id}/edit", {
        "name": "North", "parent_id": "", "active": "y",
        "workday_start": "07:00", "workday_end": "15:00"})
    assert response.status_code == 302
    db.session.refresh(north)
    assert north.own_hours == (time(7), time(15))
    assert field.calendar.workday_start == time(7)  # Field has none: it keeps North's
    page = client.get(f"/admin/teams/{north.id}/edit").text
    assert 'value="07:00"' in page and 'value="15:00"' in page
    response = post(auth, f"/admin/teams/{north.id}/edit", {
        "name": "North", "parent_id": "", "active": "y", "workday_start": "", "workday_end": ""})
    assert response.status_code == 302
    db.session.refresh(north)
    assert north.own_hours is None
    assert north.calendar.workday_start == time(9)  # the organisation's again


def test_a_new_team_without_hours_has_none_of_its_own(make, admin, auth):
    response = post(auth, "/admin/teams/new", {
        "name": "South", "parent_id": "", "active": "y", "workday_start": "",
        "workday_end": ""})
    assert response.status_code == 302
    south = db.session.scalar(select(Team).where(Team.name == "South"))
    assert (south.workday_start, south.workday_end) == (None, None)


@pytest.mark.parametrize("fields, message", [
    ({"workday_start": "15:00", "workday_end": "07:00"}, "must end after it starts"),
    ({"workday_start": "07:00", "workday_end": ""}, "Give both times, or leave both empty"),
    ({"workday_start": "", "workday_end": "15:00"}, "Give both times, or leave both empty"),
    ({"workday_start": "seven", "workday_end": "15:00"}, "Enter a time such as 09:00."),
    ({"workday_start": "07:00", "workday_end": "\u0661\u0665:00x"}, "Enter a time such as"),
])
def test_bad_working_hours_of_a_team_are_refused(make, admin, auth, fields, message):
    north = make.team("North")
    response = post(auth, f"/admin/teams/{north.id}/edit", {
        "name": "North", "parent_id": "", "active": "y", **fields})
    assert response.status_code == 422
    assert message in response.text
    db.session.refresh(north)
    assert north.own_hours is None


def test_changed_working_hours_move_the_settings_stamp(make, admin, auth):
    north = make.team("North")
    before = db.session.get(Organization, make.organization.id).settings_version
    post(auth, f"/admin/teams/{north.id}/edit", {
        "name": "North", "parent_id": "", "active": "y",
        "workday_start": "07:00", "workday_end": "15:00"})
    db.session.expire_all()
    after_team = db.session.get(Organization, make.organization.id).settings_version
    assert after_team > before
    post(auth, "/admin/organization", organisation_fields(
        workday_start="08:00", workday_end="17:00"))
    db.session.expire_all()
    assert db.session.get(Organization, make.organization.id).settings_version > after_team


@pytest.mark.parametrize("language, words", [
    ("it", ("Inizio della giornata", "Fine della giornata")),
    ("ja", ("始業時刻", "終業時刻")),
])
def test_the_working_hours_read_in_every_language(make, admin, client, language, words):
    admin.locale = language
    db.session.commit()
    for url in ("/admin/organization", "/admin/teams/new"):
        page = client.get(url).text
        assert all(word in page for word in words), url
