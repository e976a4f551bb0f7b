"""The benchmark's organisation: reps in teams under regions, targets, and a year of activity.

People, teams, templates and goals go in through the ORM (a few thousand rows); activities go
in with PostgreSQL's COPY, or one executemany per chunk on SQLite, and the daily roll-up is
rebuilt once at the end, as after any bulk import. Everything is drawn from a seeded random
generator, so two builds with the same options and the same `now` hold the same numbers.
"""

import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from demo.organization import DAILY_RATES, DEAL_SIZES, FIXED_HOLIDAYS, HOUR_WEIGHTS, METRICS
from models import (
    Goal,
    Metric,
    Organization,
    ScorecardItem,
    ScorecardTemplate,
    Team,
    TimeOff,
    User,
)
from periods import period_at
from services import accounts
from services.activities import rebuild_rollups

PASSWORD = "bench-password-1"  # noqa: S105 - every benchmark login's, on a throwaway database
TIMEZONE = "Europe/Rome"
EXECUTIVE = "exec@bench.example.com"

# Relative daily rates per metric for each selling style, from the demo's: pipeline comes with
# most proposals and revenue with every won deal. Scaled so the year adds up to the activities
# asked for.
_RATES = {
    style: dict(rates, pipeline_added=rates["proposals"] * 0.85, revenue=rates["deals_won"])
    for style, rates in DAILY_RATES.items()
}
# Monday..Sunday: how busy a day is; weekends see a little work.
_WEEKDAY_WEIGHTS = (1.0, 1.08, 1.05, 1.0, 0.72, 0.03, 0.01)
# Call minutes below the two-minute quality gate for about one call in five.
_SHORT_CALL_SHARE = 0.2


@dataclass(frozen=True)
class Shape:
    reps: int = 1000
    teams: int = 50
    regions: int = 5
    activities: int = 1_000_000
    days: int = 365
    seed: int = 1

    def __post_init__(self):
        if self.teams % self.regions or self.reps % self.teams:
            raise ValueError("teams must split evenly into regions, and reps into teams")


@dataclass(frozen=True)
class _Rep:
    id: int
    style: str
    started_on: object


@dataclass(frozen=True)
class Logins:
    """Who the benchmark signs in as, and what they look at."""

    rep: str
    manager: str
    executive: str
    team_id: int  # the manager's team


