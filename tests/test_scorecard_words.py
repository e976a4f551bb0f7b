"""What the scorecard and target pages say, in words and numbers a sales team reads: whole
targets of counted things, one number format, plurals and dates in the person's language,
breadcrumbs back up the tree for each role."""

import re
from types import SimpleNamespace

import pytest

from extensions import db
from services import activities, target_settings
from services.goal_sheets import whole_suggestion
from services.pace import whole_target
from tests.conftest import at

NOW = at(2026, 11, 25, 12, 30)  # Wednesday 13:30 in Rome
WEEK_KEY = "week-2026-11-23"


@pytest.fixture(autouse=True)
def fixed_clock(clock):
    clock.at(NOW)


@pytest.fixture
def org(make):
    """HQ > Sales (led by Mara) > Field (Ada, Bo); HQ > Other (Cy). 12 proposals a month is
    12 x 5/21 = 2.86 a week each: a fractional target of a counted thing on every screen."""
    calls = make.metric("calls", position=1, unit="calls", quality_min=2, quality_unit="minutes")
    proposals = make.metric("proposals", name="Proposals", position=2, unit="proposals")
    revenue = make.metric("revenue", kind="lagging", aggregation="sum", unit="EUR", position=3)
    hq = make.team("HQ")
    mara = make.user("mara@example.com", roles=("manager",))
    sales = make.team("Sales", parent=hq, managers=[mara])
    field = make.team("Field", parent=sales)
    other = make.team("Other", parent=hq)
    ada = make.user("ada@example.com", team=field, name="Ada")
    bo = make.user("bo@example.com", team=field, name="Bo")
    cy = make.user("cy@example.com", team=other, name="Cy")
    make.user("exec@example.com", roles=("executive",))
    target_settings.save_template(
        db.session, make.organization, None, name="Reps", role="rep", teams=[],
        items=[dict(metric_id=calls.id, weight=20, cap_percent=150, period_kind="day",
                    target=10),
               dict(metric_id=proposals.id, weight=10, cap_percent=150, period_kind="month",
                    target=12),
               dict(metric_id=revenue.id, weight=10, cap_percent=150, period_kind="month",
                    target=21000)],
    )
    db.session.commit()
    return SimpleNamespace(calls=calls, proposals=proposals, revenue=revenue, hq=hq,
                           sales=sales, field=field, other=other, ada=ada, bo=bo, cy=cy,
                           mara=mara)


def log(person, metric, when, quantity=1, **fields):
    activities.record(db.session, user=person, metric=metric, occurred_at=when,
                      quantity=quantity, source="web", calendar=person.organization.calendar,
                      external_id=None, **fields)
    db.session.commit()


def visible(html):
    """The page's text as read on screen: no tags, no attributes, no scripts."""
    body = html[html.index("<body"):] if "<body" in html else html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def shown_targets(html):
    """Every number shown after a slash (actual / target) on the page."""
    return re.findall(r"/\s*([\d.,\s]+\d)", visible(html))


def row(html, name):
    """The visible text of the table row whose data-cell is `name`."""
    start = html.index(">", html.index(f'data-cell="{name}"')) + 1
    return visible(html[start:html.index("</tr>", start)])


def crumbs(html):
    """[(text, href or None)] of the page's breadcrumbs, top first; [] when it has none."""
    match = re.search(r'<nav class="crumbs"[^>]*>(.*?)</nav>', html, re.S)
    if not match:
        return []
    found = []
    for item in re.findall(r"<li>(.*?)</li>", match[1], re.S):
        link = re.search(r'href="([^"]+)"', item)
        found.append((visible(item).strip(), link[1].replace("&amp;", "&") if link else None))
    return found


def as_(auth, client, email, locale=None):
    if locale is not None:
        from models import User
        db.session.scalars(db.select(User).filter_by(email=email)).one().locale = locale
        db.session.commit()
    auth.sign_in(email)
    return client


# Whole targets of counted things


