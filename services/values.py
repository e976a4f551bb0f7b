"""The organisation's values: listed in their order, added, changed and moved."""

from sqlalchemy import func, select

from models import Value


def values(session, organization_id, active_only=False):
    """The organisation's values in the order people see them."""
    query = select(Value).where(Value.organization_id == organization_id)
    if active_only:
        query = query.where(Value.active.is_(True))
    return session.scalars(query.order_by(Value.position, Value.name, Value.id)).all()


def name_taken(session, organization_id, name, except_value=None):
    """Whether another value of the organisation has this name, whatever its case."""
    query = select(Value.id).where(Value.organization_id == organization_id,
                                   func.lower(Value.name) == name.strip().lower())
    if except_value is not None:
        query = query.where(Value.id != except_value.id)
    return session.scalar(query.limit(1)) is not None


def save_value(session, organization, value, *, name, description, behaviours, active):
    """Add a value (at the end of the list) or change one; behaviours are kept one a line."""
    if value is None:
        last = session.scalar(select(func.max(Value.position))
                              .where(Value.organization_id == organization.id))
        value = Value(organization_id=organization.id, position=(last or 0) + 1)
        session.add(value)
    value.name = name.strip()
    value.description = description.strip()
    value.behaviours = "\n".join(line.strip() for line in behaviours.splitlines()
                                 if line.strip())
    value.active = active
    session.flush()
    return value


def move(session, value, steps):
    """Move a value up (negative) or down the list by swapping it with its neighbour; the
    positions are renumbered 1..n so that they stay distinct."""
    ordered = list(values(session, value.organization_id))
    index = ordered.index(value)
    target = max(0, min(len(ordered) - 1, index + steps))
    ordered.insert(target, ordered.pop(index))
    for position, each in enumerate(ordered, start=1):
        each.position = position
    session.flush()