def build(session, shape, now, password_hash_method, log):
    """Create the organisation as of `now` in an empty, migrated database; the logins."""
    started = time.perf_counter()
    organization = Organization(name="Bench Corp", timezone=TIMEZONE, week_start=0,
                                fiscal_year_start_month=1, working_weekdays="01234")
    session.add(organization)
    metrics = _metrics(session, organization)
    teams, styles = _teams(session, organization, shape)
    people = _people(session, organization, teams, shape, now, password_hash_method)
    session.flush()
    add_targets(session, organization, metrics, teams, styles, people["reps"], now)
    session.flush()
    # Plain values, read before the commit expires the objects: a lazy load during COPY would
    # wait for the very connection that is copying.
    reps = [_Rep(user.id, styles[user.team.name], user.started_on) for user in people["reps"]]
    metric_ids = {key: metric.id for key, metric in metrics.items()}
    first_team = teams["teams"][0]
    rep_email = next(user.email for user in people["reps"] if user.team_id == first_team.id)
    logins = Logins(rep=rep_email, manager=people["managers"][0].email, executive=EXECUTIVE,
                    team_id=first_team.id)
    session.commit()
    log(f"organisation: {len(teams['teams'])} teams, {len(reps)} reps, "
        f"{len(people['managers'])} managers, targets and time off "
        f"in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    count = _add_activities(session, metric_ids, reps, shape, now)
    session.commit()
    log(f"activities: {count:,} inserted in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    rebuild_rollups(session)
    session.commit()
    log(f"roll-up rebuilt in {time.perf_counter() - started:.1f} s")

    return logins


def _metrics(session, organization):
    metrics = {}
    for position, spec in enumerate(METRICS, start=1):
        metrics[spec.key] = Metric(
            organization=organization, key=spec.key, name=spec.name, kind=spec.kind,
            aggregation=spec.aggregation, unit=spec.unit, direction="higher",
            quality_min=spec.quality_min, quality_unit=spec.quality_unit,
            daily_cap=spec.daily_cap, position=position,
        )
        session.add(metrics[spec.key])
    return metrics


def _teams(session, organization, shape):
    """The company team, its regions and their teams; every other team sells in the field."""
    company = Team(organization=organization, name="Bench Corp")
    regions = [Team(organization=organization, name=f"Region {n}", parent=company)
               for n in range(1, shape.regions + 1)]
    per_region = shape.teams // shape.regions
    teams, styles = [], {}
    for number in range(1, shape.teams + 1):
        style = "field" if number % 2 else "inside"
        team = Team(organization=organization, name=f"Team {number:02d} {style.title()}",
                    parent=regions[(number - 1) // per_region])
        teams.append(team)
        styles[team.name] = style
    session.add_all([company, *regions, *teams])
    return dict(company=company, regions=regions, teams=teams), styles


def _people(session, organization, teams, shape, now, password_hash_method):
    """Reps in every team; a manager per team and per region (members of the level above);
    an executive and an administrator in the company team. One password hash for all."""
    probe = User()
    accounts.set_password(probe, PASSWORD, password_hash_method)
    rng = random.Random(f"{shape.seed}|people")
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()

    def person(email, name, roles, team, started_days_ago):
        user = User(organization=organization, email=email, name=name, team=team,
                    password_hash=probe.password_hash,
                    started_on=today - timedelta(days=started_days_ago))
        user.roles = roles
        session.add(user)
        return user

    company = teams["company"]
    executive = person(EXECUTIVE, "Erin Executive", ("executive",), company, 3000)
    company.managers.append(executive)
    person("admin@bench.example.com", "Ada Admin", ("admin",), company, 2500)
    managers = []
    for number, region in enumerate(teams["regions"], start=1):
        boss = person(f"region-{number}@bench.example.com", f"Region Manager {number}",
                      ("manager",), company, 2000)
        region.managers.append(boss)
    for number, team in enumerate(teams["teams"], start=1):
        boss = person(f"manager-{number:02d}@bench.example.com", f"Manager {number:02d}",
                      ("manager",), team.parent, 1500)
        team.managers.append(boss)
        managers.append(boss)
    per_team = shape.reps // shape.teams
    reps = []
    for number in range(1, shape.reps + 1):
        team = teams["teams"][(number - 1) // per_team]
        # One rep in fifty is a new hire of the last three months; the others have been there
        # longer than the year of activity.
        started = rng.randrange(1, 90) if number % 50 == 7 else rng.randrange(400, 3000)
        reps.append(person(f"rep-{number:04d}@bench.example.com", f"Rep {number:04d}",
                           ("rep",), team, started))
    return dict(executive=executive, managers=managers, reps=reps)


def add_targets(session, organization, metrics, teams, styles, reps, now):
    """Scorecard templates, goals at every level and time off, as a real organisation has.

    A role template for reps and a field template on the field teams (inside teams fall back
    on the role's); company goals by month, region goals by quarter, team goals by month for
    revenue; person overrides for one rep in ten, a few for this month only; a week of time off
    for one rep in twenty, some of it this week.
    """
    today = now.astimezone(ZoneInfo(TIMEZONE)).date()
    rng = random.Random("targets")
    per_rep = {(key, style): _weekly_rate(key, style) for style in _RATES for key in _RATES[style]}

    def template(name, role, style, team_list):
        items = []
        for position, spec in enumerate(METRICS):
            kind = {"calls": "day", "deals_won": "month", "revenue": "month",
                    "pipeline_added": "month"}.get(spec.key, "week")
            weekly = per_rep[(spec.key, style)]
            target = {"day": weekly / 5, "week": weekly, "month": weekly * 52 / 12}[kind]
            items.append(ScorecardItem(
                metric_id=metrics[spec.key].id, weight=3 if spec.kind == "leading" else 2,
                cap_percent=150, period_kind=kind, target=_round(target), position=position,
            ))
        session.add(ScorecardTemplate(organization_id=organization.id, name=name, role=role,
                                      items=items, teams=team_list))

    field_teams = [team for team in teams["teams"] if styles[team.name] == "field"]
    template("Reps", "rep", "inside", [])
    template("Field sales", None, "field", field_teams)

    month_start = period_at("month", now, organization.calendar).start
    reps_per_team = len(reps) // len(teams["teams"])
    goals = []
    for key in ("calls", "demos", "deals_won", "revenue"):
        average = sum(per_rep[(key, style)] for style in _RATES) / len(_RATES)
        goals.append(Goal(organization_id=organization.id, level="company",
                          metric_id=metrics[key].id, period_kind="month",
                          value=_round(average * 52 / 12 * len(reps) * 1.05)))
    for region in teams["regions"]:
        goals.append(Goal(organization_id=organization.id, level="team", team_id=region.id,
                          metric_id=metrics["deals_won"].id, period_kind="quarter",
                          value=_round(per_rep[("deals_won", "field")] * 13 * len(reps)
                                       / len(teams["regions"]))))
    for team in teams["teams"]:
        goals.append(Goal(organization_id=organization.id, level="team", team_id=team.id,
                          metric_id=metrics["revenue"].id, period_kind="month",
                          value=_round(per_rep[("revenue", styles[team.name])] * 52 / 12
                                       * reps_per_team * rng.uniform(0.9, 1.2))))
    for number, rep in enumerate(reps):
        if number % 10 == 3:
            goals.append(Goal(organization_id=organization.id, level="person", user_id=rep.id,
                              metric_id=metrics["calls"].id, period_kind="day",
                              value=_round(rng.uniform(3, 12))))
        if number % 25 == 5:
            goals.append(Goal(organization_id=organization.id, level="person", user_id=rep.id,
                              metric_id=metrics["revenue"].id, period_kind="month",
                              period_start=month_start, value=_round(rng.uniform(5e3, 4e4))))
    session.add_all(goals)

    this_monday = today - timedelta(days=today.weekday())
    for number, rep in enumerate(reps):
        if number % 20 != 11:
            continue
        weeks_ago = 0 if number % 60 == 11 else rng.randrange(1, 52)
        monday = this_monday - timedelta(weeks=weeks_ago)
        session.add(TimeOff(user_id=rep.id, first_day=monday,
                            last_day=monday + timedelta(days=4), note="Holiday"))


def _weekly_rate(key, style):
    """A middle performer's activities of one metric in a week, at the benchmark's volume."""
    return _RATES[style][key] * 5 * _scale()


def _scale():
    # The demo's rates give about 35 activities a working day per rep; a million over a year
    # for a thousand reps is about 4.3. Targets follow the volume actually generated.
    field, inside = (sum(rates.values()) for rates in _RATES.values())
    return 4.3 / ((field + inside) / 2)


def _round(value):
    if value >= 1000:
        return float(round(value, -2))
    if value >= 10:
        return float(round(value))
    return round(value, 1) or 0.1


# Activities

_COLUMNS = ("client_id", "external_id", "user_id", "metric_id", "quantity", "value",
            "occurred_at", "local_day", "created_at", "source", "counted", "note", "account")


def _add_activities(session, metric_ids, reps, shape, now):
    """Insert shape.activities activities spread over the reps and the last shape.days days."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
            f"COPY activities ({', '.join(_COLUMNS)}) FROM STDIN"
        ) as copy:
            count = 0
            for chunk in _chunks(metric_ids, reps, shape, now):
                copy.write("".join("\t".join(_copy_text(v) for v in row) + "\n"
                                   for row in chunk))
                count += len(chunk)
        return count
    marks = ", ".join("?" for _ in _COLUMNS)
    statement = f"INSERT INTO activities ({', '.join(_COLUMNS)}) VALUES ({marks})"  # noqa: S608
    count = 0
    for chunk in _chunks(metric_ids, reps, shape, now):
        connection.exec_driver_sql(statement, chunk)
        count += len(chunk)
    return count


def _copy_text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def _chunks(metric_ids, reps, shape, now, reps_per_chunk=50):
    """Rows of activities, as tuples of plain values in _COLUMNS order, a few reps at a time.

    The total is exactly shape.activities: each rep's share follows their output, style and
    days in the window; the days, hours and metrics are drawn with the demo's weights.
    """
    zone = ZoneInfo(TIMEZONE)
    local_now = now.astimezone(zone)
    today = local_now.date()
    window = [today - timedelta(days=n) for n in range(shape.days - 1, -1, -1)]
    rng = random.Random(f"{shape.seed}|activities")
    outputs = [rng.uniform(0.6, 1.4) for _ in reps]

    def day_weight(day):
        if (day.month, day.day) in FIXED_HOLIDAYS:
            return 0.0
        return _WEEKDAY_WEIGHTS[day.weekday()]

    weights = {day: day_weight(day) for day in window}
    offsets = {day: _utc_offset(day, zone) for day in window}
    capacity = []
    for rep, output in zip(reps, outputs, strict=True):
        days = [day for day in window if rep.started_on is None or day >= rep.started_on]
        rates = _RATES[rep.style]
        capacity.append(output * sum(rates.values()) * sum(weights[day] for day in days))
    counts = _apportion(shape.activities, capacity)

    hours = list(HOUR_WEIGHTS)
    hour_weights = list(HOUR_WEIGHTS.values())
    chunk = []
    for number, (rep, count) in enumerate(zip(reps, counts, strict=True)):
        style = rep.style
        keys = list(_RATES[style])
        days = [day for day in window if rep.started_on is None or day >= rep.started_on]
        picked_days = rng.choices(days, weights=[weights[day] for day in days], k=count)
        picked_keys = rng.choices(keys, weights=[_RATES[style][k] for k in keys], k=count)
        picked_hours = rng.choices(hours, weights=hour_weights, k=count)
        for day, key, hour in zip(picked_days, picked_keys, picked_hours, strict=True):
            seconds = hour * 3600 + rng.randrange(3600)
            local = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                seconds=seconds)
            occurred = local - offsets[day]
            if occurred > now:  # later today: it has not happened yet, so it happened earlier
                occurred = now - timedelta(seconds=rng.randrange(1, 3600))
            created = min(occurred + timedelta(seconds=rng.randrange(1, 600)), now)
            chunk.append(_row(rng, key, style, rep.id, metric_ids[key], occurred, created,
                              zone))
        if (number + 1) % reps_per_chunk == 0 and chunk:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _row(rng, key, style, user_id, metric_id, occurred, created, zone):
    quantity, value, source, external_id, account = 1, None, "web", None, None
    if key == "calls":
        value = (round(rng.uniform(0.2, 1.9), 1) if rng.random() < _SHORT_CALL_SHARE
                 else round(min(45.0, max(2.0, math.exp(rng.gauss(math.log(6), 0.6)))), 1))
    elif key in ("revenue", "pipeline_added"):
        median = DEAL_SIZES[style] * (1.4 if key == "pipeline_added" else 1.0)
        quantity = float(round(median * math.exp(rng.gauss(0, 0.55)), -1)) or 10.0
    if key in ("deals_won", "revenue", "pipeline_added") and rng.random() < 0.6:
        source = "crm"
    elif rng.random() < 0.08:
        source = "offline"
    client_id = f"{rng.getrandbits(128):032x}"
    if source == "crm":
        external_id = f"BENCH-{client_id[:16]}"
    if key in ("visits", "demos", "proposals", "deals_won", "revenue"):
        account = f"Customer {rng.randrange(1, 400):03d}"
    counted = key != "calls" or value >= 2
    local_day = (occurred + _utc_offset_at(occurred, zone)).date()
    return (client_id, external_id, user_id, metric_id, quantity, value,
            _timestamp(occurred), local_day.isoformat(), _timestamp(created), source,
            counted, None, account)


def _timestamp(moment):
    """Naive UTC, as models.types.UTCDateTime stores it (SQLAlchemy's SQLite format)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _utc_offset(day, zone):
    """The timezone's offset from UTC at midday on a local day (office hours never cross a
    daylight-saving change, which happens at night)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=zone).utcoffset()


_OFFSETS = {}


def _utc_offset_at(moment, zone):
    key = (moment.date(), moment.hour)
    if key not in _OFFSETS:
        _OFFSETS[key] = moment.astimezone(zone).utcoffset()
    return _OFFSETS[key]


def _apportion(total, weights):
    """Whole numbers proportional to weights that add up to exactly total."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    counts = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts

