"""Coaching action items: their owners are reminded the day before they are due, and once
when they are overdue."""

from flask_babel import lazy_gettext as _l
from huey import crontab

from extensions import db
from jobs import periodic
from models.types import utcnow
from services import coaching


@periodic(crontab(minute="20"), label=_l("Action item reminders"))
def remind_action_items():
    """Every hour: once it is morning in an organisation, remind the owners of its items due
    tomorrow or overdue, once each (services.coaching.remind_due_items)."""
    coaching.remind_due_items(db.session, utcnow())
