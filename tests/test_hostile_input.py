"""Bad input gets a 4xx with a message, never a 500: period keys at the ends of the calendar,
ids no row can have, digits int() refuses, numbers that are not numbers, messages WTForms
%-formats, and query parameters that collide with url_for's own."""

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from wtforms import validators

from blueprints.admin import forms as admin_forms
from blueprints.auth import forms as auth_forms
from blueprints.fields import parse_number
from blueprints.goals import forms as goal_forms
from blueprints.today import forms as today_forms
from extensions import db
from models import Activity, Goal, ScorecardTemplate, Team, TimeOff
from tests import test_scorecards as screens
from tests.conftest import Auth, csrf_token
from tests.test_goals import template_form

# The organisation and clock of the scorecard screens' tests: Rome, weeks from Monday, the
# fiscal year from January, now Wednesday 25 November 2026.
org, fixed_clock = screens.org, screens.fixed_clock

SOME = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

EDGE_KEYS = ["day-0001-01-01", "day-9999-12-31", "week-9999-12-27", "month-0001-01-01",
             "year-0001-01-01", "year-9998-01-01", "year-9999-01-01", "week-0001-01-01",
             "quarter-9999-10-01", "day-1899-12-31", "day-3000-01-01"]
OUT_OF_RANGE = "Pacer shows periods from 1900 to 2999"


@pytest.fixture
def as_exec(org, app):
    """A client signed in as the executive (who sees every page with a period switcher but
    the rep's own scorecard) and one signed in as the rep Ada."""
    executive, rep = app.test_client(), app.test_client()
    Auth(executive).sign_in("exec@example.com")
    Auth(rep).sign_in("ada@example.com")
    return executive, rep


def switcher_pages(org):
    """(who, URL without the period) of every page with a period switcher."""
    person, team, calls = org.ada.id, org.field.id, "metric=calls"
    return [
        ("rep", "/scorecard?"),
        ("exec", f"/people/{person}/scorecard?"),
        ("exec", f"/teams/{team}?"),
        ("exec", "/company?"),
        ("exec", f"/company?{calls}&"),
        ("exec", f"/company/teams/{team}?{calls}&"),
        ("exec", f"/activities?{calls}&"),
        ("exec", f"/activities?{calls}&person={person}&"),
        ("exec", f"/activities?{calls}&team={team}&"),
        ("exec", "/goals/company?"),
        ("exec", f"/goals/teams/{team}?"),
        ("exec", f"/goals/people/{person}?"),
    ]


def get(clients, who, url):
    executive, rep = clients
    return (rep if who == "rep" else executive).get(url)


# Period keys


@pytest.mark.parametrize("key", EDGE_KEYS)
def test_a_period_at_the_ends_of_the_calendar_is_a_400_that_says_which_years(org, as_exec,
                                                                              key):
    for who, url in switcher_pages(org):
        response = get(as_exec, who, url + f"period={key}")
        assert response.status_code == 400, (url, key)
        assert OUT_OF_RANGE in response.text, (url, key)


def test_the_first_and_last_periods_show_and_offer_no_step_outside(org, as_exec):
    first_and_last = [("day-1900-01-01", "prev"), ("week-1900-01-01", "prev"),
                      ("year-1900-01-01", "prev"), ("day-2999-12-31", "next"),
                      ("month-2999-12-01", "next"), ("year-2999-01-01", "next")]
    for who, url in switcher_pages(org):
        for key, missing in first_and_last:
            response = get(as_exec, who, url + f"period={key}")
            assert response.status_code == 200, (url, key)
            assert f'rel="{missing}"' not in response.text, (url, key)


def test_every_period_link_at_the_ends_of_the_range_leads_to_a_page(org, as_exec):
    sunday_weeks = org.organization
    sunday_weeks.week_start = 6  # the week holding 1 January 1900 then starts in 1899
    db.session.commit()
    for key in ("day-1900-01-01", "week-1899-12-31", "year-1900-01-01", "day-2999-12-31",
                "week-2999-12-29"):
        page = get(as_exec, "exec", f"/teams/{org.field.id}?period={key}")
        assert page.status_code == 200, key
        links = set(re.findall(r'href="(/teams/[^"]*period=[^"]*)"', page.text))
        assert links
        for link in links:
            assert get(as_exec, "exec", link.replace("&amp;", "&")).status_code == 200, link


