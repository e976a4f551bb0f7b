"""The rep's Today page and logging from it."""

import re
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Activity
from services import activities, target_settings, today
from tests.conftest import at

NOW = at(2026, 11, 25, 12, 30)  # a Wednesday, 13:30 in Rome


@pytest.fixture(autouse=True)
def fixed_clock(clock):
    clock.at(NOW)


def sign_in_rep(make, auth):
    calls = make.metric("calls", position=1)
    make.metric("revenue", aggregation="sum", kind="lagging", unit="EUR")
    rep = make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    return rep, calls


def tile_notice(html, key):
    """The words of a tile's live message (its role="status" paragraph)."""
    tile = html[html.index(f'id="tile-{key}"'):]
    tile = tile[:tile.index("</li>")]
    match = re.search(r'<p class="notice[^"]*" role="status"[^>]*>([^<]*)</p>', tile)
    assert match, f"tile {key} has no message paragraph"
    return match[1].strip()


def log(auth, headers=None, **fields):
    data = {"metric": "calls", "client_id": str(uuid.uuid4()), "quantity": "1", **fields}
    return auth.post("/today/log", data, headers=headers or {})


def test_today_is_a_full_page(make, auth, client):
    sign_in_rep(make, auth)
    page = client.get("/today")
    assert page.status_code == 200
    assert "<html" in page.text and "Calls" in page.text and "Revenue" in page.text
    assert "HX-Request" in page.headers["Vary"]


