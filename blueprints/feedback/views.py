"""Continuous feedback: give it to someone within reach, read and answer one's own, and, for
managers, the feed of the teams they lead."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import (
    get_reachable_person,
    get_readable_feedback,
    get_visible_team,
)
from blueprints.feedback.forms import KIND_HINTS, FeedbackForm, ReplyForm, kind_labels
from blueprints.params import choice_arg, int_arg, text_arg
from blueprints.rendering import render
from extensions import db
from models import FEEDBACK_KINDS
from models.types import utcnow
from services import feedback, values

bp = Blueprint("feedback", __name__, url_prefix="/feedback")

# The people picker lists this many; a search narrows it.
PICKER_SIZE = 40


@bp.context_processor
def labels():
    return dict(kind_labels=kind_labels(), kind_hints=KIND_HINTS)


@bp.get("")
def index():
    """The feedback a person received and gave, newest first, with their replies."""
    show = choice_arg("show", ("received", "given"), "received")
    found = (feedback.received if show == "received" else feedback.given)(
        db.session, current_user)
    return render("feedback/index.html", block="list", show=show, items=found,
                  leads=bool(current_user.managed_teams))


@bp.route("/give", methods=["GET", "POST"])
def give():
    """Pick someone within reach, then say it: praise or a suggestion, maybe tied to a value."""
    person_id = int_arg("to")
    if person_id is None:
        return _picker()
    receiver = get_reachable_person(person_id)
    form = FeedbackForm(values=values.values(db.session, current_user.organization_id,
                                             active_only=True))
    if form.validate_on_submit():
        given = feedback.give(db.session, current_user, receiver, kind=form.kind.data,
                              body=form.body.data, value=form.chosen_value(), now=utcnow())
        db.session.commit()
        flash(_("Sent to %(name)s.", name=receiver.name), "success")
        return redirect(url_for("feedback.detail", feedback_id=given.id))
    return render("feedback/give.html", form=form, receiver=receiver,
                  status=422 if form.errors else 200)


def _picker():
    search = text_arg("q")
    people = feedback.people_within_reach(db.session, current_user, search)
    return render("feedback/pick.html", block="people", people=people[:PICKER_SIZE],
                  more=max(0, len(people) - PICKER_SIZE), search=search)


@bp.get("/<int:feedback_id>")
def detail(feedback_id):
    """One piece of feedback and the conversation that followed."""
    item = get_readable_feedback(feedback_id)
    return _thread(item, ReplyForm())


@bp.post("/<int:feedback_id>/reply")
def reply(feedback_id):
    item = get_readable_feedback(feedback_id)
    if not feedback.can_reply(current_user, item):
        abort(403)  # a manager reads their team's conversations; only the two take part
    form = ReplyForm()
    if not form.validate_on_submit():
        return _thread(item, form, status=422)
    feedback.reply(db.session, item, current_user, form.body.data, now=utcnow())
    db.session.commit()
    flash(_("Reply sent."), "success")
    return redirect(url_for("feedback.detail", feedback_id=item.id, _anchor="reply"))


def _thread(item, form, status=200):
    return render("feedback/detail.html", item=item, form=form, status=status,
                  may_reply=feedback.can_reply(current_user, item))


@bp.get("/team")
def team():
    """The feed of the teams a person leads: feedback their people received, and gave them.
    Whoever leads no team gets 403, whatever their role."""
    teams = feedback.feed_teams(db.session, current_user)
    if not teams:
        abort(403)
    team_id = int_arg("team")
    chosen = get_visible_team(team_id) if team_id is not None else None
    if chosen is not None and chosen not in teams:
        abort(404)  # a team an executive may look into, but does not lead
    kind = choice_arg("kind", ("", *FEEDBACK_KINDS), "")
    items = feedback.team_feed(
        db.session, current_user, team_ids=[chosen.id] if chosen else [t.id for t in teams],
        kind=kind or None)
    return render("feedback/team.html", block="feed", teams=teams, chosen=chosen, kind=kind,
                  items=items)
