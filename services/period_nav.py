"""The period switcher: the period shown with what its label needs, its neighbours, other kinds."""

from dataclasses import dataclass
from datetime import timedelta

from periods import (
    FIRST_DAY,
    PERIOD_KINDS,
    fiscal_quarter_number,
    fiscal_year_label,
    local_date,
    neighbour,
    period_at,
    period_containing,
)


@dataclass(frozen=True)
class PeriodInfo:
    """A period with what its label needs: templates format, they do not compute."""

    period: object
    last_day: object
    quarter: int
    fiscal_year: int
    fiscal: bool  # the fiscal year does not start in January

    @classmethod
    def of(cls, period, calendar):
        return cls(period, period.end - timedelta(days=1),
                   fiscal_quarter_number(period, calendar), fiscal_year_label(period, calendar),
                   calendar.fiscal_year_start_month != 1)

    @property
    def kind(self):
        return self.period.kind

    @property
    def key(self):
        return self.period.key


@dataclass(frozen=True)
class PeriodNav:
    """The period switcher: the period shown, its neighbours, the other kinds, and now's."""

    shown: PeriodInfo
    previous: PeriodInfo | None  # None at the ends of the years Pacer shows
    next: PeriodInfo | None
    current: PeriodInfo | None  # the running period of the same kind, when another is shown
    kinds: tuple  # (kind, PeriodInfo) for day, week, month, quarter, year

    @classmethod
    def of(cls, period, now, calendar):
        current = period_at(period.kind, now, calendar)
        # Another kind: around now when now is in the period shown, else around its start (its
        # first day in the years Pacer shows, for a week or fiscal year that begins before them).
        anchor = local_date(now, calendar) if current == period else max(period.start, FIRST_DAY)
        previous, following = (neighbour(period, steps, calendar) for steps in (-1, 1))
        return cls(
            PeriodInfo.of(period, calendar),
            previous and PeriodInfo.of(previous, calendar),
            following and PeriodInfo.of(following, calendar),
            None if current == period else PeriodInfo.of(current, calendar),
            tuple((kind, PeriodInfo.of(period_containing(kind, anchor, calendar), calendar))
                  for kind in PERIOD_KINDS),
        )