def period_start(kind, day):
    """The first day of the period of `kind` holding `day` (weeks from Monday, years from
    January), worked out without periods.py; None before 1 January of year 1."""
    try:
        return _period_start(kind, day)
    except OverflowError:
        return None


def _period_start(kind, day):
    if kind == "day":
        return day
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


KINDS = st.sampled_from(["day", "week", "month", "quarter", "year"])


@SOME
@given(kind=KINDS, day=st.dates(), snap=st.booleans(), page=st.integers(0, 11))
def test_any_dated_period_key_is_a_page_or_a_400(org, as_exec, kind, day, snap, page):
    if snap:
        day = period_start(kind, day) or day
    who, url = switcher_pages(org)[page]
    response = get(as_exec, who, url + f"period={kind}-{day.isoformat()}")
    starts = period_start(kind, day) == day
    if not starts or not 1899 <= day.year <= 2999:
        assert response.status_code == 400, (url, kind, day)
    elif day.year >= 1900:
        assert response.status_code == 200, (url, kind, day)
    else:  # 1899: a period that runs into 1900 is shown
        assert response.status_code in (200, 400), (url, kind, day)


@SOME
@given(key=st.text(max_size=30), page=st.integers(0, 11))
def test_any_text_as_a_period_is_a_page_or_a_400(org, as_exec, key, page):
    who, url = switcher_pages(org)[page]
    response = get(as_exec, who, url + "period=" + key.replace("&", "%26").replace("#", "%23"))
    assert response.status_code in (200, 400), (url, key)


# Ids no row can have


def id_routes(org):
    """(method, URL pattern) of every route loading an object by an id in its path."""
    return [
        ("GET", "/people/{}/scorecard"),
        ("GET", "/teams/{}"),
        ("GET", "/company/teams/{}?metric=calls"),
        ("GET", "/goals/teams/{}"),
        ("GET", "/goals/people/{}"),
        ("GET", "/goals/people/{}/time-off"),
        ("GET", "/goals/templates/{}"),
        ("POST", "/goals/templates/{}/delete"),
        ("POST", "/goals/time-off/{}/delete"),
        ("GET", "/admin/users/{}/edit"),
        ("GET", "/admin/teams/{}/edit"),
        ("GET", "/admin/metrics/{}/edit"),
        ("POST", "/today/activities/{}/undo"),
    ]


@pytest.fixture
def as_admin(org, app):
    """A client signed in as the administrator and one signed in as the rep Ada (for undo),
    each with the CSRF token of its session."""
    admin, rep = app.test_client(), app.test_client()
    Auth(admin).sign_in("admin@example.com")
    Auth(rep).sign_in("ada@example.com")
    return {"admin": (admin, csrf_token(admin.get("/goals").text)),
            "rep": (rep, csrf_token(rep.get("/today").text))}


def request_id(clients, org, method, pattern, object_id):
    client, token = clients["rep" if "/today/" in pattern else "admin"]
    url = pattern.format(object_id)
    if method == "POST":
        return client.post(url, data={"csrf_token": token})
    return client.get(url)


EDGE_IDS = [0, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30]


@pytest.mark.parametrize("object_id", EDGE_IDS)
def test_an_id_no_row_can_have_is_a_404_on_every_loader(org, as_admin, object_id):
    for method, pattern in id_routes(org):
        response = request_id(as_admin, org, method, pattern, object_id)
        assert response.status_code == 404, (pattern, object_id)


@SOME
@given(object_id=st.integers(min_value=2**31, max_value=2**70), route=st.integers(0, 12))
def test_any_huge_id_is_a_404(org, as_admin, object_id, route):
    method, pattern = id_routes(org)[route]
    assert request_id(as_admin, org, method, pattern, object_id).status_code == 404


def test_the_loaders_still_find_real_rows(org, as_admin):
    entry = TimeOff(user_id=org.ada.id, first_day=date(2026, 11, 26),
                    last_day=date(2026, 11, 26))
    db.session.add(entry)
    db.session.commit()
    template = db.session.scalar(select(ScorecardTemplate))
    for pattern, object_id in [("/people/{}/scorecard", org.ada.id), ("/teams/{}", org.field.id),
                               ("/goals/templates/{}", template.id),
                               ("/admin/users/{}/edit", org.ada.id)]:
        assert request_id(as_admin, org, "GET", pattern, object_id).status_code == 200
    assert request_id(as_admin, org, "POST", "/goals/time-off/{}/delete",
                      entry.id).status_code == 302


