"""The JSON API the rep's phone sends its offline outbox through (docs/sync-api.md).

Session cookie auth; writes carry the CSRF token in the X-CSRFToken header. Failures answer JSON
with a machine-readable `code`, so the phone can tell "sign in again" from "this item is wrong".
"""

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from blueprints.access import roles_required
from extensions import begin_write, db, end_reads, takes_write_lock_itself
from models.types import utcnow
from services import sync

bp = Blueprint("api", __name__, url_prefix="/api/v1")

REASONS = {
    "unreadable": _l("This entry is damaged (it could not be read)."),
    "not_an_object": _l("This entry is damaged."),
    "bad_client_id": _l("This entry is damaged (its id is not valid)."),
    "client_id_taken": _l("This entry's id belongs to someone else's activity."),
    "unknown_metric": _l("This metric does not exist or is no longer logged."),
    "bad_quantity": _l("The quantity must be a number above 0."),
    "bad_value": _l("The measured value must be a number of 0 or more."),
    "bad_time": _l("The time is not a valid date and time."),
    "in_future": _l("That time is in the future."),
    "too_old": _l("That time is more than a year ago."),
    "bad_note": _l("The note must be plain text of at most 1000 characters."),
    "not_stored": _l("This entry could not be stored."),
}

BATCH_ERRORS = {
    "unreadable": (400, _l("What this phone sent could not be read.")),
    "malformed": (400, _l('Send a JSON object with a list of "activities".')),
    "too_many": (
        413, _l("Send at most %(count)s activities at a time.", count=sync.MAX_BATCH)
    ),
}


@bp.after_request
def never_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/session")
def session():
    """Who is signed in, with a fresh CSRF token for the writes that follow (401 if no one)."""
    return jsonify(
        csrf_token=generate_csrf(),
        user={"id": current_user.id, "name": current_user.name},
    )


@bp.post("/activities")
@takes_write_lock_itself
@roles_required("rep")
def activities():
    """Ingest a batch of activities logged offline; one result per item, in order. The body is
    read and checked before the write lock is taken (on SQLite, the whole database's)."""
    try:
        batch = sync.read_batch(request.get_data() if request.is_json else b"")
    except sync.BadBatch as error:
        status, message = BATCH_ERRORS[error.code]
        return jsonify(error=str(message), code=error.code), status
    rep, now = current_user._get_current_object(), utcnow()  # read often: not through the proxy
    checked = sync.check(db.session, rep, batch, now)
    end_reads(db.session())
    begin_write(db.session)
    results = sync.store(db.session, rep, checked, now)
    db.session.commit()
    return jsonify(results=[_answer(result) for result in results])


def _answer(result):
    answer = {"client_id": result.client_id, "status": result.status}
    if result.reason:
        answer.update(error=str(REASONS[result.reason]), code=result.reason)
    return answer
