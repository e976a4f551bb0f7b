"""The team form's people search: managers are found by name or email, without JavaScript
(the form's own buttons) and with htmx (a fragment as you type), only ever in the admin's
organisation, a screenful at a time however large it is."""

import re

import pytest
from sqlalchemy import event, insert, select

from extensions import db
from models import Organization, Team, User
from services import accounts
from tests.conftest import Auth, csrf_token


@pytest.fixture
def admin(make, auth):
    user = make.user("admin@example.com", roles=("admin",), name="Ada Admin")
    auth.sign_in("admin@example.com")
    return user


@pytest.fixture
def people(make):
    north = make.team("North")
    return {
        "bea": make.user("bea@example.com", roles=("manager",), name="Bea Boss", team=north),
        "carl": make.user("carl@example.com", roles=("manager",), name="Carl Chief"),
        "rita": make.user("rita@example.com", name="Rita Rep", team=north),
    }


@pytest.fixture
def elsewhere(app):
    """Another organisation with its own admin and someone who matches the same searches."""
    other = Organization(name="Other")
    db.session.add(other)
    db.session.add(User(organization=other, email="bea.foreign@elsewhere.example",
                        name="Bea Foreign", password_hash="x"))
    db.session.commit()
    return other


class TeamForm:
    """The team form as a browser without JavaScript sends it: every button posts the whole
    form, with whatever the page showed (the chosen managers as hidden inputs)."""

    def __init__(self, client, url="/admin/teams/new"):
        self.client, self.url = client, url
        self.page = client.get(url)
        assert self.page.status_code == 200

    def chosen(self):
        return [int(id_) for id_ in re.findall(
            r'<input type="hidden" name="manager_ids" value="(\d+)">', self.page.text)]

    def send(self, button=None, **fields):
        data = {"csrf_token": csrf_token(self.page.text), "name": "Field", "parent_id": "",
                "active": "y", "manager_ids": [str(id_) for id_ in self.chosen()], **fields}
        if button:
            data[button[0]] = button[1]
        self.page = self.client.post(self.url, data=data)
        return self.page


def fragment(client, search, chosen=(), **headers):
    return client.get("/admin/teams/managers",
                      query_string={"manager_search": search,
                                    "manager_ids": [str(id_) for id_ in chosen]},
                      headers={"HX-Request": "true", **headers})


def names(page):
    return re.findall(r'<span class="person-name">([^<]+)</span>', page.text)


# Without JavaScript


def test_without_javascript_a_search_adds_and_removes_managers_then_save_keeps_them(
        admin, people, client):
    form = TeamForm(client)
    found = form.send(("find_managers", "y"), manager_search="  BOSS ", name="Milan Field")
    assert found.status_code == 200
    assert names(found) == ["Bea Boss"]
    assert 'value="BOSS"' in found.text  # what was typed stays
    assert 'value="Milan Field"' in found.text
    assert "1 person found." in found.text
    assert f'name="add_manager" value="{people["bea"].id}"' in found.text
    assert db.session.scalar(select(Team).where(Team.name == "Milan Field")) is None

    added = form.send(("add_manager", str(people["bea"].id)), manager_search="c",
                      name="Milan Field")
    assert added.status_code == 200
    assert form.chosen() == [people["bea"].id]
    assert "Remove<span class=\"visually-hidden\">: Bea Boss</span>" in added.text
    assert "autofocus" in added.text  # back in the search, where the thumb was
    form.send(("add_manager", str(people["carl"].id)), manager_search="c", name="Milan Field")
    assert sorted(form.chosen()) == sorted([people["bea"].id, people["carl"].id])
    removed = form.send(("remove_manager", str(people["bea"].id)), name="Milan Field")
    assert removed.status_code == 200
    assert form.chosen() == [people["carl"].id]

    saved = form.send(name="Milan Field", manager_search="whatever was left typed")
    assert saved.status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "Milan Field"))
    assert team.managers == [people["carl"]]


def test_the_edit_form_lists_the_teams_managers_and_a_search_for_more(make, admin, people,
                                                                      client):
    team = make.team("Rome", managers=[people["bea"]])
    form = TeamForm(client, f"/admin/teams/{team.id}/edit")
    assert form.chosen() == [people["bea"].id]
    assert names(form.page) == ["Bea Boss"]  # the managers, nobody else
    form.send(("remove_manager", str(people["bea"].id)), name="Rome")
    assert form.chosen() == []
    assert "No managers yet" in form.page.text
    db.session.refresh(team)
    assert team.managers == [people["bea"]]  # nothing saved until Save
    assert form.send(name="Rome").status_code == 302
    db.session.refresh(team)
    assert team.managers == []


