"""Column types shared by the models."""

from datetime import UTC, datetime

from flask import current_app, has_app_context
from sqlalchemy import DateTime, Numeric
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """An instant stored as naive UTC and read back timezone-aware, on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow():
    """Now, aware: the app's clock (`app.extensions["clock"]`, which tests set) or the system's."""
    clock = current_app.extensions.get("clock") if has_app_context() else None
    return clock() if clock is not None else datetime.now(UTC)


# Quantities are returned as floats: SQLite has no decimal type, and two decimals are plenty.
Quantity = Numeric(14, 2, asdecimal=False)
