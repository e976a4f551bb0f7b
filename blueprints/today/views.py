"""The rep's Today page: today's plan per metric, logging in one or two taps, and undo.

A tap answers htmx with the tile alone (its message, count and Undo), the glance and the latest
entries out of band; without JavaScript it redirects to the page, the message in the tile.
"""

import uuid
from dataclasses import dataclass

from flask import (
    Blueprint,
    flash,
    get_flashed_messages,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import get_loggable_metric, get_own_activity, roles_required
from blueprints.offline import offline_shell
from blueprints.rendering import render, wants_fragment
from blueprints.today.forms import LogActivityForm
from extensions import db
from models.metrics import passes
from models.types import utcnow
from services import activities, today

bp = Blueprint("today", __name__, url_prefix="/today")

_FLASH = "today-tile"  # a flash category: "today-tile <metric key> <activity id> <counted>"


@dataclass(frozen=True)
class Notice:
    """What a tap did, said in its tile: the words, whether it counts, what Undo removes."""

    text: str
    counted: bool = True
    activity_id: int | None = None
    fragment: bool = False  # drawn by htmx: the words go in once the tile is on the page

    def flash(self, metric):
        flash(self.text, f"{_FLASH} {metric.key} {self.activity_id or 0} {int(self.counted)}")


def _notices():
    """The flashed messages: {metric key: Notice} for tiles, and the others as (category, text)."""
    notices, others = {}, []
    for category, text in get_flashed_messages(with_categories=True):
        parts = category.split()
        if len(parts) == 4 and parts[0] == _FLASH:
            notices[parts[1]] = Notice(text, parts[3] == "1", int(parts[2]) or None)
        else:
            others.append((category, text))
    return notices, others


def _page(status=200, failed=None):
    """The Today page; `failed` is a (metric id, form) whose errors it shows."""
    notices, flashes = _notices()
    return render(
        "today/index.html",
        block="today",
        status=status,
        today=today.summary(db.session, current_user, utcnow()),
        failed=failed,
        notices=notices,
        flashes=flashes,
        new_client_id=uuid.uuid4,
    )


def _answer(metric, notice=None, form=None, status=200):
    """After a tap: htmx gets the tile (and the rest out of band); a plain form post, the page."""
    if wants_fragment():
        summary = today.summary(db.session, current_user, utcnow())
        tile = summary.tile(metric.id)
        if tile is None:  # a metric no longer shown (undo of an old entry): the whole of Today
            if notice is not None:
                notice.flash(metric)
            response = _page(status=status)
            response.headers.update({"HX-Retarget": "#today", "HX-Reswap": "outerHTML"})
            return response
        response = make_response(render_template(
            "today/_swap.html", today=summary, tile=tile, form=form,
            notice=notice and Notice(notice.text, notice.counted, notice.activity_id, True),
            new_client_id=uuid.uuid4,
        ), status)
        response.vary.add("HX-Request")
        return response
    if form is not None:
        return _page(status=status, failed=(metric.id, form))
    if notice is not None:
        notice.flash(metric)
    return redirect(url_for("today.index", _anchor=f"tile-{metric.key}"))


def _gate(metric):
    return _("%(metric)s count from %(min)s %(unit)s.", metric=metric.label,
             min=format_decimal(metric.quality_min), unit=metric.quality_unit_label or "")


@bp.get("")
@offline_shell
@roles_required("rep")
def index():
    return _page()


@bp.post("/log")
@roles_required("rep")
def log():
    form = LogActivityForm()
    metric = get_loggable_metric(form.metric.data)
    now = utcnow()
    if form.validate_on_submit():
        when = form.check_time(current_user.display_timezone, now)
        if when is not None:
            value = None if form.value.data is None else float(form.value.data)
            recorded = activities.record(
                db.session, user=current_user, metric=metric, occurred_at=when,
                calendar=current_user.organization.calendar, quantity=float(form.quantity.data),
                value=value, client_id=activities.parse_client_id(form.client_id.data),
                note=form.note.data, account=form.account.data, now=now,
            )
            db.session.commit()
            return _answer(metric, _logged(metric, form.quantity.data, value, recorded))
    return _answer(metric, form=form, status=422)


def _logged(metric, quantity, value, recorded):
    """What the tile says of a new entry: logged, or logged but not counting (and why)."""
    if not recorded.created:
        return None  # the same tap again: nothing new
    if not passes(metric.quality_min, value):
        return Notice(_("Logged, but it does not count: %(rule)s", rule=_gate(metric)),
                      False, recorded.activity_id)
    return Notice(_("Logged %(quantity)s × %(metric)s.", quantity=format_decimal(quantity),
                    metric=metric.label), True, recorded.activity_id)


@bp.post("/activities/<int:activity_id>/undo")
@roles_required("rep")
def undo(activity_id):
    activity = get_own_activity(activity_id)
    metric = activity.metric
    notice = None
    if activities.remove(db.session, activity, current_user):
        db.session.commit()
        notice = Notice(_("Removed %(metric)s.", metric=metric.label))
    return _answer(metric, notice)
