"""How a person's day of a metric counts: never above the metric's daily cap.

The same rule twice, once as SQL over the daily roll-up (what the reads add up) and once in
Python (what the write path adds to a team's day), so both always agree.
"""

from sqlalchemy import Float, and_, case, cast

from models import DailyRollup, Metric


def capped_total():
    """A person's day total as it counts (SQL, over DailyRollup joined with its Metric)."""
    return case(
        (
            and_(Metric.daily_cap.is_not(None), DailyRollup.total > Metric.daily_cap),
            Metric.daily_cap,
        ),
        else_=DailyRollup.total,
    )


def capped_crm_total():
    """The CRM's part of a day's capped total: a capped day keeps the CRM's share of it."""
    return case(
        # As floats: SQLite keeps whole numbers as integers and would divide them as such.
        (
            DailyRollup.total > 0,
            cast(capped_total(), Float) * cast(DailyRollup.crm_total, Float)
            / cast(DailyRollup.total, Float),
        ),
        else_=0,
    )


def capped(total, cap):
    """capped_total() for one day, in Python."""
    return cap if cap is not None and total > cap else total


def capped_crm(total, crm, cap):
    """capped_crm_total() for one day, in Python."""
    return float(capped(total, cap)) * float(crm) / float(total) if total > 0 else 0.0