def test_enter_in_a_field_finds_people_and_never_removes_a_manager(admin, people, client):
    """Enter clicks the form's first submit button: a hidden Find before every Remove."""
    form = TeamForm(client)
    form.send(("add_manager", str(people["bea"].id)))
    buttons = re.findall(r'<button type="submit" name="(\w+)"', form.page.text)
    assert buttons[0] == "find_managers"
    assert buttons.index("find_managers") < buttons.index("remove_manager")


def test_a_search_matches_names_and_emails_whatever_the_case_and_word_order(admin, people,
                                                                            client):
    assert names(fragment(client, "boss BEA")) == ["Bea Boss"]
    assert names(fragment(client, "carl@EXAMPLE")) == ["Carl Chief"]
    assert names(fragment(client, "example.com")) == ["Ada Admin", "Bea Boss", "Carl Chief",
                                                      "Rita Rep"]
    nothing = fragment(client, "%")
    assert names(nothing) == []
    assert "No one’s name or email contains “%”." in nothing.text


# With htmx


def test_typing_in_the_search_gets_only_the_results_fragment(admin, people, client):
    response = fragment(client, "bea")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["Vary"]
    assert names(response) == ["Bea Boss"]
    assert "bea@example.com · North" in response.text
    assert f'name="add_manager" value="{people["bea"].id}"' in response.text


def test_the_fragment_marks_people_already_chosen(admin, people, client):
    response = fragment(client, "bea", chosen=[people["bea"].id])
    assert "Chosen" in response.text
    assert 'name="add_manager"' not in response.text


def test_an_empty_search_clears_the_results(admin, people, client):
    response = fragment(client, "   ")
    assert response.status_code == 200
    assert names(response) == [] and "No one" not in response.text


def test_the_search_opened_as_a_page_is_the_people_list_searched(admin, people, client):
    response = client.get("/admin/teams/managers?manager_search=bea")
    assert response.status_code == 200
    assert "<html" in response.text and "HX-Request" in response.headers["Vary"]
    assert '<h1>People</h1>' in response.text
    assert 'name="q" value="bea"' in response.text
    assert re.findall(r'<th scope="row"><a[^>]*>([^<]+)</a>', response.text) == ["Bea Boss"]


def test_the_team_form_wires_the_search_for_htmx_without_trigger_filters(admin, client):
    page = client.get("/admin/teams/new").text
    search = re.search(r'<input id="manager_search"[^>]*>', page, re.S).group(0)
    assert 'hx-get="/admin/teams/managers"' in search
    assert 'hx-trigger="input changed delay:300ms, search"' in search
    assert 'hx-target="#manager-results"' in search
    assert "[" not in search.split("hx-trigger=")[1].split('"')[1]  # htmx runs without eval
    assert '<div id="manager-results" class="people-results" aria-live="polite">' in page


# Only the admin's own organisation


def test_another_organisations_people_never_appear(make, admin, people, elsewhere, app,
                                                   client):
    assert names(fragment(client, "bea")) == ["Bea Boss"]
    form = TeamForm(client)
    assert names(form.send(("find_managers", "y"), manager_search="bea")) == ["Bea Boss"]
    foreign_admin = app.test_client()
    db.session.add(User(organization=elsewhere, email="admin@elsewhere.example",
                        name="Other Admin", password_hash="x"))
    db.session.commit()
    other = db.session.scalar(select(User).where(User.email == "admin@elsewhere.example"))
    other.roles = ("admin",)
    accounts.set_password(other, "a long enough password", app.config["PASSWORD_HASH_METHOD"])
    db.session.commit()
    Auth(foreign_admin).sign_in("admin@elsewhere.example", "a long enough password")
    assert names(fragment(foreign_admin, "bea")) == ["Bea Foreign"]
    assert names(fragment(foreign_admin, "example.com")) == []


