"""The coaching template editor (admins), its rules, and the starter templates."""

import pytest
from sqlalchemy import select

from extensions import db
from models import CoachingTemplate, CoachingTemplateSection
from services import coaching, coaching_starters, coaching_templates
from tests.conftest import Auth, at

NOW = at(2026, 11, 4, 9)


@pytest.fixture
def admin(make, auth):
    user = make.user("admin@example.com", roles=("admin",), name="Ada Admin", locale="en")
    auth.sign_in("admin@example.com")
    return user


def post(auth, url, data=None, **kwargs):
    return auth.post(url, data or {}, page="/admin/coaching-templates", **kwargs)


def template_with(make, *kinds):
    template = coaching_templates.save_template(
        db.session, make.organization, None, name="Field visit review", description="", active=True)
    specs = {
        "text": dict(kind="text", title="Wins"),
        "checklist": dict(kind="checklist", title="Close", options={"items": ["Agreed"]}),
        "talking_points": dict(kind="talking_points", title="Cover",
                               options={"points": ["Numbers"]}),
        "snapshot": dict(kind="snapshot", title="Numbers", options={"period": "month"}),
        "rating": dict(kind="rating", title="Discovery", options={"points": [
            {"value": 2, "label": "Solid", "definition": "Asks open questions."},
            {"value": 1, "label": "Not yet", "definition": "Talks more than the customer."}]}),
    }
    for kind in kinds:
        coaching_templates.add_section(db.session, template, **specs[kind])
    db.session.commit()
    return template


def rating_fields(**fields):
    data = {"title": "Discovery", "prompt": "",
            "points-0-value": "1", "points-0-label": "Not yet",
            "points-0-definition": "Asks only closed questions.",
            "points-1-value": "2", "points-1-label": "Solid",
            "points-1-definition": "Asks open questions and confirms the need."}
    return {**data, **fields}


# The rules


def test_rating_points_are_kept_in_order_of_their_value(make):
    template = template_with(make, "rating")

    points = template.sections[0].options["points"]

    assert [point["value"] for point in points] == [1, 2]


@pytest.mark.parametrize("options", [
    {"points": [{"value": 1, "label": "Only", "definition": "One point"}]},
    {"points": [{"value": 1, "label": "A", "definition": "a"},
                {"value": 1, "label": "B", "definition": "b"}]},
    {"points": [{"value": 1, "label": "A", "definition": ""},
                {"value": 2, "label": "B", "definition": "b"}]},
])
def test_a_rating_needs_two_points_with_distinct_values_labels_and_definitions(options):
    with pytest.raises(coaching_templates.InvalidSection):
        coaching_templates.clean_options("rating", options)


def test_sections_move_up_and_down_and_stay_put_at_either_end(make):
    template = template_with(make, "text", "checklist", "snapshot")
    first, second, third = template.sections

    coaching_templates.move_section(template, third, "up")
    coaching_templates.move_section(template, first, "up")  # first already: nothing moves
    db.session.commit()
    db.session.expire_all()

    assert [section.title for section in template.sections] == ["Wins", "Numbers", "Close"]
    assert [section.position for section in template.sections] == [0, 1, 2]


def test_removing_a_section_numbers_the_rest_again(make):
    template = template_with(make, "text", "checklist", "snapshot")

    coaching_templates.remove_section(db.session, template, template.sections[0])
    db.session.commit()
    db.session.expire_all()

    assert [(s.title, s.position) for s in template.sections] == [("Close", 0), ("Numbers", 1)]


def test_editing_a_template_never_changes_a_session_already_made(make):
    template = template_with(make, "rating", "checklist")
    manager = make.user("boss@example.com", roles=("manager",))
    team = make.team("Field", managers=[manager])
    rep = make.user("rep@example.com", team=team)
    made = coaching.start_session(db.session, coach=manager, rep=rep, template=template,
                                  now=NOW)
    db.session.commit()

    coaching_templates.update_section(
        template.sections[1], title="Changed", prompt="", options={"items": ["Other"]},
        rep_answers=True)
    coaching_templates.remove_section(db.session, template, template.sections[0])
    db.session.commit()
    db.session.expire_all()

    assert [section.title for section in made.sections] == ["Discovery", "Close"]
    assert made.sections[1].options == {"items": ["Agreed"]}
    assert not made.sections[1].rep_answers


# Starter templates