# Whole-number query parameters


@pytest.mark.parametrize("value", ["²", "٣", "１２", "1.5", "-1", "+1", " 1", "1e3", "0x10",
                                   "99999999999", str(2**31), str(2**63), "9" * 13])
@pytest.mark.parametrize("name", ["person", "team", "page"])
def test_a_whole_number_parameter_takes_only_ascii_digits_in_range(org, as_exec, name, value):
    response = as_exec[0].get("/activities", query_string={"metric": "calls", name: value})
    assert response.status_code == 400
    assert f"“{name}” must be a whole number from 0 to 2147483647." in response.text


def test_a_person_or_team_of_id_0_does_not_exist(org, as_exec):
    for name in ("person", "team"):
        response = as_exec[0].get("/activities", query_string={"metric": "calls", name: "0"})
        assert response.status_code == 404


@SOME
@given(value=st.text(max_size=15), name=st.sampled_from(["person", "team", "page"]))
def test_any_text_as_a_whole_number_parameter_is_never_a_500(org, as_exec, name, value):
    response = as_exec[0].get("/activities", query_string={"metric": "calls", name: value})
    assert response.status_code in (200, 400, 404)
    if value and not re.fullmatch(r"[0-9]{1,10}", value):
        assert response.status_code == 400


# Numbers on Today


@pytest.fixture
def today(org, app):
    """Post Ada's Today form for calls (which take a measured value from 5 up)."""
    org.calls.quality_min = 5
    db.session.commit()
    client = app.test_client()
    Auth(client).sign_in("ada@example.com")
    token = csrf_token(client.get("/today").text)

    def post(**fields):
        data = {"csrf_token": token, "metric": "calls", "client_id": str(uuid.uuid4()),
                "quantity": "1", **fields}
        return client.post("/today/log", data=data)

    return post


def logged():
    return db.session.scalar(select(func.count(Activity.id)))


@SOME
@given(text=st.one_of(st.text(max_size=45), st.decimals().map(str), st.floats().map(str)))
def test_parse_number_gives_a_finite_decimal_or_a_value_error(app, text):
    try:
        with app.test_request_context():  # its messages are in the asker's language
            number = parse_number(text)
    except ValueError:
        return
    assert number is None or (number.is_finite() and abs(number) <= 10**15)


@SOME
@given(number=st.decimals(min_value=-(10**15), max_value=10**15, places=4))
def test_parse_number_reads_back_any_number_it_may_hold(app, number):
    assert parse_number(f"{number:f}") == number


@pytest.mark.parametrize("field", ["quantity", "value"])
@pytest.mark.parametrize("text", ["sNaN", "-sNaN", "NaN", "nan", "Infinity", "-inf", "1e400",
                                  "1" * 500, "²", "1_000", "0x1", "1,5"])
def test_a_number_that_is_not_one_is_refused_on_today_and_nothing_is_logged(today, field,
                                                                             text):
    response = today(**{field: text})
    assert response.status_code == 422
    assert ("Enter a number, such as 12 or 2.5." in response.text
            or "That number is too large." in response.text)
    assert logged() == 0


@pytest.mark.parametrize("quantity", ["0.01", "2.5", "1e3", "1000000000"])
def test_ordinary_numbers_are_logged(today, quantity):
    assert today(quantity=quantity).status_code == 302
    assert db.session.scalar(select(Activity.quantity)) == float(Decimal(quantity))


@SOME
@given(number=st.decimals(allow_nan=True, allow_infinity=True))
def test_any_decimal_as_a_quantity_is_logged_or_refused_by_its_range(today, number):
    before = logged()
    response = today(quantity=str(number))
    # Up to 40 characters: longer is not typed, and is refused whatever its value.
    in_range = (number.is_finite() and Decimal("0.01") <= number <= 1_000_000_000
                and len(str(number)) <= 40)
    assert response.status_code == (302 if in_range else 422), number
    assert logged() == before + (1 if in_range else 0)


@SOME
@given(text=st.text(max_size=20))
def test_any_text_as_a_value_is_never_a_500(today, text):
    assert today(value=text).status_code in (302, 422)