def test_someone_of_another_organisation_cannot_be_added_nor_saved_as_a_manager(
        admin, people, elsewhere, client):
    foreign = db.session.scalar(select(User).where(User.organization_id == elsewhere.id))
    form = TeamForm(client)
    refused = form.send(("add_manager", str(foreign.id)))
    assert refused.status_code == 422
    assert "not one of your organisation’s people" in refused.text
    assert "Bea Foreign" not in refused.text and form.chosen() == []
    saved = form.send(manager_ids=[str(people["bea"].id), str(foreign.id)])
    assert saved.status_code == 422
    assert "not one of your organisation’s people" in saved.text
    assert db.session.scalar(select(Team).where(Team.name == "Field")) is None


# At scale


@pytest.fixture
def thousand(make, admin):
    """A thousand more people in the organisation, inserted at once."""
    db.session.execute(insert(User), [
        {"organization_id": make.organization.id, "email": f"person{n:04}@example.com",
         "name": f"Person {n:04}", "password_hash": "x"} for n in range(1000)])
    db.session.commit()


def statements(app):
    """Counts the SQL statements run while it is open."""
    counted = []
    listen = lambda *args: counted.append(args[2])  # noqa: E731
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    return counted, lambda: event.remove(engine, "before_cursor_execute", listen)


def test_with_a_thousand_people_a_search_shows_twenty_and_asks_for_more(app, thousand,
                                                                        client):
    counted, stop = statements(app)
    try:
        response = fragment(client, "person")
    finally:
        stop()
    assert len(names(response)) == 20
    assert names(response)[0] == "Person 0000"
    assert "The first 20 people found. Type more of a name or email" in response.text
    people_queries = [sql for sql in counted if "FROM users" in sql]
    # Who is signed in, then the search (its LIMIT) and the teams of the people found.
    assert len(counted) <= 8, counted
    assert any("LIMIT" in sql for sql in people_queries)
    assert len(names(fragment(client, "person 0999"))) == 1


def test_with_a_thousand_people_the_team_form_lists_nobody_it_was_not_asked_for(
        make, thousand, client):
    team = make.team("North")
    for url in ("/admin/teams/new", f"/admin/teams/{team.id}/edit"):
        page = client.get(url)
        assert page.status_code == 200
        assert "Person 0" not in page.text
        assert len(page.text) < 20_000


# The People table


def test_the_people_table_shows_the_team_each_is_in_and_the_teams_they_lead(make, admin,
                                                                            client):
    north, south = make.team("North"), make.team("South")
    make.user("bea@example.com", roles=("manager", "rep"), name="Bea Boss", team=north)
    bea = db.session.scalar(select(User).where(User.email == "bea@example.com"))
    bea.managed_teams = [north, south]
    db.session.commit()
    page = client.get("/admin/users")
    row = re.search(r"<tr>\s*<th scope=\"row\"><a[^>]*>Bea Boss</a>.*?</tr>", page.text, re.S)
    assert '<th scope="col">Leads</th>' in page.text
    assert re.search(r'data-label="Team">North</td>', row.group(0))
    assert re.search(r'data-label="Leads">North, South</td>', row.group(0))


def test_with_a_thousand_people_the_people_table_comes_a_page_at_a_time(thousand, client):
    rows = lambda page: re.findall(r'<th scope="row"><a[^>]*>([^<]+)</a>', page.text)  # noqa: E731
    first = client.get("/admin/users")
    assert first.status_code == 200
    assert len(rows(first)) == 50 and rows(first)[0] == "Ada Admin"
    assert "1–50 of 1,001 people" in first.text
    assert 'rel="next" href="/admin/users?page=2"' in first.text
    assert 'rel="prev"' not in first.text

    last = client.get("/admin/users?page=21")
    assert rows(last) == ["Person 0999"]
    assert "1,001–1,001 of 1,001 people" in last.text
    assert 'rel="prev" href="/admin/users?page=20"' in last.text and 'rel="next"' not in last.text
    assert rows(client.get("/admin/users?page=99")) == ["Person 0999"]  # past the end: the last

    searched = client.get("/admin/users?q=person09&page=2", headers={"HX-Request": "true"})
    assert "<html" not in searched.text
    assert rows(searched)[0] == "Person 0950"
    assert "51–100 of 100 people" in searched.text
    assert 'href="/admin/users?q=person09&amp;page=1"' in searched.text
    assert client.get("/admin/users?page=two").status_code == 400
