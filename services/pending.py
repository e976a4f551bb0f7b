"""Activities still waiting on reps' devices, as the devices last reported them."""

from sqlalchemy import func, select

from models import DeviceOutbox
from services import freshness
from services.rollups import ids_in, nobody


def report(session, user, device_id, pending, now):
    """Remember how many activities a device still holds after a sync."""
    row = session.get(DeviceOutbox, (user.id, device_id))
    if row is None:
        row = DeviceOutbox(user_id=user.id, device_id=device_id)
        session.add(row)
    if row.pending != max(0, int(pending)):
        freshness.person_changed(session, user.id)
    row.pending, row.reported_at = max(0, int(pending)), now


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
