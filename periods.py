"""Period boundaries in an organisation's timezone and calendar, and working time elapsed."""

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PERIOD_KINDS = ("day", "week", "month", "quarter", "year")

# Months per period for the kinds that start on the first of a month.
_MONTH_SPANS = {"month": 1, "quarter": 3, "year": 12}

# Strict on purpose: date.fromisoformat also accepts "20261123" and "2026-W48-1", and a URL token
# must have exactly one spelling.
_KEY_PATTERN = re.compile(r"(?P<kind>[a-z]+)-(?P<start>[0-9]{4}-[0-9]{2}-[0-9]{2})")

# The years Pacer shows periods of. Python's dates stop at years 1 and 9999, and a screen
# reaches a few years either side of the period it shows (its neighbours, a trend of eight
# periods, goals set a year before), so the range keeps well inside them: every such step
# stays a real date. A period is shown when it has at least one day in the range.
FIRST_YEAR, LAST_YEAR = 1900, 2999
FIRST_DAY, END_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR + 1, 1, 1)


class OutOfRange(ValueError):
    """A well-formed period key naming a period outside the years Pacer shows."""


# The working day when nobody has said otherwise.
WORKDAY_START, WORKDAY_END = time(9), time(18)


@dataclass(frozen=True)
class Calendar:
    """How an organisation counts time: its timezone, week, fiscal year, working weekdays and
    working hours (local wall-clock times; a day's work starts and ends on the same day)."""

    timezone: str = "UTC"
    week_start: int = 0
    fiscal_year_start_month: int = 1
    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    workday_start: time = WORKDAY_START
    workday_end: time = WORKDAY_END

    def __post_init__(self):
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
            raise ValueError(f"unknown timezone {self.timezone!r}") from error
        if self.week_start not in range(7):
            raise ValueError(f"week_start must be 0..6, not {self.week_start!r}")
        if self.fiscal_year_start_month not in range(1, 13):
            raise ValueError(
                f"fiscal_year_start_month must be 1..12, not {self.fiscal_year_start_month!r}"
            )
        weekdays = frozenset(self.working_weekdays)
        if not weekdays <= frozenset(range(7)):
            raise ValueError(f"working_weekdays must be within 0..6, not {sorted(weekdays)!r}")
        # Accept any iterable but store a frozenset so the calendar stays hashable.
        object.__setattr__(self, "working_weekdays", weekdays)
        for name in ("workday_start", "workday_end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise TypeError(f"{name} must be a naive local time, not {value!r}")
        # Overnight shifts would put one working day across two dates: not supported.
        if self.workday_start >= self.workday_end:
            raise ValueError(
                f"the working day must end after it starts: {self.workday_start} >= "
                f"{self.workday_end}"
            )

    def with_hours(self, start: time, end: time) -> "Calendar":
        """The same calendar with other working hours (a team's own)."""
        return replace(self, workday_start=start, workday_end=end)

    @property
    def tz(self) -> ZoneInfo:
        """The calendar's timezone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, order=True)
class Period:
    """A run of local days [start, end) of one kind."""

    kind: str
    start: date
    end: date

    def __post_init__(self):
        _check_kind(self.kind)
        for name in ("start", "end"):
            _check_date(getattr(self, name), name)
        if self.start >= self.end:
            raise ValueError(f"period must end after it starts: {self.start} >= {self.end}")

    @property
    def key(self) -> str:
        """Stable URL token naming the period, e.g. "week-2026-11-23"."""
        return f"{self.kind}-{self.start.isoformat()}"

    @property
    def days(self) -> list[date]:
        """Every local date in the period."""
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]

    def contains(self, day: date) -> bool:
        """Whether the local date falls in the period."""
        _check_date(day, "day")
        return self.start <= day < self.end


def _check_kind(kind: str) -> None:
    if kind not in PERIOD_KINDS:
        raise ValueError(f"unknown period kind {kind!r}; expected one of {PERIOD_KINDS}")


def _check_date(value: date, name: str) -> None:
    # A datetime is a date too, but comparing or shifting it as one silently keeps its time.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}")


def _check_aware(instant: datetime, name: str) -> None:
    if not isinstance(instant, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {instant.isoformat()}")


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first_of_month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _check_boundary(period: Period, cal: Calendar) -> None:
    if period_containing(period.kind, period.start, cal) != period:
        raise ValueError(f"{period} is not a {period.kind} of this calendar")


def local_date(instant: datetime, cal: Calendar) -> date:
    """The calendar's local date at an aware instant."""
    _check_aware(instant, "instant")
    return instant.astimezone(cal.tz).date()


def to_utc(local_dt: datetime, cal: Calendar) -> datetime:
    """Aware UTC instant of a naive local wall time, resolving DST gaps and repeats by its fold.

    With fold=0 (the default) a repeated wall time at fall-back is its first occurrence and a wall
    time inside a spring-forward gap is read with the offset before the gap, so it lands after it
    (02:30 on Rome's spring-forward day is 03:30 CEST). Pass fold=1 for the other reading.
    """
    if not isinstance(local_dt, datetime):
        raise TypeError(f"local_dt must be a datetime, not {type(local_dt).__name__}")
    if local_dt.tzinfo is not None:
        raise ValueError(f"local_dt must be naive local wall time, got {local_dt.isoformat()}")
    return local_dt.replace(tzinfo=cal.tz).astimezone(UTC)


def _local_midnight_utc(day: date, cal: Calendar) -> datetime:
    return to_utc(datetime(day.year, day.month, day.day), cal)  # noqa: DTZ001 - naive wall time


def in_range(period: Period) -> bool:
    """Whether the period has a day in the years Pacer shows (FIRST_YEAR to LAST_YEAR)."""
    return period.end > FIRST_DAY and period.start < END_DAY


def period_containing(kind: str, day: date, cal: Calendar) -> Period:
    """The period of a kind that contains a local date; ValueError at the ends of the calendar,
    where that period would reach past year 1 or 9999."""
    _check_kind(kind)
    _check_date(day, "day")
    try:
        return _period_containing(kind, day, cal)
    except OverflowError as error:
        raise ValueError(f"the {kind} containing {day} reaches past the calendar") from error


def _period_containing(kind: str, day: date, cal: Calendar) -> Period:
    if kind == "day":
        return Period(kind, day, day + timedelta(days=1))
    if kind == "week":
        start = day - timedelta(days=(day.weekday() - cal.week_start) % 7)
        return Period(kind, start, start + timedelta(days=7))
    span = _MONTH_SPANS[kind]
    index = _month_index(day)
    # Quarters and years are counted from the fiscal start month; for months the span of 1 makes
    # the offset irrelevant.
    start_index = index - (index - (cal.fiscal_year_start_month - 1)) % span
    return Period(kind, _first_of_month(start_index), _first_of_month(start_index + span))


def period_at(kind: str, instant: datetime, cal: Calendar) -> Period:
    """The period of a kind that contains an aware instant's local date."""
    _check_kind(kind)
    return period_containing(kind, local_date(instant, cal), cal)


def shift(period: Period, steps: int, cal: Calendar) -> Period:
    """The period `steps` periods of the same kind after (or, if negative, before) this one;
    ValueError when that lies past year 1 or 9999."""
    _check_boundary(period, cal)
    try:
        if period.kind == "day":
            return period_containing("day", period.start + timedelta(days=steps), cal)
        if period.kind == "week":
            return period_containing("week", period.start + timedelta(weeks=steps), cal)
        index = _month_index(period.start) + steps * _MONTH_SPANS[period.kind]
        return period_containing(period.kind, _first_of_month(index), cal)
    except OverflowError as error:
        raise ValueError(f"{steps} {period.kind}s from {period.start} is past the calendar") \
            from error


def neighbour(period: Period, steps: int, cal: Calendar) -> Period | None:
    """The period `steps` away, as shift() finds it, or None when it lies outside the years
    Pacer shows: the period switcher offers no step that would be refused."""
    try:
        found = shift(period, steps, cal)
    except ValueError:
        return None
    return found if in_range(found) else None


def recent(period: Period, count: int, cal: Calendar) -> list[Period]:
    """The last `count` periods ending with this one, oldest first."""
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    return [shift(period, -back, cal) for back in range(count - 1, -1, -1)]


def parse_key(key: str, cal: Calendar) -> Period:
    """The period named by Period.key; ValueError if the key names no period of this calendar,
    OutOfRange (a ValueError) if it names one outside FIRST_YEAR..LAST_YEAR."""
    match = _KEY_PATTERN.fullmatch(key) if isinstance(key, str) else None
    if match is None:
        raise ValueError(f"not a period key: {key!r}")
    kind = match["kind"]
    _check_kind(kind)
    try:
        start = date.fromisoformat(match["start"])
    except ValueError as error:
        raise ValueError(f"not a period key: {key!r}") from error
    # Checked before any arithmetic, which could leave the calendar: no period of a year or
    # less that starts more than a year outside the range has a day in it.
    if not FIRST_YEAR - 1 <= start.year <= LAST_YEAR:
        raise OutOfRange(f"{key!r} is outside {FIRST_YEAR}..{LAST_YEAR}")
    period = period_containing(kind, start, cal)
    if not in_range(period):
        raise OutOfRange(f"{key!r} is outside {FIRST_YEAR}..{LAST_YEAR}")
    if period.start != start:
        raise ValueError(f"{start} does not start a {kind} in this calendar (key {key!r})")
    return period


def bounds_utc(period: Period, cal: Calendar) -> tuple[datetime, datetime]:
    """Aware UTC instants of local midnight at the period's start and at its end."""
    return _local_midnight_utc(period.start, cal), _local_midnight_utc(period.end, cal)


def fiscal_year_label(period: Period, cal: Calendar) -> int:
    """The fiscal year containing the period's first day, named for the calendar year it ends in."""
    fiscal_year = period_containing("year", period.start, cal)
    return (fiscal_year.end - timedelta(days=1)).year


def fiscal_quarter_number(period: Period, cal: Calendar) -> int:
    """The fiscal quarter (1..4) containing the period's first day."""
    quarter = period_containing("quarter", period.start, cal)
    fiscal_year = period_containing("year", period.start, cal)
    return (_month_index(quarter.start) - _month_index(fiscal_year.start)) // 3 + 1


def working_days(
    period: Period, cal: Calendar, days_off: frozenset[date] = frozenset()
) -> list[date]:
    """The period's dates that fall on a working weekday and are not days off."""
    return [
        day for day in period.days if day.weekday() in cal.working_weekdays and day not in days_off
    ]


def working_hours_utc(day: date, cal: Calendar) -> tuple[datetime, datetime]:
    """Aware UTC instants at which a local day's working hours start and end.

    The hours are wall-clock times, so on a DST change day they stay 09:00 to 18:00 on the
    local clock. A time inside a spring-forward gap reads as to_utc() reads it; should that
    put the end before the start, the day's work is taken to end as it starts.
    """
    _check_date(day, "day")
    opens = to_utc(datetime.combine(day, cal.workday_start), cal)
    closes = to_utc(datetime.combine(day, cal.workday_end), cal)
    return opens, max(opens, closes)


def worked_share(day: date, now: datetime, cal: Calendar) -> float:
    """Share of a local day's working hours gone at `now`: 0 before they start, 1 from their
    end, linear in real time in between (a day whose hours span a DST change paces right)."""
    _check_aware(now, "now")
    opens, closes = working_hours_utc(day, cal)
    if now <= opens:
        return 0.0
    if now >= closes:
        return 1.0
    return (now - opens) / (closes - opens)


def elapsed_working_days(
    period: Period, now: datetime, cal: Calendar, days_off: frozenset[date] = frozenset()
) -> float:
    """Working days of the period elapsed at `now`: the whole working days before today, then
    the share of today's working hours gone (nothing before they start, all of it by their end).
    """
    _check_aware(now, "now")
    workdays = working_days(period, cal, days_off)
    start, end = bounds_utc(period, cal)
    if now < start:
        return 0.0
    if now >= end:
        return float(len(workdays))
    today = local_date(now, cal)
    elapsed = float(sum(1 for day in workdays if day < today))
    if today in workdays:
        elapsed += worked_share(today, now, cal)
    return elapsed


def elapsed_fraction(
    period: Period, now: datetime, cal: Calendar, days_off: frozenset[date] = frozenset()
) -> float:
    """Share of the period's working days elapsed at `now`; 0.0 when it has no working days."""
    total = len(working_days(period, cal, days_off))
    if total == 0:
        return 0.0
    return elapsed_working_days(period, now, cal, days_off) / total
