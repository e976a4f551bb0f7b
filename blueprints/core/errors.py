"""Error pages: a clear message and the right status, as a page or as an htmx fragment."""

from flask import current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.exceptions import Conflict, HTTPException, ServiceUnavailable

from blueprints.rendering import render
from extensions import db, is_busy, is_unique_violation


def _messages():
    return {
        400: _("The request could not be understood."),
        401: _("Your session has ended. Sign in again."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or you cannot see it."),
        405: _("That action is not allowed here."),
        409: _("Someone changed this at the same moment. Reload the page and try again."),
        413: _("What you sent is too large."),
        422: _("What you sent could not be processed."),
        429: _("Too many attempts. Wait a minute and try again."),
        500: _("Something went wrong on our side. Nothing you saved before was lost."),
        503: _("Pacer is not available right now. Try again in a few minutes."),
    }


# Machine-readable codes for JSON clients (the phone's outbox keeps its items on "signed_out"
# and "csrf", and asks the rep to sign in again).
_CODES = {
    400: "bad_request", 401: "signed_out", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "unprocessable",
    429: "too_many_requests", 500: "server_error", 503: "unavailable",
}


def _wants_json():
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def handle_http_error(error):
    db.session.rollback()
    code = error.code or 500
    message = _messages().get(code, error.description)
    if isinstance(error, CSRFError):
        message = _("Your form expired or came from elsewhere. Reload the page and try again.")
    if _wants_json():
        kind = "csrf" if isinstance(error, CSRFError) else _CODES.get(code, "error")
        return jsonify(error=message, code=kind), code
    return render("errors.html", block="content", status=code, code=code, message=message)


def handle_unexpected_error(error):
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return handle_http_error(_InternalError())


class _InternalError(HTTPException):
    code = 500


def handle_conflict(error):
    """A uniqueness check passed, then a concurrent writer won the race: 409, not a 500.

    Only a unique violation means that; a NOT NULL, foreign-key or check violation is a bug,
    and goes to the 500 handler (and the error log) like any other.
    """
    if not is_unique_violation(error):
        raise error
    current_app.logger.info("Write conflict on %s %s: %s", request.method, request.path, error)
    db.session.rollback()
    return handle_http_error(Conflict())


def handle_database_error(error):
    """503 with Retry-After, not a 500, when trying again a moment later will work.

    Either the database dropped our connection (a restart, a failover: SQLAlchemy has replaced
    the pool), or it was too busy to let this write in within the lock timeout (another
    writer held the lock, a deadlock was broken). Nothing was written, since the transaction
    never reached its commit; the phone's outbox keeps its items and sends them again.
    """
    if error.connection_invalidated:
        current_app.logger.warning("Database connection lost on %s %s", request.method,
                                   request.path)
    elif is_busy(error):
        current_app.logger.warning("Database busy on %s %s: %s", request.method, request.path,
                                   error.orig)
    else:
        raise error  # a bug: the 500 handler (or, in tests, the test) takes it
    db.session.rollback()
    response = current_app.make_response(handle_http_error(ServiceUnavailable()))
    response.headers["Retry-After"] = "1" if error.connection_invalidated else "2"
    return response


def refuse_requests_while_unconfigured():
    """No SECRET_KEY outside development: answer 503 rather than sign sessions with nothing.

    The first before_request hook (blueprints/security.py), so nothing that needs the key runs.
    """
    current_app.logger.error("SECRET_KEY is not set: every request is refused until it is.")
    # In the browser's language: the person's own would mean reading their session (or their
    # remember-me cookie, which cannot be checked without the key).
    languages = current_app.config["LANGUAGES"]
    with force_locale(request.accept_languages.best_match(languages) or languages[0]):
        message = _messages()[503]
    # Plain text: the layout needs a CSRF token, which needs the key.
    return message, 503, {"Content-Type": "text/plain; charset=utf-8"}


def register(app):
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(IntegrityError, handle_conflict)
    app.register_error_handler(DBAPIError, handle_database_error)
    if not app.debug and not app.testing:
        app.register_error_handler(Exception, handle_unexpected_error)
