"""The obstacles report: what holds people back, by category, team and month."""

from flask import Blueprint
from flask_login import current_user

from blueprints.access import LEADS, get_visible_team, roles_required
from blueprints.params import choice_arg, int_arg
from blueprints.rendering import render
from extensions import db
from models import OBSTACLE_CATEGORIES
from models.types import utcnow
from services import obstacles, visibility

bp = Blueprint("obstacles", __name__, url_prefix="/obstacles")


@bp.get("")
@roles_required(*LEADS)
def index():
    """Counts for every team the viewer may look into; notes only of the sessions they may
    see."""
    span = int(choice_arg("months", tuple(str(n) for n in obstacles.SPANS), "6"))
    team_id = int_arg("team")
    team = get_visible_team(team_id) if team_id is not None else None
    found = obstacles.report(db.session, current_user, span=span, now=utcnow(), team=team)
    return render("obstacles/index.html", block="report", report=found, span=span,
                  spans=obstacles.SPANS, team=team, categories=OBSTACLE_CATEGORIES,
                  teams=visibility.visible_teams(db.session, current_user))