# Numbers and messages in the goals and admin forms


@pytest.fixture
def as_manager(org, app):
    client = app.test_client()
    Auth(client).sign_in("mara@example.com")
    token = csrf_token(client.get("/goals").text)
    return lambda url, data: client.post(url, data={"csrf_token": token, **data})


def templates():
    return db.session.scalar(select(func.count(ScorecardTemplate.id)))


@pytest.mark.parametrize("cap, message", [
    ("99", "Use a cap from 100% to 1000%."), ("1200", "Use a cap from 100% to 1000%."),
    ("-1e9", "Use a cap from 100% to 1000%."), ("nan", "Enter a number, such as 12 or 2.5."),
    ("sNaN", "Enter a number, such as 12 or 2.5."), ("inf", "Enter a number, such as 12 or 2.5."),
])
def test_a_template_cap_out_of_range_is_a_form_error(org, as_manager, cap, message):
    before = templates()
    response = as_manager("/goals/templates/new", template_form(org, **{"items-0-cap_percent":
                                                                        cap}))
    assert response.status_code == 422
    assert message in response.text
    assert templates() == before


@SOME
@given(field=st.sampled_from(["weight", "cap_percent", "target"]),
       text=st.one_of(st.text(max_size=12), st.decimals().map(str), st.floats().map(str)))
def test_any_text_in_a_template_number_is_saved_or_refused_never_a_500(org, as_manager,
                                                                         field, text):
    response = as_manager("/goals/templates/new",
                          template_form(org, name=f"T {uuid.uuid4()}",
                                        **{f"items-0-{field}": text}))
    assert response.status_code in (302, 422)


def test_the_template_form_in_italian_shows_the_cap_message_translated(org, app):
    client = app.test_client()
    Auth(client).sign_in("mara@example.com")
    org.mara.locale = "it"
    db.session.commit()
    token = csrf_token(client.get("/goals").text)
    response = client.post("/goals/templates/new", data={
        "csrf_token": token, **template_form(org, **{"items-0-cap_percent": "99"})})
    assert response.status_code == 422
    assert "Use a cap" not in response.text and "1000%" in response.text


@pytest.mark.parametrize("text", ["sNaN", "NaN", "Infinity", "1e400", "²"])
def test_goal_values_that_are_not_numbers_are_refused(org, as_manager, text):
    response = as_manager(f"/goals/teams/{org.field.id}", {f"m{org.calls.id}": text})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Goal.id))) == 0


def test_no_validator_message_in_the_app_holds_a_bare_percent_sign():
    """WTForms %-formats the messages of its validators (NumberRange, Length, ...): a literal
    % in one crashes the form when it is shown. Our Between shows its message as written."""
    formatting = (validators.NumberRange, validators.Length)
    for module in (admin_forms, auth_forms, goal_forms, today_forms):
        for form in vars(module).values():
            for field in vars(form).values() if isinstance(form, type) else ():
                for validator in getattr(field, "kwargs", {}).get("validators", ()):
                    message = getattr(validator, "message", None)
                    if isinstance(validator, formatting) and message is not None:
                        assert re.search(r"%(?!\(\w+\)s|%)", str(message)) is None, message


# Query parameters on a POST that redirects


@pytest.mark.parametrize("extra", ["team_id=999", "endpoint=core.index", "_method=DELETE",
                                   "person_id=1", "_external=1&_scheme=javascript",
                                   "_anchor=x", "values=1"])
def test_a_goals_post_keeps_only_its_scope_in_the_redirect(org, as_exec, extra):
    executive = as_exec[0]
    token = csrf_token(executive.get("/goals").text)
    url = f"/goals/teams/{org.field.id}?period=month-2026-11-01&{extra}"
    response = executive.post(url, data={"csrf_token": token, f"m{org.calls.id}": "40"})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.fragment) == ("", "", "")
    assert location.path == f"/goals/teams/{org.field.id}"
    assert parse_qs(location.query) == {"period": ["month-2026-11-01"]}
    goals = db.session.scalars(select(Goal)).all()
    assert [(goal.team_id, goal.value) for goal in goals] == [(org.field.id, 40)]