@pytest.mark.parametrize("language", coaching_starters.LANGUAGES)
def test_every_starter_is_a_valid_template_in_every_language(language):
    starters = coaching_starters.starters(language)

    assert [starter["key"] for starter in starters] == [
        "weekly", "pipeline", "ride_along", "new_hire"]
    for starter in starters:
        for section in starter["sections"]:
            coaching_templates.clean_options(section["kind"], section["options"])
    ride_along = starters[2]
    assert sum(section["kind"] == "rating" for section in ride_along["sections"]) >= 5


def test_the_starters_have_the_same_shape_in_every_language():
    shapes = {
        language: [[(s["kind"], s["rep_answers"], len(s["options"].get("points", ())))
                    for s in starter["sections"]]
                   for starter in coaching_starters.starters(language)]
        for language in coaching_starters.LANGUAGES}

    assert shapes["en"] == shapes["it"] == shapes["ja"]


def test_starters_are_added_once(make):
    first = coaching_templates.add_starters(db.session, make.organization, "it")
    again = coaching_templates.add_starters(db.session, make.organization, "it")
    db.session.commit()

    assert [template.name for template in first][0] == "1:1 settimanale"
    assert again == []
    assert len(coaching_templates.templates(db.session, make.organization.id)) == 4


def test_an_admin_adds_the_starter_templates_in_their_own_language(make, client):
    make.user("admin@example.com", roles=("admin",), locale="ja")
    auth = Auth(client)
    auth.sign_in("admin@example.com")

    page = client.get("/admin/coaching-templates")
    assert "週次1on1" in page.text
    response = post(auth, "/admin/coaching-templates/starters")

    assert response.status_code == 302
    names = set(db.session.scalars(select(CoachingTemplate.name)))
    assert names == {"週次1on1", "パイプラインレビュー", "同行訪問", "新入社員チェックイン"}
    page = client.get("/admin/coaching-templates")
    assert 'action="/admin/coaching-templates/starters"' not in page.text


# The editor


def test_the_list_shows_each_template_and_links_to_it(make, admin, client):
    template = template_with(make, "rating", "text")

    page = client.get("/admin/coaching-templates")

    assert page.status_code == 200
    assert f'href="/admin/coaching-templates/{template.id}"' in page.text
    assert "2 sections: Rating scale, Free text" in page.text
    assert 'href="/admin/coaching-templates"' in client.get("/admin/users").text  # in the nav


def test_an_admin_creates_a_template_and_goes_on_to_its_sections(admin, auth):
    response = post(auth, "/admin/coaching-templates/new",
                    {"name": "Quarterly review", "description": "Once a quarter."})

    template = db.session.scalar(select(CoachingTemplate))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/coaching-templates/{template.id}"
    assert (template.name, template.description, template.active) == (
        "Quarterly review", "Once a quarter.", True)


def test_a_template_without_a_name_is_a_422_with_a_message(admin, auth):
    response = post(auth, "/admin/coaching-templates/new", {"name": "  "})

    assert response.status_code == 422
    assert "This field is required." in response.text
    assert db.session.scalar(select(CoachingTemplate)) is None


def test_an_admin_deactivates_a_template(make, admin, auth):
    template = template_with(make, "text")

    response = post(auth, f"/admin/coaching-templates/{template.id}",
                    {"name": "Field visit review", "description": ""})

    assert response.status_code == 302
    assert template.active is False


def test_an_admin_adds_a_rating_section_with_its_points(make, admin, auth, client):
    template = template_with(make)
    url = f"/admin/coaching-templates/{template.id}/sections/new?kind=rating"
    assert client.get(url).status_code == 200

    response = post(auth, url, rating_fields(**{"points-0-value": "3", "rep_answers": "y"}))

    assert response.status_code == 302
    section = db.session.scalar(select(CoachingTemplateSection))
    assert section.kind == "rating" and section.rep_answers
    assert section.options["points"] == [
        {"value": 2, "label": "Solid", "definition": "Asks open questions and confirms the need."},
        {"value": 3, "label": "Not yet", "definition": "Asks only closed questions."}]


@pytest.mark.parametrize("fields, message", [
    ({"points-1-value": "", "points-1-label": "", "points-1-definition": ""},
     "A rating scale needs at least 2 points."),
    ({"points-1-value": "1"}, "Another point has this number already."),
    ({"points-1-definition": ""}, "Describe what a coach sees or hears at this point."),
    ({"points-1-label": ""}, "Give the point a label"),
    ({"points-1-value": "x"}, "Use a whole number from 0 to 100."),
    ({"points-1-value": "999"}, "Use a whole number from 0 to 100."),
    ({"points-1-value": ""}, "Give the point its number."),
    ({"title": ""}, "This field is required."),
    ({"points-1-label": "Bad\x00label"}, "Remove the invisible control characters"),
])
def test_a_rating_that_does_not_hold_together_is_a_422_saying_why(make, admin, auth, fields,
                                                                  message):
    template = template_with(make)

    response = post(auth, f"/admin/coaching-templates/{template.id}/sections/new?kind=rating",
                    rating_fields(**fields))

    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(CoachingTemplateSection)) is None