def test_a_prorated_target_of_a_counted_thing_shows_whole_on_every_screen(org, auth, client):
    log(org.ada, org.proposals, at(2026, 11, 23, 9), quantity=2)
    auth.sign_in("exec@example.com")
    pages = {
        "rep": client.get(f"/people/{org.ada.id}/scorecard?period={WEEK_KEY}").text,
        "grid": client.get(f"/teams/{org.field.id}?period={WEEK_KEY}").text,
        "parent grid": client.get(f"/teams/{org.sales.id}?period={WEEK_KEY}").text,
        "company": client.get(f"/company?period={WEEK_KEY}&metric=proposals").text,
        "cascade": client.get(
            f"/company/teams/{org.field.id}?period={WEEK_KEY}&metric=proposals").text,
        "team goals": client.get(f"/goals/teams/{org.field.id}?period={WEEK_KEY}").text,
        "person goals": client.get(f"/goals/people/{org.ada.id}?period={WEEK_KEY}").text,
    }
    # The data behind the page keeps the exact target (12 x 5/21 = 2.857 a rep).
    assert 'data-target="2.857' in pages["rep"]
    for name, html in pages.items():
        text = visible(html)
        # 2.857 (a rep), 5.714 (Field), 8.571 (the company): never shown with a fraction.
        for fraction in ("2.9", "2.8", "5.7", "5.8", "8.6", "8.5"):
            assert fraction not in text, f"{name} shows {fraction}"
        assert "rounded up to whole numbers" in text, f"{name} does not say the rule"
    assert "2 / 3" in visible(pages["rep"])  # 2.86 proposals take 3
    assert "67% of target" in visible(pages["rep"])  # of the 3 shown, not of 2.86
    assert "2 / 3" in visible(pages["grid"])
    assert "/ 6" in visible(pages["parent grid"])  # Field's 5.71
    # The company's three reps, 8.57: the HQ row reads pace, done 2, target 9.
    hq = row(pages["company"], f"team-{org.hq.id}-proposals")
    assert re.search(r"(Ahead|On pace|Behind) 2 9 ", hq)
    # Sums keep their value: 21,000 a month is 5,000 a week.
    assert "/ 5,000" in visible(pages["rep"])


def test_whole_targets_round_toward_meeting_them():
    count, sum_ = (SimpleNamespace(is_count=True, direction="higher"),
                   SimpleNamespace(is_count=False, direction="higher"))
    ceiling = SimpleNamespace(is_count=True, direction="lower")
    assert whole_target(2.7, count) == 3 and whole_target(0.2, count) == 1
    assert whole_target(3.0000000001, count) == 3  # float noise is not a whole call more
    assert whole_target(2.7, ceiling) == 2  # an allowance of 2.7 complaints is 2
    assert whole_target(2.7, sum_) == 2.7
    assert whole_suggestion(2.4, count) == 2 and whole_suggestion(0.3, count) == 1
    assert whole_suggestion(2.4, sum_) == 2.4 and whole_suggestion(None, count) is None


def test_a_table_shows_numbers_in_one_format(org, auth, client):
    log(org.ada, org.revenue, at(2026, 11, 23, 9), quantity=14285.7)
    log(org.bo, org.revenue, at(2026, 11, 23, 9), quantity=8913)
    auth.sign_in("exec@example.com")
    text = visible(client.get(f"/teams/{org.field.id}?period={WEEK_KEY}").text)
    assert "14,286 / 5,000" in text and "8,913 / 5,000" in text and "23,199 / 10,000" in text
    assert not re.search(r"\d[KM]\b", text)
    assert "Goal assigned:" not in text  # no team goal here: nothing to explain


def test_counted_things_show_no_unit_to_get_wrong_and_sums_show_theirs(org, auth, client):
    log(org.ada, org.calls, at(2026, 11, 23, 9), value=3)
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard").text
    assert '<span class="unit">calls</span>' not in page  # "1 calls"
    assert '<span class="unit">EUR</span>' in page


# Plurals, in English, Italian and Japanese


@pytest.mark.parametrize("locale, one, many", [
    ("en", ["Total 1, from 1 activity.", "1 more was logged but does not count"],
           ["Total 2, from 2 activities.", "2 more were logged but do not count"]),
    ("it", ["Totale 1, da 1 attività.", "Ne è stata registrata 1 in più, ma non conta"],
           ["Totale 2, da 2 attività.", "Ne sono state registrate altre 2, ma non contano"]),
    ("ja", ["合計1（1件の活動から）。", "ほかに1件記録されていますが"],
           ["合計2（2件の活動から）。", "ほかに2件記録されていますが"]),
])
def test_the_drill_down_counts_in_the_persons_language(org, auth, client, locale, one, many):
    log(org.ada, org.calls, at(2026, 11, 23, 9), value=5)
    log(org.ada, org.calls, at(2026, 11, 23, 10), value=1)  # under the 2-minute minimum
    as_(auth, client, "ada@example.com", locale)
    url = f"/activities?person={org.ada.id}&metric=calls&period={WEEK_KEY}"
    text = visible(client.get(url).text).replace("&#39;", "'")
    for words in one:
        assert words in text
    log(org.ada, org.calls, at(2026, 11, 24, 9), value=5)
    log(org.ada, org.calls, at(2026, 11, 24, 10), value=1)
    text = visible(client.get(url).text).replace("&#39;", "'")
    for words in many:
        assert words in text


# Dates and numbers in the person's locale


def test_dates_times_and_numbers_read_italian_for_an_italian(org, auth, client):
    log(org.ada, org.revenue, at(2026, 11, 23, 9), quantity=14285.7)
    log(org.ada, org.calls, at(2026, 11, 23, 15, 5), value=5)
    as_(auth, client, "ada@example.com", "it")
    week = visible(client.get("/scorecard").text)
    assert "Settimana del 23 nov 2026" in week
    assert "Aggiornato alle 13:30" in week or "13:30" in week
    assert not re.search(r"\b(AM|PM)\b", week)
    assert "14.286 / 5000" in week or "14.286 / 5.000" in week
    month = visible(client.get("/scorecard?period=month-2026-11-01").text)
    assert "novembre 2026" in month and "November" not in month
    drill = visible(client.get(
        f"/activities?person={org.ada.id}&metric=calls&period={WEEK_KEY}").text)
    assert "23/11/26, 16:05" in drill  # 15:05 UTC is 16:05 in Rome, day before month


def test_without_a_language_of_their_own_a_person_reads_their_browsers(org, auth, client):
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard?period=month-2026-11-01",
                      headers={"Accept-Language": "it-IT,it;q=0.9"})
    assert "novembre 2026" in visible(page.text)
    japanese = client.get("/scorecard?period=month-2026-11-01",
                          headers={"Accept-Language": "ja"})
    assert "2026年11月" in visible(japanese.text)


# Breadcrumbs: the way back up, through what each role may open


def test_an_executive_climbs_from_an_activity_list_to_the_company(org, auth, client):
    auth.sign_in("exec@example.com")
    page = client.get(f"/activities?person={org.ada.id}&metric=calls&period={WEEK_KEY}").text
    period = f"?period={WEEK_KEY}"
    assert crumbs(page) == [
        ("Company", f"/company{period}"),
        ("HQ", f"/teams/{org.hq.id}{period}"),
        ("Sales", f"/teams/{org.sales.id}{period}"),
        ("Field", f"/teams/{org.field.id}{period}"),
        ("Ada", f"/people/{org.ada.id}/scorecard{period}"),
        ("Calls", None),
    ]
    grid = client.get(f"/teams/{org.field.id}").text
    assert [text for text, _ in crumbs(grid)] == ["Company", "HQ", "Sales", "Field"]
    assert crumbs(grid)[-1][1] is None and 'aria-current="page">Field<' in grid


def test_a_manager_climbs_only_as_far_as_the_team_they_lead(org, auth, client):
    auth.sign_in("mara@example.com")
    page = client.get(f"/activities?person={org.ada.id}&metric=calls&period={WEEK_KEY}").text
    assert [text for text, _ in crumbs(page)] == ["Sales", "Field", "Ada", "Calls"]
    assert "/company" not in str(crumbs(page)) and f"/teams/{org.hq.id}?" not in page
    person = client.get(f"/people/{org.ada.id}/scorecard").text
    assert [text for text, _ in crumbs(person)] == ["Sales", "Field", "Ada"]
    # Their own team is the top: nothing to climb to, so no trail of one.
    assert crumbs(client.get(f"/teams/{org.sales.id}").text) == []


def test_a_rep_goes_back_from_their_activities_to_their_scorecard(org, auth, client):
    auth.sign_in("ada@example.com")
    page = client.get(f"/activities?person={org.ada.id}&metric=calls&period={WEEK_KEY}").text
    assert crumbs(page) == [("My scorecard", f"/scorecard?period={WEEK_KEY}"), ("Calls", None)]
    assert crumbs(client.get("/scorecard").text) == []


def test_the_company_cascade_of_a_team_leads_back_to_the_company(org, auth, client):
    auth.sign_in("exec@example.com")
    page = client.get(f"/company/teams/{org.field.id}?metric=calls").text
    assert [text for text, _ in crumbs(page)] == ["Company", "HQ", "Sales", "Field",
                                                  "Calls by team"]
    assert crumbs(page)[0][1] == "/company?period=month-2026-11-01&metric=calls"


def test_the_executive_reads_pace_beside_the_name(org, auth, client):
    auth.sign_in("exec@example.com")
    page = client.get("/company?metric=calls").text
    for table in ("goals", "cascade"):
        head = page[page.index(f'<table class="{table}">'):]
        head = head[:head.index("</thead>")]
        columns = [visible(th).strip() for th in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>",
                                                            head, re.S)]
        assert columns[1] == "Pace", columns
