"""Activities still waiting on reps' devices, as the devices last reported them."""

from sqlalchemy import bindparam, func, insert, select

from models import DeviceOutbox
from services import freshness
from services.activities import on_conflict
from services.rollups import ids_in, nobody

_outboxes = DeviceOutbox.__table__


def report(session, user, device_id, pending, now, person_changed=False):
    """Remember how many activities a device still holds after a sync.

    The person's numbers change when the count does; `person_changed` says the caller changed
    them in this transaction already (it wrote activities), so their row is updated once.
    """
    pending = max(0, int(pending))
    key = {"user_id": user.id, "device_id": device_id}
    if not person_changed and session.execute(_PENDING, key).scalar() != pending:
        freshness.person_changed(session, user.id)
    session.execute(_REPORT, {**key, "pending": pending, "reported_at": now})


_PENDING = select(_outboxes.c.pending).where(
    _outboxes.c.user_id == bindparam("user_id"), _outboxes.c.device_id == bindparam("device_id")
)


_REPORT = on_conflict(
    insert(_outboxes),
    "ON CONFLICT (user_id, device_id) DO UPDATE SET"
    " pending = excluded.pending, reported_at = excluded.reported_at",
)


def pending_by_user(session, user_ids):
    """{user id: activities pending on their devices}, for those with any."""
    if nobody(user_ids):
        return {}
    rows = session.execute(
        select(DeviceOutbox.user_id, func.sum(DeviceOutbox.pending))
        .where(DeviceOutbox.user_id.in_(ids_in(user_ids)), DeviceOutbox.pending > 0)
        .group_by(DeviceOutbox.user_id)
    )
    return {user_id: int(total) for user_id, total in rows}