def test_a_checklist_takes_one_item_per_line(make, admin, auth):
    template = template_with(make)
    url = f"/admin/coaching-templates/{template.id}/sections/new?kind=checklist"

    empty = post(auth, url, {"title": "Close", "lines": " \n "})
    response = post(auth, url, {"title": "Close", "lines": "Agreed actions\n\n Next date \n"})

    assert empty.status_code == 422 and "Write at least one line." in empty.text
    assert response.status_code == 302
    section = db.session.scalar(select(CoachingTemplateSection))
    assert section.options == {"items": ["Agreed actions", "Next date"]}


def test_an_unknown_kind_is_a_400(make, admin, client):
    template = template_with(make)

    response = client.get(f"/admin/coaching-templates/{template.id}/sections/new?kind=poll")

    assert response.status_code == 400


def test_editing_a_section_shows_what_it_holds_and_saves_changes(make, admin, auth, client):
    template = template_with(make, "snapshot", "rating")
    snapshot, rating = template.sections
    url = f"/admin/coaching-templates/{template.id}/sections/{rating.id}"

    page = client.get(url)
    assert 'value="Talks more than the customer."' not in page.text  # a textarea
    assert "Talks more than the customer." in page.text
    response = post(auth, f"/admin/coaching-templates/{template.id}/sections/{snapshot.id}",
                    {"title": "The quarter", "period": "quarter"})

    assert response.status_code == 302
    assert snapshot.options == {"period": "quarter"} and snapshot.title == "The quarter"


def test_preview_shows_the_section_as_typed_and_saves_nothing(make, admin, auth):
    template = template_with(make)
    url = f"/admin/coaching-templates/{template.id}/sections/new?kind=rating"

    page = post(auth, url, rating_fields(preview="1", **{"points-1-definition": "Listens."}))
    fragment = post(auth, url, rating_fields(preview="1"), headers={"HX-Request": "true"})

    assert page.status_code == 200 and "<html" in page.text and "Listens." in page.text
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="section-preview"' in fragment.text
    assert "Asks only closed questions." in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert db.session.scalar(select(CoachingTemplateSection)) is None


def test_an_admin_moves_and_removes_sections(make, admin, auth):
    template = template_with(make, "text", "checklist")
    wins, close = template.sections
    base = f"/admin/coaching-templates/{template.id}/sections"

    moved = post(auth, f"{base}/{close.id}/move", {"direction": "up"})
    removed = post(auth, f"{base}/{wins.id}/delete")

    assert moved.status_code == removed.status_code == 302
    db.session.expire_all()
    assert [section.title for section in template.sections] == ["Close"]


def test_another_templates_section_is_a_404(make, admin, auth, client):
    one, other = template_with(make, "text"), template_with(make, "text")

    url = f"/admin/coaching-templates/{one.id}/sections/{other.sections[0].id}"

    assert client.get(url).status_code == 404
    assert post(auth, f"{url}/delete").status_code == 404
    assert len(other.sections) == 1


def test_another_organisations_template_is_a_404(app, make, client):
    template = template_with(make, "text")
    from tests.conftest import Factory

    elsewhere = Factory(app)
    elsewhere.user("admin@elsewhere.example", roles=("admin",))
    Auth(client).sign_in("admin@elsewhere.example")

    assert client.get(f"/admin/coaching-templates/{template.id}").status_code == 404
    assert template.name not in client.get("/admin/coaching-templates").text


@pytest.mark.parametrize("roles", [("rep",), ("manager",), ("executive",)])
def test_only_admins_edit_coaching_templates(make, client, roles):
    template = template_with(make, "text")
    make.user("someone@example.com", roles=roles)
    auth = Auth(client)
    auth.sign_in("someone@example.com")

    assert client.get("/admin/coaching-templates").status_code == 403
    assert client.get(f"/admin/coaching-templates/{template.id}").status_code == 403
    response = auth.post(f"/admin/coaching-templates/{template.id}/sections/"
                         f"{template.sections[0].id}/delete", page="/account/password")
    assert response.status_code == 403