def test_today_fragment_for_htmx_has_no_layout_and_varies(make, auth, client):
    sign_in_rep(make, auth)
    page = client.get("/today", headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "<html" not in page.text and 'id="today"' in page.text
    assert "HX-Request" in page.headers["Vary"]


def test_history_restore_gets_the_whole_page(make, auth, client):
    sign_in_rep(make, auth)
    page = client.get("/today", headers={"HX-Request": "true",
                                         "HX-History-Restore-Request": "true"})
    assert "<html" in page.text


def test_logging_without_javascript_posts_and_redirects(make, auth, client):
    rep, calls = sign_in_rep(make, auth)
    response = log(auth, quantity="3", note="Called back")
    # Back to the page, at the tile that was tapped, which says what the tap did.
    assert response.status_code == 302 and response.headers["Location"] == "/today#tile-calls"
    page = client.get("/today")
    assert 'data-total="today">3<' in page.text
    assert tile_notice(page.text, "calls") == "Logged 3 × Calls."
    assert "Called back" in page.text
    activity = db.session.scalar(select(Activity))
    assert (activity.quantity, activity.source, activity.user_id) == (3, "web", rep.id)


def test_submitting_the_same_form_twice_logs_once(make, auth):
    sign_in_rep(make, auth)
    client_id = str(uuid.uuid4())
    log(auth, client_id=client_id)
    log(auth, client_id=client_id)
    assert db.session.scalar(select(func.count(Activity.id))) == 1


def test_a_time_typed_in_is_read_in_the_persons_timezone(make, auth):
    sign_in_rep(make, auth)
    log(auth, occurred_at="2026-11-20T09:15")
    activity = db.session.scalar(select(Activity))
    assert activity.occurred_at == at(2026, 11, 20, 8, 15)  # Rome is UTC+1 in November


def test_a_time_in_the_future_is_refused_and_nothing_is_saved(make, auth):
    sign_in_rep(make, auth)
    response = log(auth, occurred_at="2099-01-01T10:00")
    assert response.status_code == 422
    assert "That time is in the future." in response.text
    assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_bad_numbers_get_a_message_not_a_500(make, auth):
    sign_in_rep(make, auth)
    for quantity in ("-1", "abc", "0", ""):
        response = log(auth, quantity=quantity)
        assert response.status_code == 422, quantity
    assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_a_damaged_client_id_is_refused(make, auth):
    sign_in_rep(make, auth)
    assert log(auth, client_id="not-a-uuid").status_code == 422


def test_an_unknown_or_inactive_metric_is_404(make, auth):
    sign_in_rep(make, auth)
    make.metric("retired", active=False)
    assert log(auth, metric="nope").status_code == 404
    assert log(auth, metric="retired").status_code == 404


def test_sum_metrics_log_an_amount(make, auth, client):
    sign_in_rep(make, auth)
    log(auth, metric="revenue", quantity="1250.50")
    page = client.get("/today")
    assert "1,250.5" in page.text


def test_undo_removes_the_entry_and_its_count(make, auth, client):
    sign_in_rep(make, auth)
    log(auth, quantity="2")
    activity = db.session.scalar(select(Activity))
    response = auth.post(f"/today/activities/{activity.id}/undo")
    assert response.status_code == 302
    page = client.get("/today")
    assert 'data-total="today">0<' in page.text
    assert tile_notice(page.text, "calls") == "Removed Calls."
    db.session.refresh(activity)
    assert activity.is_deleted


def test_a_rep_cannot_undo_someone_elses_activity(make, auth):
    _, calls = sign_in_rep(make, auth)
    other = make.user("other@example.com")
    theirs = activities.record(db.session, user=other, metric=calls, occurred_at=at(2026, 11, 23),
                               calendar=other.organization.calendar).activity
    db.session.commit()
    assert auth.post(f"/today/activities/{theirs.id}/undo").status_code == 404
    db.session.refresh(theirs)
    assert not theirs.is_deleted


def test_manager_who_is_not_a_rep_gets_403_on_today(make, auth, client):
    make.user("manager@example.com", roles=("manager",))
    auth.sign_in("manager@example.com")
    assert client.get("/today").status_code == 403


# Gated metrics: a call counts from 2 minutes


def sign_in_with_gated_calls(make, auth):
    calls = make.metric("calls", position=1, quality_min=2, quality_unit="minutes")
    rep = make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    return rep, calls


GATE_WARNING = "Logged, but it does not count: Calls count from 2 minutes."


def test_a_gated_tile_offers_call_lengths_the_one_below_the_gate_saying_it_will_not_count(
    make, auth, client
):
    sign_in_with_gated_calls(make, auth)
    page = client.get("/today").text
    tile = page[page.index('id="tile-calls"'):page.index("</li>", page.index('id="tile-calls"'))]
    picks = re.findall(r'<button type="submit" name="value" value="([^"]+)"[^>]*>\s*'
                       r'<span class="pick-range">([^<]+)</span>(.*?)</button>', tile, re.S)
    assert [(float(value), label) for value, label, _rest in picks] == [
        (1, "&lt; 2"), (2, "2–5"), (5, "5–15"), (15, "15+")]
    assert "won't count" in picks[0][2]
    assert all("won't count" not in rest for _value, _label, rest in picks[1:])
    assert "+1" not in re.sub(r"\+1 Calls", "", tile.split('class="picks-label"')[0])


def test_a_call_logged_with_a_length_from_the_gate_counts_and_says_so(make, auth, client):
    sign_in_with_gated_calls(make, auth)
    response = log(auth, value="5.0")
    assert response.status_code == 302
    page = client.get("/today").text
    assert 'data-total="today">1<' in page
    assert tile_notice(page, "calls") == "Logged 1 × Calls."
    assert db.session.scalar(select(Activity.counted)) is True


@pytest.mark.parametrize("value", ["1.0", None], ids=["below the gate", "no length"])
def test_a_call_that_does_not_count_is_never_reported_as_plain_success(
    make, auth, client, value
):
    sign_in_with_gated_calls(make, auth)
    fields = {"value": value} if value else {}
    # Without JavaScript: the page after the redirect.
    log(auth, **fields)
    page = client.get("/today").text
    assert tile_notice(page, "calls") == GATE_WARNING
    assert "Logged 1 × Calls." not in page
    assert 'data-total="today">0<' in page
    # The latest entries say it too.
    assert "Does not count: Calls count from 2 minutes." in page
    # With htmx: the tile alone, saying the same.
    fragment = log(auth, headers={"HX-Request": "true"}, **fields)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert f'data-message="{GATE_WARNING}"' in fragment.text
    assert "Logged 1 × Calls." not in fragment.text
    assert 'data-total="today">0<' in fragment.text
    assert db.session.scalars(select(Activity.counted)).all() == [False, False]


def test_the_details_form_with_a_typed_length_warns_below_the_gate_and_counts_above(
    make, auth, client
):
    sign_in_with_gated_calls(make, auth)
    log(auth, quantity="2", value="1.5", details="1", note="Short ones")
    assert tile_notice(client.get("/today").text, "calls") == GATE_WARNING
    log(auth, quantity="2", value="3", details="1")
    page = client.get("/today").text
    assert tile_notice(page, "calls") == "Logged 2 × Calls."
    assert 'data-total="today">2<' in page


def test_a_tap_with_htmx_answers_the_tile_with_undo_and_the_latest_entries_out_of_band(
    make, auth
):
    sign_in_with_gated_calls(make, auth)
    fragment = log(auth, value="2.0", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith("<li class=\"tile")
    assert 'data-message="Logged 1 × Calls."' in fragment
    assert 'data-total="today">1<' in fragment
    activity = db.session.scalar(select(Activity))
    assert f'action="/today/activities/{activity.id}/undo"' in fragment
    assert 'id="undo-calls"' in fragment
    assert re.search(r'<section id="latest"[^>]*hx-swap-oob="true"', fragment)
    assert 'id="glance"' in fragment and 'hx-swap-oob="true"' in fragment

    undone = auth.post(f"/today/activities/{activity.id}/undo", headers={"HX-Request": "true"})
    assert undone.status_code == 200
    assert 'data-message="Removed Calls."' in undone.text
    assert 'data-total="today">0<' in undone.text
    assert 'id="undo-calls"' not in undone.text


def test_a_refused_details_form_comes_back_in_its_tile_open_with_the_error(make, auth):
    sign_in_with_gated_calls(make, auth)
    response = log(auth, details="1", occurred_at="2099-01-01T10:00",
                   headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "That time is in the future." in response.text
    assert '<details class="more" open>' in response.text


def test_quick_picks_follow_the_gate():
    assert [(p.value, p.low, p.high, p.counts) for p in today.quick_picks(2)] == [
        (1, None, 2, False), (2, 2, 5, True), (5, 5, 15, True), (15, 15, None, True)]
    assert [p.value for p in today.quick_picks(30)] == [15, 30, 75, 225]
    assert [p.value for p in today.quick_picks(0.5)] == [0.25, 0.5, 1.2, 3.8]


# Today as a plan


def rep_with_targets(make, targets):
    """A rep and metrics with day (or other) targets: targets is [(key, kind, target), ...]."""
    metrics = {key: make.metric(key, position=index) for index, (key, *_rest) in
               enumerate(targets)}
    rep = make.user("rep@example.com", started_on=date(2026, 1, 1))
    target_settings.save_template(
        db.session, make.organization, None, name="Reps", role="rep", teams=[],
        items=[dict(metric_id=metrics[key].id, weight=10, cap_percent=150, period_kind=kind,
                    target=target) for key, kind, target in targets if target is not None],
    )
    db.session.commit()
    return rep, metrics


def record(rep, metric, quantity):
    activities.record(db.session, user=rep, metric=metric, occurred_at=at(2026, 11, 25, 8),
                      quantity=quantity, calendar=rep.organization.calendar)
    db.session.commit()


def test_tiles_come_most_behind_first_done_last_and_without_target_after(make):
    rep, metrics = rep_with_targets(make, [
        ("notes", "day", None), ("emails", "day", 4), ("calls", "day", 10),
        ("visits", "day", 4), ("demos", "day", 2)])
    record(rep, metrics["emails"], 4)  # done
    record(rep, metrics["visits"], 1)  # 1 of the 2 due: behind by half the day's target... 1
    # calls: 0 of 5 due, the most behind; demos: 0 of 1 due
    summary = today.summary(db.session, rep, NOW)
    order = [tile.metric.key for tile in summary.tiles]
    assert order == ["calls", "demos", "visits", "emails", "notes"], order
    by_key = {tile.metric.key: tile for tile in summary.tiles}
    assert by_key["emails"].status == "done"
    assert by_key["notes"].status == "no_target"
    assert by_key["calls"].target == 10 and by_key["calls"].needed == 5
    assert by_key["calls"].needed == by_key["calls"].pace.expected - 0


def test_the_activities_a_rep_does_come_before_their_results_however_far_behind(make):
    rep, metrics = rep_with_targets(make, [("revenue", "day", 5000), ("calls", "day", 10)])
    metrics["revenue"].kind = "lagging"
    db.session.commit()
    record(rep, metrics["calls"], 10)  # calls done, revenue far behind: calls still lead
    order = [tile.metric.key for tile in today.summary(db.session, rep, NOW).tiles]
    assert order == ["calls", "revenue"]


def test_day_targets_of_counted_things_are_whole_and_the_page_says_how_they_are_rounded(
    make, auth, client
):
    rep, metrics = rep_with_targets(make, [("proposals", "week", 11.5), ("deals", "month", 3)])
    summary = today.summary(db.session, rep, NOW)
    by_key = {tile.metric.key: tile for tile in summary.tiles}
    assert by_key["proposals"].target == 3  # 2.3 a day: 3, as the scorecard shows it
    assert by_key["deals"].target is None  # 0.14 a day: the tile shows the month's target
    assert by_key["deals"].period_target == ("month", 3)
    auth.sign_in("rep@example.com")
    page = client.get("/today").text
    rule = "rounded up to whole numbers: a target of 2.7 proposals shows as 3."
    assert page.count(rule) == 1
    assert "/ 3<" in page and "2.3" not in page.replace(rule, "")
    assert "Target: 3 a month" in page


def test_under_one_a_day_the_tile_names_the_persons_own_target_for_the_month(make):
    rep, metrics = rep_with_targets(make, [("deals", "month", 3)])
    target_settings.set_goal(db.session, make.organization, level="person", subject_id=rep.id,
                             metric=metrics["deals"], kind="month", value=1)
    db.session.commit()
    tile = today.summary(db.session, rep, NOW).tiles[0]
    assert (tile.target, tile.period_target) == (None, ("month", 1))


def test_a_tile_says_how_many_more_are_needed_to_be_on_pace_and_draws_the_bar(
    make, auth, client
):
    rep, metrics = rep_with_targets(make, [("calls", "day", 10)])
    record(rep, metrics["calls"], 2)
    auth.sign_in("rep@example.com")
    page = client.get("/today").text
    tile = page[page.index('id="tile-calls"'):page.index("</li>", page.index('id="tile-calls"'))]
    assert "3 more to be on pace" in tile
    assert '<li class="tile status-behind" id="tile-calls"' in page
    assert '<span class="fill p20">' in tile  # 2 of 10
    assert "1 behind" in page  # the glance above the tiles


def test_a_rep_who_starts_later_is_told_nothing_is_due_yet(make, auth, client):
    rep_with_targets(make, [("calls", "day", 10)])
    make.user("new@example.com", started_on=date(2026, 11, 30))
    auth.sign_in("new@example.com")
    page = client.get("/today").text
    assert "nothing is due before then" in page
    assert "No target today" in page


def test_latest_entries_are_ordered_by_when_they_happened(make, auth, client):
    rep, calls = sign_in_rep(make, auth)
    log(auth, occurred_at="2026-11-25T09:00", note="first-typed-later")
    log(auth, occurred_at="2026-11-24T09:00", note="older")
    log(auth, occurred_at="2026-11-25T11:00", note="newest")
    page = client.get("/today").text
    latest = page[page.index('id="latest"'):]
    assert [latest.index(n) for n in ("newest", "first-typed-later", "older")] == sorted(
        latest.index(n) for n in ("newest", "first-typed-later", "older"))


def test_undoing_an_entry_of_a_metric_no_longer_shown_answers_the_whole_page(make, auth):
    _, calls = sign_in_rep(make, auth)
    log(auth)
    activity = db.session.scalar(select(Activity))
    calls.active = False
    db.session.commit()
    response = auth.post(f"/today/activities/{activity.id}/undo", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#today"
    assert 'id="today"' in response.text and "<html" not in response.text
    db.session.refresh(activity)
    assert activity.is_deleted
