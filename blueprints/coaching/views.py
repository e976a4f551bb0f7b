"""Coaching sessions: the rep's and the coach's index, a rep's history, starting a session, the
session page, and what each side does on it (fill in, share, acknowledge, answer, tick).

Every load goes through a loader of blueprints.access; every read of a session by anyone but
its rep is logged (services.coaching.record_read) and shown to the rep.
"""

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from blueprints.access import (
    LEADS,
    get_answerable_section,
    get_closable_action_item,
    get_coachable_person,
    get_coaching_record_person,
    get_coaching_session_for_agenda,
    get_coaching_session_to_run,
    get_in_organization,
    get_visible_coaching_session,
    roles_required,
)
from blueprints.coaching.forms import (
    OBSTACLE_LABELS,
    PERIOD_LABELS,
    ActionItemForm,
    AgendaForm,
    AnswerForm,
    ConfirmForm,
    ObstacleForm,
    PrivateNoteForm,
    SessionForm,
    StartForm,
)
from blueprints.params import bad_request, int_arg, period_arg
from blueprints.rendering import render, wants_fragment
from extensions import db
from models import CoachingTemplate, Metric
from models.types import utcnow
from periods import to_utc
from services import coaching, lines

bp = Blueprint("coaching", __name__)

@bp.app_template_filter("when")
def when(instant):
    """A moment as the reader says it, in their timezone: the date, then the time to the
    minute (seconds mean nothing for a meeting)."""
    return f"{format_date(instant, 'medium')} {format_time(instant, 'short')}"


MESSAGES = {
    "foreign_template": lambda: _("That template is not one of your organisation's."),
    "foreign_metric": lambda: _("That metric is not one of your organisation's."),
    "rating": lambda: _("Pick one of the points of the rating scale."),
    "checklist": lambda: _("Tick only the items of the checklist."),
    "too_long": lambda: _("That is too long: keep it to 10,000 characters."),
    "owner": lambda: _("An action item belongs to the rep or to their coach."),
    "category": lambda: _("Pick one of the five kinds of obstacle."),
    "period": lambda: _("Pacer shows no scorecard for that period."),
}


def _refuse(error):
    bad_request(MESSAGES.get(error.reason, lambda: _("That cannot be saved."))())


def _when(form, calendar):
    """The UTC instant of the local date and time typed (9:00 when only a date is)."""
    day, at = form.scheduled_date.data, form.scheduled_time.data
    if day is None:
        return None
    if at is None:
        at = datetime.min.time().replace(hour=9)
    return to_utc(datetime.combine(day, at), calendar)


def _fill_when(form, coaching_session):
    if coaching_session.scheduled_for is not None and request.method == "GET":
        calendar = coaching_session.rep.organization.calendar
        local = coaching_session.scheduled_for.astimezone(calendar.tz)
        form.scheduled_date.data, form.scheduled_time.data = local.date(), local.time()


@bp.get("/coaching")
def index():
    """The rep's sessions, open items and who read them; the coach's sessions and reps."""
    now = utcnow()
    me = current_user
    rep_view = None
    if me.has_role("rep"):
        rep_view = dict(
            sessions=coaching.sessions_of_rep(db.session, me, me),
            upcoming=coaching.upcoming_for_rep(db.session, me, now),
            items=coaching.open_items_for_rep(db.session, me),
            reads=coaching.reads_of(db.session, me),
        )
    coach_view = coaching.coach_view(db.session, me, now) if me.managed_teams else None
    return render("coaching/index.html", rep_view=rep_view, coach_view=coach_view,
                  confirm=ConfirmForm(), agenda_form=AgendaForm(), now=now)


@bp.get("/people/<int:person_id>/coaching")
def history(person_id):
    person = get_coaching_record_person(person_id)
    if person.id == current_user.id:
        return redirect(url_for("coaching.index"))
    return render("coaching/history.html", person=person,
                  sessions=coaching.sessions_of_rep(db.session, person, current_user),
                  can_coach=coaching.can_coach(db.session, current_user, person))


