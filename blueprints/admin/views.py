"""Administration: people, teams and metrics."""

from flask import Blueprint

from blueprints.access import roles_required
from blueprints.rendering import render

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required("admin")
def users():
    return render("admin/users.html")
