"""Who may see what: the one place every view's access check goes through.

Every endpoint needs a signed-in, active user unless it is marked @public; role checks and
object loaders below abort with 403/404, so views never repeat access rules.
"""

from functools import wraps

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from extensions import db, login_manager
from models import (
    ActionItem,
    Activity,
    CoachingRequest,
    CoachingSeries,
    CoachingSession,
    CoachingSessionSection,
    CoachingTemplate,
    CoachingTemplateSection,
    Feedback,
    Metric,
    Notification,
    ScorecardTemplate,
    Team,
    TimeOff,
    User,
)
from services import accounts, coaching, directory, visibility
from services import feedback as feedback_rules

PUBLIC_ENDPOINTS = {"static"}


def public(view):
    """Mark a view as reachable without signing in."""
    view.is_public = True
    return view


def roles_required(*roles):
    """Only users holding one of these roles get past; others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


# No row has an id past a 32-bit integer; refusing larger ones keeps them away from the database
# (past 2**63 PostgreSQL and SQLite refuse them with an error, not an empty answer).
MAX_ID = 2**31 - 1


def _get(model, object_id):
    """The row of `model` with this id, or None: every loader below goes through here, so an
    id no row can have (0, negative, past MAX_ID, not a whole number) never reaches the
    database."""
    if isinstance(object_id, bool) or not isinstance(object_id, int):
        return None
    if not 0 < object_id <= MAX_ID:
        return None
    return db.session.get(model, object_id)


def get_in_organization(model, object_id):
    """A row of the current user's organisation by id; 404 when missing or someone else's."""
    found = _get(model, object_id)
    if found is None or found.organization_id != current_user.organization_id:
        abort(404)
    return found


def _get_own(model, object_id, owner="user_id"):
    """A row of `model` whose `owner` column is the current user; 404 for anyone else's, so
    ids reveal nothing."""
    found = _get(model, object_id)
    if found is None or getattr(found, owner) != current_user.id:
        abort(404)
    return found


def get_own_activity(activity_id):
    """An activity the current user logged."""
    return _get_own(Activity, activity_id)


def get_own_notification(notification_id):
    """An entry of the current user's inbox."""
    return _get_own(Notification, notification_id, owner="recipient_id")


def _require_sign_in():
    if request.endpoint is None:
        return None  # a 404 or 405 follows; it reveals nothing
    function = current_app.view_functions.get(request.endpoint)
    if request.endpoint in PUBLIC_ENDPOINTS or getattr(function, "is_public", False):
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            abort(401)  # a JSON client needs a status it can act on, not a sign-in page
        return login_manager.unauthorized()
    return None


def is_api_request():
    return request.path.startswith("/api/")


@login_manager.user_loader
def load_user(token):
    return accounts.user_for_token(db.session, token)


def init_app(app):
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_require_sign_in)


def get_loggable_metric(key):
    """An active metric of the current user's organisation, by key; 404 otherwise."""
    if not directory.is_metric_key(key):
        abort(404)  # no metric has it, and PostgreSQL refuses some (a NUL) with an error
    metric = db.session.scalar(
        select(Metric).where(
            Metric.organization_id == current_user.organization_id,
            Metric.key == key,
            Metric.active.is_(True),
        )
    )
    if metric is None:
        abort(404)
    return metric


# Scorecards and goals: who may see and change whose numbers (rules in services.visibility).

LEADS = ("manager", "executive", "admin")


def get_visible_person(person_id):
    """Someone whose numbers the current user may see: themself, the people of the teams they
    lead, anyone for executives and admins; 404 otherwise, so ids reveal nothing."""
    person = _get(User, person_id)
    if person is None or not visibility.can_see_person(db.session, current_user, person):
        abort(404)
    return person


def get_visible_team(team_id):
    """A team the current user leads or that lies beneath one they lead (any, for executives
    and admins); 403 for people who lead nothing, 404 for teams they cannot see."""
    if not current_user.has_role(*LEADS):
        abort(403)
    team = _get(Team, team_id)
    if (team is None or team.organization_id != current_user.organization_id
            or not visibility.can_see_team(db.session, current_user, team)):
        abort(404)
    return team


def get_number_scope(person_id, team_id):
    """Whose activities a drill-down may list: one person, one team, or (neither given) the
    whole company, which only executives and admins see."""
    if person_id is not None:
        return get_visible_person(person_id)
    if team_id is not None:
        return get_visible_team(team_id)
    if not current_user.has_role("executive", "admin"):
        abort(403)
    return current_user.organization


def get_editable_person(person_id):
    """Someone whose targets and time off the current user may change: a person in a team
    they lead (anyone, for executives and admins), never their own targets unless an admin."""
    if not current_user.has_role(*LEADS):
        abort(403)
    person = get_visible_person(person_id)
    if person.id == current_user.id and not current_user.has_role("admin"):
        abort(403)
    return person


def get_editable_template(template_id):
    """A scorecard template the current user may change: any for executives and admins; for a
    manager, one used only by teams they lead (role templates are the organisation's)."""
    if not current_user.has_role(*LEADS):
        abort(403)
    template = _get(ScorecardTemplate, template_id)
    if template is None or template.organization_id != current_user.organization_id:
        abort(404)
    if not can_edit_template(template):
        abort(404)
    return template


def can_edit_template(template):
    if current_user.has_role("executive", "admin"):
        return True
    visible = {team.id for team in visibility.visible_teams(db.session, current_user)}
    return (template.role is None and bool(template.teams)
            and all(team.id in visible for team in template.teams))


def get_editable_time_off(entry_id):
    """Time off of someone whose targets the current user may change. The role is checked
    before the lookup, so the answer to someone who leads nothing says nothing of the id."""
    if not current_user.has_role(*LEADS):
        abort(403)
    entry = _get(TimeOff, entry_id)
    if entry is None:
        abort(404)
    get_editable_person(entry.user_id)
    return entry


# Feedback: given within reach, read by the two people and the receiver's managers
# (rules in services.feedback).


def get_reachable_person(person_id):
    """Someone the current user may give feedback to; 404 for anyone else, so ids reveal
    nothing."""
    person = _get(User, person_id)
    if person is None or not feedback_rules.within_reach(db.session, current_user, person):
        abort(404)
    return person


def get_readable_feedback(feedback_id):
    """Feedback the current user gave or received, or received in a team they lead; 404
    otherwise, whatever their role."""
    found = _get(Feedback, feedback_id)
    if found is None or not feedback_rules.can_read(db.session, current_user, found):
        abort(404)
    return found


# Coaching: a conversation, not surveillance (rules in services.coaching). Whoever may not see a
# session gets 404, so ids reveal nothing; whoever sees it but may not do that, 403.


def get_visible_coaching_session(session_id):
    """A session the current user may read: its rep once shared, its coach, the managers of a
    team the rep is in or under."""
    found = _get(CoachingSession, session_id)
    if found is None or not coaching.can_see_session(db.session, current_user, found):
        abort(404)
    return found


def get_coaching_session_to_run(session_id):
    """A session the current user coaches: they fill it in, share it, record obstacles."""
    found = get_visible_coaching_session(session_id)
    if not coaching.can_run(current_user, found):
        abort(403)
    return found


def get_coaching_session_for_agenda(session_id):
    """A session the current user may add a talking point to: its coach, or its rep once it
    is planned (before it is shared, the rep sees only when it is)."""
    found = _get(CoachingSession, session_id)
    if found is None:
        abort(404)
    if current_user.id != found.rep_id:
        found = get_visible_coaching_session(session_id)
    if not coaching.can_add_agenda(db.session, current_user, found):
        abort(404 if current_user.id == found.rep_id else 403)
    return found


def get_answerable_section(section_id):
    """A section of a shared session of the current user's own, that asks for an answer."""
    section = _get(CoachingSessionSection, section_id)
    if section is None:
        abort(404)
    get_visible_coaching_session(section.session_id)
    if current_user.id != section.session.rep_id or not section.rep_answers:
        abort(403)
    return section


def get_closable_action_item(item_id):
    """An action item the current user may close: the coach's, or the rep's own once shared."""
    item = _get(ActionItem, item_id)
    if item is None:
        abort(404)
    get_visible_coaching_session(item.session_id)
    if not coaching.can_close_item(current_user, item):
        abort(403)
    return item


def get_coachable_person(person_id):
    """Someone the current user may start a session with: a rep of a team they lead."""
    person = _get(User, person_id)
    if person is None or not coaching.can_coach(db.session, current_user, person):
        abort(404)
    return person


def get_coaching_record_person(person_id):
    """Someone whose coaching history the current user may see: themself, or a person of a
    team they lead (an executive's or admin's role alone opens none)."""
    person = _get(User, person_id)
    if person is None or person.organization_id != current_user.organization_id:
        abort(404)
    if person.id != current_user.id and not coaching.leads(db.session, current_user, person):
        abort(404)
    return person


# Coaching templates (admins), recurring series and requests from reps.


def get_coaching_template(template_id):
    """A coaching template of the current user's organisation; 404 otherwise."""
    return get_in_organization(CoachingTemplate, template_id)


def get_template_section(template, section_id):
    """A section of this template; 404 for any other, so ids reveal nothing."""
    section = _get(CoachingTemplateSection, section_id)
    if section is None or section.template_id != template.id:
        abort(404)
    return section


def get_coaching_series(series_id):
    """A recurring series with a rep the current user may coach; 404 otherwise."""
    series = _get(CoachingSeries, series_id)
    if series is None or not coaching.can_coach(db.session, current_user, series.rep):
        abort(404)
    return series


def get_own_coaching_request(request_id):
    """A request for coaching the current user made; 404 for anyone else's."""
    return _get_own(CoachingRequest, request_id, owner="rep_id")


def get_answerable_coaching_request(request_id):
    """A rep's request the current user may answer: they may coach the rep; 404 otherwise."""
    found = _get(CoachingRequest, request_id)
    if found is None or not coaching.can_coach(db.session, current_user, found.rep):
        abort(404)
    return found
