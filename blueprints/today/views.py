"""The rep's Today page: log an activity in one tap, see today's and this week's totals."""

import uuid

from flask import Blueprint, flash, redirect, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import get_loggable_metric, get_own_activity, roles_required
from blueprints.offline import offline_shell
from blueprints.rendering import render
from blueprints.today.forms import LogActivityForm
from extensions import db
from models.types import utcnow
from services import activities, today

bp = Blueprint("today", __name__, url_prefix="/today")


def _page(status=200, failed=None):
    """The Today page; `failed` is a (metric id, form) whose errors it shows."""
    return render(
        "today/index.html",
        block="today",
        status=status,
        today=today.summary(db.session, current_user, utcnow()),
        failed=failed,
        new_client_id=uuid.uuid4,
    )


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
            recorded = activities.record(
                db.session, user=current_user, metric=metric, occurred_at=when,
                calendar=current_user.organization.calendar, quantity=float(form.quantity.data),
                value=None if form.value.data is None else float(form.value.data),
                client_id=activities.parse_client_id(form.client_id.data),
                note=form.note.data, account=form.account.data, now=now,
            )
            db.session.commit()
            if recorded.created:
                quantity = format_decimal(form.quantity.data)
                message = _("Logged %(quantity)s × %(metric)s.", quantity=quantity,
                            metric=metric.label)
                flash(message, "success")
            return redirect(url_for("today.index"))
    return _page(status=422, failed=(metric.id, form))


@bp.post("/activities/<int:activity_id>/undo")
@roles_required("rep")
def undo(activity_id):
    activity = get_own_activity(activity_id)
    if activities.remove(db.session, activity, current_user):
        db.session.commit()
        flash(_("Removed %(metric)s.", metric=activity.metric.label), "info")
    return redirect(url_for("today.index"))