@bp.route("/people/<int:person_id>/coaching/new", methods=["GET", "POST"])
def create(person_id):
    """Start a session with a rep, from their scorecard or a cell of the team grid."""
    rep = get_coachable_person(person_id)
    organization = rep.organization
    form = StartForm()
    templates = db.session.scalars(select(CoachingTemplate).where(
        CoachingTemplate.organization_id == organization.id, CoachingTemplate.active.is_(True))
        .order_by(CoachingTemplate.name)).all()
    metrics = lines.active_metrics(db.session, organization.id)
    form.template_id.choices = [(0, _("No template"))] + [(t.id, t.name) for t in templates]
    form.metric_id.choices = [(0, _("None"))] + [(m.id, m.label) for m in metrics]
    if request.method == "GET":
        _prefill(form, templates, organization.calendar)
    if form.validate_on_submit():
        template = form.template_id.data and get_in_organization(
            CoachingTemplate, form.template_id.data)
        metric = form.metric_id.data and get_in_organization(Metric, form.metric_id.data)
        try:
            made = coaching.start_session(
                db.session, coach=current_user, rep=rep, template=template or None,
                metric=metric or None, period_kind=form.period_kind.data,
                period_start=form.period_start.data,
                title=form.title.data or (template.name if template else _("Coaching")),
                scheduled_for=_when(form, organization.calendar), now=utcnow())
        except coaching.CoachingError as error:
            _refuse(error)
        db.session.commit()
        flash(_("Draft started: %(name)s sees it once you share it.", name=rep.name), "success")
        return redirect(url_for("coaching.detail", session_id=made.id))
    return render("coaching/new.html", rep=rep, form=form,
                  timezone=organization.timezone, status=422 if form.errors else 200)


def _prefill(form, templates, calendar):
    """From a cell of the team grid: the metric that is behind and the grid's period."""
    metric_id = int_arg("metric")
    form.metric_id.data = metric_id if metric_id in dict(form.metric_id.choices) else 0
    if request.args.get("period"):
        period = period_arg(calendar, utcnow())
        if period.kind in PERIOD_LABELS:
            form.period_kind.data = period.kind
        form.period_start.data = period.start
    if templates:
        form.template_id.data = templates[0].id


@bp.get("/coaching/<int:session_id>")
def detail(session_id):
    coaching_session = get_visible_coaching_session(session_id)
    return _show(coaching_session, "fragment" if wants_fragment() else "page")


@bp.get("/coaching/<int:session_id>/print")
def printable(session_id):
    """The session on paper (or saved as a PDF): everything shared, no forms, no private
    note."""
    coaching_session = get_visible_coaching_session(session_id)
    return _show(coaching_session, "print", template="coaching/print.html")


def _show(coaching_session, what, template="coaching/detail.html", forms=None, status=200):
    now, me = utcnow(), current_user
    coaching.record_read(db.session, coaching_session, me, what, now)
    db.session.commit()
    runs = coaching.can_run(me, coaching_session)
    form = SessionForm(obj=coaching_session)
    _fill_when(form, coaching_session)
    note = coaching.private_note(db.session, coaching_session, me)
    item_form = ActionItemForm()
    item_form.owner.choices = [(str(coaching_session.rep_id), coaching_session.rep.name),
                               (str(coaching_session.coach_id), coaching_session.coach.name)]
    context = dict(
        cs=coaching_session, runs=runs, is_rep=me.id == coaching_session.rep_id,
        snapshot=coaching.snapshot(db.session, coaching_session, now),
        items=coaching.session_items(db.session, coaching_session),
        carried=coaching.carried_items(db.session, coaching_session),
        obstacles=coaching.obstacles(db.session, coaching_session),
        obstacle_labels=OBSTACLE_LABELS,
        metrics={metric.id: metric for metric in
                 lines.active_metrics(db.session, coaching_session.organization_id)},
        form=form, note_form=PrivateNoteForm(body=note.body if note else ""),
        agenda_form=AgendaForm(), item_form=item_form, obstacle_form=ObstacleForm(),
        answer_form=AnswerForm(), confirm=ConfirmForm(), now=now,
        can_agenda=coaching.can_add_agenda(db.session, me, coaching_session),
    )
    context.update(forms or {})
    return render(template, block="session", status=status, **context)


@bp.post("/coaching/<int:session_id>")
@roles_required(*LEADS)
def update(session_id):
    """The coach's entries: title, time, shared notes and every section."""
    coaching_session = get_coaching_session_to_run(session_id)
    form = SessionForm()
    if not form.validate():
        return _show(coaching_session, "page", forms={"form": form}, status=422)
    now = utcnow()
    try:
        for section in coaching_session.sections:
            name = f"section-{section.id}"
            raw = request.form.getlist(name) if section.kind == "checklist" else \
                request.form.get(name)
            coaching.fill_section(section, raw)
        coaching.update(db.session, coaching_session, title=form.title.data,
                        scheduled_for=_when(form, coaching_session.rep.organization.calendar),
                        shared_notes=form.shared_notes.data, now=now)
    except coaching.CoachingError as error:
        db.session.rollback()
        _refuse(error)
    db.session.commit()
    flash(_("Saved."), "success")
    return _back(coaching_session)


@bp.post("/coaching/<int:session_id>/share")
@roles_required(*LEADS)
def share(session_id):
    coaching_session = get_coaching_session_to_run(session_id)
    if ConfirmForm().validate() and coaching.share(db.session, coaching_session, now=utcnow()):
        db.session.commit()
        flash(_("Shared with %(name)s: their numbers are kept as they are now.",
                name=coaching_session.rep.name), "success")
    return _back(coaching_session)


