"""Coaching jobs: the drafts of recurring sessions, made on schedule."""

from flask_babel import lazy_gettext as _l
from huey import crontab

from extensions import db
from jobs import periodic
from models.types import utcnow
from services import coaching_series


@periodic(crontab(minute="5"), label=_l("Recurring coaching drafts"))
def make_recurring_drafts():
    """Every hour: the draft of each recurring session whose day has come, in the rep's
    organisation's timezone (services.coaching_series says when, and makes each once)."""
    coaching_series.make_due_drafts(db.session, utcnow())