def test_a_goals_post_for_standing_goals_keeps_the_kind(org, as_exec):
    executive = as_exec[0]
    token = csrf_token(executive.get("/goals").text)
    response = executive.post(f"/goals/people/{org.ada.id}?kind=month&team_id=1&_method=PUT",
                              data={"csrf_token": token, f"m{org.calls.id}": "7"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/goals/people/{org.ada.id}?kind=month"


# Dates at the ends of the calendar in forms


@pytest.mark.parametrize("first, last", [("0001-01-01", "0001-01-02"),
                                         ("9999-12-30", "9999-12-31"),
                                         ("2026-11-26", "9999-12-31")])
def test_time_off_at_the_ends_of_the_calendar_never_breaks_a_page(org, as_exec, first, last):
    executive = as_exec[0]
    token = csrf_token(executive.get("/goals").text)
    response = executive.post(f"/goals/people/{org.ada.id}/time-off",
                              data={"csrf_token": token, "first_day": first, "last_day": last})
    assert response.status_code in (302, 422)
    for url in (f"/people/{org.ada.id}/scorecard", f"/teams/{org.field.id}", "/company",
                f"/goals/people/{org.ada.id}/time-off", f"/goals/people/{org.ada.id}"):
        assert executive.get(url).status_code == 200, url


@pytest.mark.parametrize("started_on", ["0001-01-01", "9999-12-31"])
def test_a_start_date_at_the_ends_of_the_calendar_never_breaks_a_page(org, as_exec, started_on):
    org.bo.started_on = date.fromisoformat(started_on)
    db.session.commit()
    executive = as_exec[0]
    for url in (f"/people/{org.bo.id}/scorecard", f"/teams/{org.field.id}", "/company",
                f"/goals/people/{org.bo.id}"):
        assert executive.get(url).status_code == 200, url


# Control characters: PostgreSQL refuses NUL with an error


@pytest.mark.parametrize("url", ["/company?metric=%00", "/activities?metric=%00",
                                 "/activities?metric=calls%00", "/company?metric=" + "a" * 500])
def test_a_metric_key_no_metric_can_have_is_a_404(org, as_exec, url):
    assert as_exec[0].get(url).status_code == 404


def test_the_company_team_view_with_a_key_no_metric_can_have_is_a_404(org, as_exec):
    assert as_exec[0].get(f"/company/teams/{org.field.id}?metric=%00").status_code == 404


@pytest.mark.parametrize("search", ["\x00", "a\x00b", "\x1b[2J"])
def test_a_search_with_control_characters_is_a_400(org, as_admin, search):
    response = as_admin["admin"][0].get("/admin/users", query_string={"q": search})
    assert response.status_code == 400
    assert "“q” must be plain text, without control characters." in response.text


def test_a_search_for_visible_text_still_finds_people(org, as_admin):
    response = as_admin["admin"][0].get("/admin/users", query_string={"q": "  ada  "})
    assert response.status_code == 200 and "ada@example.com" in response.text


# The team form's manager search (blueprints/admin)

FRAGMENT = {"HX-Request": "true"}


@pytest.mark.parametrize("search", ["a" * 100_000, "%_\\'\"<script>", "ａｄａ", "🙂" * 50,
                                    " ".join(["ada"] * 500)])
def test_a_huge_or_odd_manager_search_is_answered_never_a_500(org, as_admin, search):
    response = as_admin["admin"][0].get("/admin/teams/managers", headers=FRAGMENT,
                                        query_string={"manager_search": search})
    assert response.status_code == 200
    assert "<script>" not in response.text


@pytest.mark.parametrize("search", ["\x00", "ada\x1b"])
def test_a_manager_search_with_control_characters_is_a_400(org, as_admin, search):
    response = as_admin["admin"][0].get("/admin/teams/managers", headers=FRAGMENT,
                                        query_string={"manager_search": search})
    assert response.status_code == 400
    assert "must be plain text" in response.text


@pytest.mark.parametrize("ids", [["abc"], ["0"], ["-1"], ["2147483648"], ["9" * 40], ["1.5"],
                                 ["²"], [""]])
def test_chosen_managers_that_are_not_ids_are_a_4xx_with_a_message(org, as_admin, ids):
    admin, token = as_admin["admin"]
    search = admin.get("/admin/teams/managers", headers=FRAGMENT,
                       query_string={"manager_search": "ada", "manager_ids": ids})
    assert search.status_code == 400
    assert "not one of your organisation’s people" in search.text
    for field in ("manager_ids", "add_manager", "remove_manager"):
        response = admin.post("/admin/teams/new", data={
            "csrf_token": token, "name": "Hostile", "parent_id": "", field: ids})
        assert response.status_code == 422, field
        assert "not one of your organisation’s people" in response.text
    assert db.session.scalar(select(func.count()).where(Team.name == "Hostile")) == 0


def test_a_manager_search_sent_with_the_form_with_control_characters_is_a_422(org, as_admin):
    admin, token = as_admin["admin"]
    response = admin.post("/admin/teams/new", data={
        "csrf_token": token, "name": "Hostile", "find_managers": "y", "manager_search": "a\x00"})
    assert response.status_code == 422
    assert "Remove the invisible control characters" in response.text


@pytest.mark.parametrize("text", ["a\x00b", "\x00", "a\x07b"])
def test_text_with_control_characters_is_refused_in_every_form_and_nothing_is_stored(
        org, as_admin, as_manager, today, text):
    admin, token = as_admin["admin"]
    responses = [
        as_manager(f"/goals/people/{org.ada.id}/time-off",
                   {"first_day": "2026-11-26", "last_day": "2026-11-26", "note": text}),
        as_manager("/goals/templates/new", template_form(org, name=text)),
        admin.post("/admin/users/new", data={
            "csrf_token": token, "name": "Xena", "email": f"x{text}@example.com",
            "roles": "rep", "password": "long enough password", "team_id": "", "locale": ""}),
        today(note=text),
        today(account=text),
    ]
    assert [response.status_code for response in responses] == [422] * 5
    assert db.session.scalar(select(func.count(TimeOff.id))) == 0
    assert templates() == 1  # the organisation's role template only
    assert "Xena" not in admin.get("/admin/users").text
    assert logged() == 0


def test_a_note_keeps_its_line_breaks_and_tabs(today):
    assert today(note="first line\r\nsecond\tline").status_code == 302
    assert db.session.scalar(select(Activity.note)) == "first line\r\nsecond\tline"


@SOME
@given(note=st.text(max_size=30))
def test_any_text_as_a_note_is_logged_or_refused_never_a_500(today, note):
    response = today(note=note)
    assert response.status_code in (302, 422)
    if any(ord(char) < 32 and char not in "\r\n\t" for char in note):
        assert response.status_code == 422


@pytest.mark.parametrize("email", ["ada@example.com\x00", "\x00", "ada\x1b@example.com"])
def test_signing_in_with_control_characters_in_the_email_is_a_form_error(org, client, email):
    token = csrf_token(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"csrf_token": token, "email": email,
                                             "password": "correct horse battery"})
    assert response.status_code == 422
    assert "Remove the invisible control characters" in response.text


@pytest.mark.parametrize("text", ["\x1f", "\x0b", "\x1c "])
def test_control_characters_python_counts_as_blank_space_are_refused_on_today(today, text):
    assert today(note=text).status_code == 422
    assert today(account=text).status_code == 422
    assert logged() == 0


# The Account page


@pytest.fixture
def account(make, auth):
    """Posts the Account page's form as a signed-in rep; answers the response."""
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    token = csrf_token(auth.client.get("/account").text)
    return lambda **data: auth.client.post("/account", data={"csrf_token": token, **data})


@pytest.mark.parametrize("data", [
    {"locale": "../../etc"}, {"locale": "en\x00"}, {"locale": "EN"}, {"locale": "ja_JP"},
    {"timezone": "Europe/Rome\x00"}, {"timezone": "\x1b[31m"}, {"timezone": "x" * 10_000},
    {"timezone": "../../../etc/passwd"}, {"timezone": "%(zone)s %s %"},
    {"timezone": "UTC\u200b"}, {"timezone": "europe/rome"},
])
def test_a_language_or_timezone_no_one_offers_is_a_422(account, data):
    response = account(**data)
    assert response.status_code == 422
    assert '<p class="error"' in response.text


@SOME
@given(locale=st.text(max_size=8), timezone=st.text(max_size=70))
def test_any_text_as_a_language_or_timezone_is_saved_or_refused_never_a_500(
    account, locale, timezone
):
    assert account(locale=locale, timezone=timezone).status_code in (302, 422)