@bp.post("/coaching/<int:session_id>/acknowledge")
@roles_required("rep")
def acknowledge(session_id):
    coaching_session = get_visible_coaching_session(session_id)
    if current_user.id != coaching_session.rep_id:
        abort(403)  # only the rep the session is for acknowledges it
    if ConfirmForm().validate():
        coaching.acknowledge(db.session, coaching_session, rep=current_user, now=utcnow())
        db.session.commit()
        flash(_("Thanks: %(name)s knows you have read it.", name=coaching_session.coach.name),
              "success")
    return _back(coaching_session)


@bp.post("/coaching/sections/<int:session_section_id>/answer")
@roles_required("rep")
def answer(session_section_id):
    section = get_answerable_section(session_section_id)
    form = AnswerForm()
    if not form.validate():
        bad_request(" ".join(form.answer.errors) or _("That answer cannot be saved."))
    coaching.answer(db.session, section, rep=current_user, text=form.answer.data, now=utcnow())
    db.session.commit()
    flash(_("Answer saved."), "success")
    return _back(section.session)


@bp.post("/coaching/<int:session_id>/agenda")
def add_agenda(session_id):
    coaching_session = get_coaching_session_for_agenda(session_id)
    form = AgendaForm()
    if not form.validate():
        bad_request(" ".join(form.text.errors) or _("Write the talking point."))
    coaching.add_agenda_item(db.session, coaching_session, author=current_user,
                             text=form.text.data, now=utcnow())
    db.session.commit()
    flash(_("Added to the agenda."), "success")
    return _back(coaching_session)


@bp.post("/coaching/<int:session_id>/action-items")
@roles_required(*LEADS)
def add_action_item(session_id):
    coaching_session = get_coaching_session_to_run(session_id)
    form = ActionItemForm()
    form.owner.choices = [str(coaching_session.rep_id), str(coaching_session.coach_id)]
    if not form.validate():
        bad_request(" ".join(form.text.errors + form.owner.errors + form.due_on.errors))
    owner = coaching_session.rep if form.owner.data == str(coaching_session.rep_id) else \
        coaching_session.coach
    coaching.add_action_item(db.session, coaching_session, owner=owner, text=form.text.data,
                             due_on=form.due_on.data, now=utcnow())
    db.session.commit()
    flash(_("Action item added."), "success")
    return _back(coaching_session)


@bp.post("/coaching/action-items/<int:action_item_id>/close")
def close_action_item(action_item_id):
    """Close an item once: in a session the coach is running, or ticked by its rep."""
    item = get_closable_action_item(action_item_id)
    in_session = None
    if request.form.get("in_session"):
        in_session = get_visible_coaching_session(request.form.get("in_session", type=int))
        if in_session.rep_id != item.rep_id or not coaching.can_run(current_user, in_session):
            bad_request(_("That item belongs to another rep's coaching."))
    if ConfirmForm().validate():
        coaching.close_action_item(db.session, item, by=current_user, in_session=in_session,
                                   now=utcnow())
        db.session.commit()
        flash(_("Done: “%(text)s”.", text=item.text[:80]), "success")
    return _back(in_session or item.session)


@bp.post("/coaching/<int:session_id>/private-note")
def private_note(session_id):
    coaching_session = get_visible_coaching_session(session_id)
    form = PrivateNoteForm()
    if not form.validate():
        bad_request(" ".join(form.body.errors))
    coaching.set_private_note(db.session, coaching_session, author=current_user,
                              body=form.body.data, now=utcnow())
    db.session.commit()
    flash(_("Private note saved. Only you can see it."), "success")
    return _back(coaching_session)


@bp.post("/coaching/<int:session_id>/obstacles")
@roles_required(*LEADS)
def add_obstacle(session_id):
    coaching_session = get_coaching_session_to_run(session_id)
    form = ObstacleForm()
    if not form.validate():
        bad_request(" ".join(form.category.errors + form.note.errors))
    coaching.record_obstacle(db.session, coaching_session, category=form.category.data,
                             note=form.note.data, by=current_user, now=utcnow())
    db.session.commit()
    flash(_("Obstacle recorded."), "success")
    return _back(coaching_session)


def _back(coaching_session):
    """After a change, back where it was made: the session, or the rep's coaching page."""
    if request.form.get("back") == "index":
        return redirect(url_for("coaching.index"))
    if not coaching.can_see_session(db.session, current_user, coaching_session):
        return redirect(url_for("coaching.index"))
    return redirect(url_for("coaching.detail", session_id=coaching_session.id))
