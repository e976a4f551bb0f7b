"""The demo organisation, Northwind Supplies: teams, people, metrics and months of activity.

Seeding is idempotent. Organisation, teams, metrics and people are found by name, key or email
and created only when missing; rows that already exist are left as they are, so whatever was
changed while exploring the demo survives a re-run. Activities are planned day by day from a
random generator seeded with the person and the day, so a day always plans the same activities
with the same client ids; a re-run skips the days already seeded and only tops up the last one
(which may have been cut off by `now`) and the days since.
"""

import math
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from models import Activity, Metric, Organization, Team, User, UserRole
from periods import local_date, to_utc
from services import accounts
from services.activities import rebuild_rollups

PASSWORD = "pacer-demo"  # noqa: S105 - the published password of the demo logins
DEFAULT_DAYS = 90

ORGANIZATION = dict(
    name="Northwind Supplies",
    timezone="Europe/Rome",
    week_start=0,
    fiscal_year_start_month=1,
    working_weekdays="01234",
)

COMPANY_TEAM = "Northwind"
# Region -> its teams, and how each team sells: "field" reps visit, "inside" reps phone.
REGIONS = {
    "North": ("Milan Field", "Turin Inside"),
    "South": ("Rome Field", "Naples Inside"),
}
TEAM_STYLES = {
    "Milan Field": "field",
    "Turin Inside": "inside",
    "Rome Field": "field",
    "Naples Inside": "inside",
}

# Fixed: the uuid5 namespace of every demo activity's client id. Changing it would make a re-run
# insert every activity a second time.
CLIENT_ID_NAMESPACE = uuid.UUID("6f1d3c2e-5b7a-4c1e-9a43-2d8e7b0c9f15")


@dataclass(frozen=True)
class MetricSpec:
    key: str
    name: str
    kind: str
    aggregation: str = "count"
    unit: str = ""
    quality_min: float | None = None
    quality_unit: str | None = None
    daily_cap: float | None = None


# Name, unit and gate unit in each language the demo speaks beside English.
WORDS = {
    "calls": {"it": ("Chiamate", "chiamate", "minuti"), "ja": ("電話", "件", "分")},
    "visits": {"it": ("Visite", "visite"), "ja": ("訪問", "件")},
    "demos": {"it": ("Demo", "demo"), "ja": ("デモ", "件")},
    "proposals": {"it": ("Proposte inviate", "proposte"), "ja": ("提案書送付", "件")},
    "meetings_booked": {"it": ("Appuntamenti fissati", "appuntamenti"), "ja": ("アポ獲得", "件")},
    "deals_won": {"it": ("Contratti vinti", "contratti"), "ja": ("成約", "件")},
    "revenue": {"it": ("Fatturato", "EUR"), "ja": ("売上", "EUR")},
    "pipeline_added": {"it": ("Pipeline aggiunta", "EUR"), "ja": ("追加パイプライン", "EUR")},
}


def _translations(key):
    return {
        language: dict(zip(("name", "unit", "quality_unit"), words, strict=False))
        for language, words in WORDS[key].items()
    }


METRICS = (
    MetricSpec("calls", "Calls", "leading", unit="calls",
               quality_min=2, quality_unit="minutes", daily_cap=80),
    MetricSpec("visits", "Visits", "leading", unit="visits", daily_cap=10),
    MetricSpec("demos", "Demos", "leading", unit="demos"),
    MetricSpec("proposals", "Proposals sent", "leading", unit="proposals"),
    MetricSpec("meetings_booked", "Meetings booked", "lagging", unit="meetings"),
    MetricSpec("deals_won", "Deals won", "lagging", unit="deals"),
    MetricSpec("revenue", "Revenue", "lagging", aggregation="sum", unit="EUR"),
    MetricSpec("pipeline_added", "Pipeline added", "lagging", aggregation="sum", unit="EUR"),
)


@dataclass(frozen=True)
class Person:
    name: str
    roles: tuple[str, ...]
    team: str | None
    started_days_ago: int
    email: str | None = None  # firstname.lastname@example.com unless given
    manages: tuple[str, ...] = ()
    tier: str | None = None  # reps only: how well they perform
    starts_this_week: bool = False  # started_on is the Monday of the week of the first seed

    @property
    def address(self):
        return self.email or _email_for(self.name)


def _email_for(name):
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    first, *rest = ascii_name.lower().split()
    return f"{first}.{''.join(rest)}@example.com"


def _rep(name, team, tier, started_days_ago, **fields):
    return Person(name, ("rep",), team, started_days_ago, tier=tier, **fields)


def _manager(name, team, manages, started_days_ago, **fields):
    return Person(name, ("manager",), team, started_days_ago, manages=(manages,), **fields)


# Team managers belong to their region and region managers to the company, as on an org chart,
# so a team's members are the reps it is made of.
PEOPLE = (
    Person("Alessandra Conti", ("admin",), COMPANY_TEAM, 2900, email="admin@example.com"),
    Person("Roberto Marchetti", ("executive",), COMPANY_TEAM, 3650, email="exec@example.com",
           manages=(COMPANY_TEAM,)),
    _manager("Elena Colombo", COMPANY_TEAM, "North", 2400),
    _manager("Giuseppe Vitale", COMPANY_TEAM, "South", 2100),
    _manager("Chiara Ferri", "North", "Milan Field", 1500, email="manager@example.com"),
    _manager("Paolo Ricci", "North", "Turin Inside", 1300),
    _manager("Valentina Caruso", "South", "Rome Field", 1750),
    _manager("Antonio Esposito", "South", "Naples Inside", 980),
    # Milan Field
    _rep("Luca Bianchi", "Milan Field", "solid", 1100, email="rep@example.com"),
    _rep("Sofia Moretti", "Milan Field", "middle", 0, email="newhire@example.com",
         starts_this_week=True),
    _rep("Alessandro Galli", "Milan Field", "top", 2300),
    _rep("Francesca Longo", "Milan Field", "middle", 640),
    _rep("Matteo Barbieri", "Milan Field", "middle", 410),
    _rep("Pietro Fontana", "Milan Field", "struggling", 300),
    _rep("Hannah Keller", "Milan Field", "middle", 870),
    _rep("Davide Mancini", "Milan Field", "middle", 50),
    # Turin Inside
    _rep("Giulia Rossi", "Turin Inside", "top", 1450),
    _rep("Marco Ferrari", "Turin Inside", "solid", 990),
    _rep("Elisa Gallo", "Turin Inside", "middle", 520),
    _rep("Lorenzo Costa", "Turin Inside", "middle", 380),
    _rep("Camille Laurent", "Turin Inside", "middle", 700),
    _rep("Simone Bruno", "Turin Inside", "struggling", 230),
    _rep("Martina Lombardi", "Turin Inside", "solid", 1200),
    _rep("Nicolò Rinaldi", "Turin Inside", "middle", 150),
    # Rome Field
    _rep("Andrea Marino", "Rome Field", "top", 1900),
    _rep("Federica De Luca", "Rome Field", "solid", 1020),
    _rep("Stefano Greco", "Rome Field", "middle", 760),
    _rep("Ilaria Conte", "Rome Field", "middle", 450),
    _rep("Tomás Navarro", "Rome Field", "middle", 330),
    _rep("Riccardo Serra", "Rome Field", "struggling", 610),
    _rep("Beatrice Villa", "Rome Field", "middle", 200),
    # Naples Inside
    _rep("Serena Russo", "Naples Inside", "top", 1600),
    _rep("Gennaro Romano", "Naples Inside", "middle", 540),
    _rep("Roberta Gatti", "Naples Inside", "solid", 830),
    _rep("Ciro Amato", "Naples Inside", "struggling", 270),
    _rep("Laura Santoro", "Naples Inside", "middle", 690),
    _rep("Jan Novák", "Naples Inside", "middle", 420),
    _rep("Fabio Pellegrini", "Naples Inside", "middle", 36),
)

# The logins the command prints, with what each one shows.
LOGINS = (
    ("admin@example.com", "admin"),
    ("exec@example.com", "executive, manages the company"),
    ("manager@example.com", "manager of Milan Field"),
    ("rep@example.com", "rep in Milan Field, a solid performer"),
    ("newhire@example.com", "new rep in Milan Field, started the week of the first seed"),
)


@dataclass(frozen=True)
class Tier:
    output: float  # activity volume against the team's norm
    short_calls: float  # share of calls under the two-minute gate
    conversion: float  # how often activity turns into won deals


TIERS = {
    "top": Tier(output=1.35, short_calls=0.10, conversion=1.5),
    "solid": Tier(output=1.15, short_calls=0.14, conversion=1.2),
    "middle": Tier(output=1.0, short_calls=0.20, conversion=1.0),
    "struggling": Tier(output=0.65, short_calls=0.32, conversion=0.55),
}

# Expected activities on an ordinary working day for a middle performer.
DAILY_RATES = {
    "field": dict(calls=12, visits=4.2, demos=1.3, proposals=0.6, meetings_booked=1.6,
                  deals_won=0.16),
    "inside": dict(calls=42, visits=0.04, demos=2.2, proposals=0.9, meetings_booked=3.0,
                   deals_won=0.26),
}
# Median deal size in EUR; pipeline added by a proposal runs somewhat larger.
DEAL_SIZES = {"field": 16000, "inside": 5500}
# Monday..Sunday; weekends only when a rep happens to work (see _day_factor).
WEEKDAY_FACTORS = (1.0, 1.08, 1.05, 1.0, 0.72, 0.2, 0.1)
# Local working hours and how busy each one is.
HOUR_WEIGHTS = {8: 0.4, 9: 1.0, 10: 1.15, 11: 1.1, 12: 0.75, 13: 0.3, 14: 0.85,
                15: 1.0, 16: 1.0, 17: 0.7, 18: 0.3}
# Italian public holidays with a fixed date; Easter Monday is worked out per year.
FIXED_HOLIDAYS = {(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8),
                  (12, 25), (12, 26)}

CUSTOMERS = {
    "North": (
        "Ferramenta Brambilla", "Officine Lariane", "Logistica Padana", "Tipografia Sabauda",
        "Mobilificio Brianza", "Caseificio Valtellina", "Studio Tecnico Bassi",
        "Hotel Porta Nuova", "Cartiere Subalpine", "Biscottificio Lingotto",
        "Clinica Villa Serena", "Tessitura Biellese", "Meccanica Canavese",
        "Scuola Manzoni", "Farmacia Centrale Torino", "Autoricambi Lombardi",
    ),
    "South": (
        "Pastificio Aurora", "Conserve Vesuviane", "Hotel Riviera di Chiaia",
        "Ceramiche Amalfitane", "Laboratorio Analisi Flaminio", "Assicurazioni Tevere",
        "Ottica Vomero", "Cooperativa Agricola Tiburtina", "Edilnova Roma",
        "Porto Turistico Mergellina", "Agrumi di Sorrento", "Palestra Olimpia",
        "Studio Legale Aventino", "Ristorazione Partenope", "Istituto Caravaggio",
        "Autotrasporti Appia",
    ),
}
NOTES = {
    "visits": ("Met the office manager; wants a quote.", "Checked stock levels with them.",
               "New purchasing contact.", "Asked about next-day delivery."),
    "demos": ("Showed the online ordering portal.", "Demo of the stock-replenishment service."),
    "proposals": ("Annual supply contract.", "Quote for the new branch.",
                  "Renewal with volume discount."),
    "deals_won": ("Two-year contract.", "Won against the incumbent.", "Renewal, larger scope."),
}


@dataclass(frozen=True)
class Summary:
    organization: str
    teams: int
    people: int
    reps: int
    metrics: int
    activities: int
    added: int
    first_day: date | None
    last_day: date | None
    created: dict = field(default_factory=dict)  # what this run created, by kind

    def __str__(self):
        span = f" from {self.first_day} to {self.last_day}" if self.first_day else ""
        return (
            f"{self.organization}: {self.teams} teams, {self.people} people ({self.reps} reps), "
            f"{self.metrics} metrics, {self.activities} activities{span}; "
            f"this run added {self.added} activities."
        )


class DemoConflict(ValueError):
    """A demo email already belongs to someone in another organisation."""


def seed(session, now, password_hash_method, days=DEFAULT_DAYS):
    """Create or top up the demo organisation as of `now`, with `days` days of activity."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    organization, created_org = _organization(session)
    teams, created_teams = _teams(session, organization)
    metrics, created_metrics = _metrics(session, organization)
    users, created_users = _people(session, organization, teams, now, password_hash_method)
    session.flush()

    before = _activity_count(session, metrics)
    touched = _add_activities(session, organization, metrics, users, now, days)
    if touched:
        rebuild_rollups(
            session, metric_ids=[m.id for m in metrics.values()], user_ids=sorted(touched)
        )
    return _summary(
        session, organization, metrics, before,
        created=dict(organization=int(created_org), teams=created_teams,
                     metrics=created_metrics, people=created_users),
    )


def _organization(session):
    organization = session.scalar(
        select(Organization).where(Organization.name == ORGANIZATION["name"])
    )
    if organization is not None:
        return organization, False
    organization = Organization(**ORGANIZATION)
    session.add(organization)
    return organization, True


def _teams(session, organization):
    """{name: team} for the company, its regions and their teams, creating what is missing."""
    existing = {
        team.name: team
        for team in session.scalars(select(Team).where(Team.organization == organization))
    }
    created = 0

    def team(name, parent):
        nonlocal created
        if name not in existing:
            existing[name] = Team(name=name, organization=organization, parent=parent)
            session.add(existing[name])
            created += 1
        return existing[name]

    company = team(COMPANY_TEAM, None)
    for region_name, team_names in REGIONS.items():
        region = team(region_name, company)
        for name in team_names:
            team(name, region)
    return existing, created


def _metrics(session, organization):
    existing = {
        metric.key: metric
        for metric in session.scalars(select(Metric).where(Metric.organization == organization))
    }
    created = 0
    for position, spec in enumerate(METRICS, start=1):
        if spec.key in existing:
            metric = existing[spec.key]
            metric.translations = metric.translations or _translations(spec.key)
            continue
        metric = Metric(
            organization=organization, key=spec.key, name=spec.name, kind=spec.kind,
            aggregation=spec.aggregation, unit=spec.unit, direction="higher",
            quality_min=spec.quality_min, quality_unit=spec.quality_unit,
            daily_cap=spec.daily_cap, position=position, translations=_translations(spec.key),
        )
        session.add(metric)
        existing[spec.key] = metric
        created += 1
    return existing, created


def _people(session, organization, teams, now, password_hash_method):
    """{email: user} for everyone in PEOPLE, creating who is missing."""
    emails = [person.address for person in PEOPLE]
    existing = {
        user.email: user for user in session.scalars(select(User).where(User.email.in_(emails)))
    }
    strangers = sorted(
        email for email, user in existing.items()
        if user.organization is not organization
    )
    if strangers:
        raise DemoConflict(
            f"{', '.join(strangers)} already belong to another organisation; "
            "seed the demo into an empty database"
        )
    today = local_date(now, organization.calendar)
    this_monday = today - timedelta(days=today.weekday())
    created, password_hash = 0, None
    for person in PEOPLE:
        user = existing.get(person.address)
        if user is None:
            user = User(
                email=person.address,
                name=person.name,
                organization=organization,
                team=teams[person.team] if person.team else None,
                started_on=(
                    this_monday if person.starts_this_week
                    else today - timedelta(days=person.started_days_ago)
                ),
            )
            user.roles = person.roles
            # One hash serves everyone: the password is the same and published, so sharing the
            # salt gives nothing away, and hashing 38 times with scrypt would take seconds.
            if password_hash is None:
                accounts.set_password(user, PASSWORD, password_hash_method)
                password_hash = user.password_hash
            user.password_hash = password_hash
            session.add(user)
            existing[person.address] = user
            created += 1
        for team_name in person.manages:
            if user not in teams[team_name].managers:
                teams[team_name].managers.append(user)
    return existing, created


def _activity_count(session, metrics):
    return session.scalar(
        select(func.count(Activity.id)).where(
            Activity.metric_id.in_([m.id for m in metrics.values()])
        )
    )


def _add_activities(session, organization, metrics, users, now, days):
    """Insert each rep's planned activities for the days not yet seeded; the reps' ids."""
    calendar = organization.calendar
    today = local_date(now, calendar)
    window_start = today - timedelta(days=days - 1)
    metric_ids = [m.id for m in metrics.values()]
    seeded = {
        user_id: (first, last)
        for user_id, first, last in session.execute(
            select(Activity.user_id, func.min(Activity.local_day), func.max(Activity.local_day))
            .where(Activity.metric_id.in_(metric_ids))
            .group_by(Activity.user_id)
        )
    }
    insert = _insert_ignoring_duplicates(session)
    touched = set()
    for person in PEOPLE:
        if person.tier is None:
            continue
        user = users[person.address]
        profile = _Profile.of(person, user)
        first_seeded, last_seeded = seeded.get(user.id, (None, None))
        start = max(window_start, user.started_on or window_start)
        rows = []
        for offset in range((today - start).days + 1):
            day = start + timedelta(days=offset)
            # Days before the last seeded one are complete; the last may have been cut off by
            # the previous run's `now`, so it is planned again and its missing rows added.
            if first_seeded is not None and first_seeded <= day < last_seeded:
                continue
            rows.extend(
                _activity_row(event, user.id, metrics, calendar, now)
                for event in _plan_day(profile, day)
            )
        rows = [row for row in rows if row["occurred_at"] <= now]
        if rows:
            session.execute(insert, rows)
            touched.add(user.id)
    return touched


def _insert_ignoring_duplicates(session):
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Core, not ORM, bulk insert: the ORM splits the rows into a statement per run of rows with
    # the same None columns, thousands of statements instead of one executemany.
    return insert(Activity.__table__).on_conflict_do_nothing()


def _activity_row(event, user_id, metrics, calendar, now):
    metric = metrics[event.metric_key]
    occurred_at = to_utc(event.local_time, calendar)
    return dict(
        client_id=event.client_id,
        external_id=event.external_id,
        user_id=user_id,
        metric_id=metric.id,
        quantity=event.quantity,
        value=event.value,
        occurred_at=occurred_at,
        local_day=local_date(occurred_at, calendar),
        created_at=min(occurred_at + event.delay, now),
        source=event.source,
        counted=metric.qualifies(event.value),
        note=event.note,
        account=event.account,
    )


@dataclass(frozen=True)
class _Profile:
    """What shapes a rep's days: how they sell, how well, since when, and where."""

    email: str
    style: str
    tier: Tier
    output: float
    started_on: date | None
    customers: tuple[str, ...]
    phase: float  # where the rep's run of better and worse weeks starts

    @classmethod
    def of(cls, person, user):
        rng = random.Random(f"{person.address}|profile")
        region = next(name for name, teams in REGIONS.items() if person.team in teams)
        tier = TIERS[person.tier]
        return cls(
            email=person.address,
            style=TEAM_STYLES[person.team],
            tier=tier,
            output=tier.output * rng.uniform(0.92, 1.08),
            started_on=user.started_on,
            customers=tuple(rng.sample(CUSTOMERS[region], 9)),
            phase=rng.uniform(0, 2 * math.pi),
        )


@dataclass(frozen=True)
class _Event:
    metric_key: str
    client_id: uuid.UUID
    local_time: datetime  # naive wall time in the organisation's timezone
    source: str
    delay: timedelta  # from occurring to reaching the server
    quantity: float = 1
    value: float | None = None
    account: str | None = None
    note: str | None = None
    external_id: str | None = None


def _plan_day(profile, day):
    """Every activity the rep does on a local day; the same for the same rep and day, always."""
    rng = random.Random(f"{profile.email}|{day.isoformat()}")
    factor = _day_factor(profile, day, rng)
    if factor == 0:
        return []
    rates = DAILY_RATES[profile.style]
    events = []
    counters = {}

    def event(key, local_time, **fields):
        index = counters.get(key, 0)
        counters[key] = index + 1
        client_id = uuid.uuid5(
            CLIENT_ID_NAMESPACE, f"{profile.email}/{key}/{day.isoformat()}/{index}"
        )
        source, delay = _source(rng, profile, key)
        if source == "crm":
            fields.setdefault("external_id", f"NW-{key.upper()}-{client_id.hex[:12]}")
        events.append(_Event(key, client_id, local_time, source, delay, **fields))

    weekend = day.weekday() >= 5
    for _ in range(_poisson(rng, rates["calls"] * factor)):
        event("calls", _local_time(rng, day, weekend), value=_call_minutes(rng, profile.tier))
    for key in ("visits", "demos", "meetings_booked"):
        for _ in range(_poisson(rng, rates[key] * factor)):
            event(key, _local_time(rng, day, weekend), account=rng.choice(profile.customers),
                  note=_note(rng, key))
    deal_size = DEAL_SIZES[profile.style]
    for _ in range(_poisson(rng, rates["proposals"] * factor)):
        when, customer = _local_time(rng, day, weekend), rng.choice(profile.customers)
        event("proposals", when, account=customer, note=_note(rng, "proposals"))
        if rng.random() < 0.85:
            event("pipeline_added", when, account=customer,
                  quantity=_amount(rng, deal_size * 1.4))
    conversion = rates["deals_won"] * factor * profile.tier.conversion
    for _ in range(_poisson(rng, conversion)):
        when, customer = _local_time(rng, day, weekend), rng.choice(profile.customers)
        event("deals_won", when, account=customer, note=_note(rng, "deals_won"))
        event("revenue", when, account=customer,
              quantity=_amount(rng, deal_size * profile.tier.conversion ** 0.5))
    return events


def _day_factor(profile, day, rng):
    """How much of a normal day's work the rep does: 0 on holidays, days off and most weekends."""
    if profile.started_on is not None and day < profile.started_on:
        return 0.0
    if _is_holiday(day):
        return 0.0
    weekday = day.weekday()
    if weekday >= 5 and rng.random() > (0.08 if weekday == 5 else 0.02):
        return 0.0
    tenure = (day - profile.started_on).days if profile.started_on else 10_000
    # A week off now and then, never in the first weeks of a job; a sick day here and there.
    monday = day - timedelta(days=weekday)
    if tenure > 30 and random.Random(f"{profile.email}|leave|{monday}").random() < 0.05:
        return 0.0
    if weekday < 5 and rng.random() < 0.02:
        return 0.0
    ramp = min(1.0, 0.35 + 0.65 * tenure / 60)  # new reps reach full output in about two months
    # Streaks: everyone has better and worse weeks.
    streak = 1 + 0.12 * math.sin(day.toordinal() / 6.5 + profile.phase)
    noise = math.exp(rng.gauss(0, 0.18))
    return WEEKDAY_FACTORS[weekday] * profile.output * ramp * streak * noise


def _is_holiday(day):
    return (day.month, day.day) in FIXED_HOLIDAYS or day == _easter(day.year) + timedelta(days=1)


def _easter(year):
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def _poisson(rng, mean):
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _local_time(rng, day, weekend):
    """A plausible local wall time: office hours, quieter at lunch; only mornings at weekends."""
    hours = [9, 10, 11, 12] if weekend else list(HOUR_WEIGHTS)
    hour = rng.choices(hours, weights=[HOUR_WEIGHTS[h] for h in hours])[0]
    minute = 30 + rng.randrange(30) if hour == 8 else rng.randrange(60)
    return datetime.combine(day, time(hour, minute, rng.randrange(60)))


def _call_minutes(rng, tier):
    if rng.random() < tier.short_calls:
        return round(rng.uniform(0.2, 1.9), 1)  # voicemail, wrong number, a quick no
    return round(min(45.0, max(2.0, math.exp(rng.gauss(math.log(6), 0.6)))), 1)


def _amount(rng, median):
    """A believable amount in EUR, rounded to tens."""
    return float(round(median * math.exp(rng.gauss(0, 0.55)), -1)) or 10.0


def _note(rng, key):
    notes = NOTES.get(key)
    return rng.choice(notes) if notes and rng.random() < 0.15 else None


def _source(rng, profile, key):
    """Where an activity came from, and how long it took to reach the server."""
    crm_share = {"deals_won": 0.7, "revenue": 0.7, "pipeline_added": 0.6,
                 "meetings_booked": 0.2}.get(key, 0)
    offline_share = 0.15 if profile.style == "field" else 0.03
    draw = rng.random()
    if draw < crm_share:
        return "crm", timedelta(minutes=rng.uniform(1, 15))
    if draw < crm_share + offline_share:
        return "offline", timedelta(minutes=rng.uniform(10, 240))  # replayed on reconnecting
    return "web", timedelta(seconds=rng.uniform(0.2, 20))


def _summary(session, organization, metrics, before, created):
    metric_ids = [m.id for m in metrics.values()]
    count, first_day, last_day = session.execute(
        select(
            func.count(Activity.id), func.min(Activity.local_day), func.max(Activity.local_day)
        ).where(Activity.metric_id.in_(metric_ids))
    ).one()
    in_org = User.organization_id == organization.id
    return Summary(
        organization=organization.name,
        teams=session.scalar(
            select(func.count(Team.id)).where(Team.organization_id == organization.id)
        ),
        people=session.scalar(select(func.count(User.id)).where(in_org)),
        reps=session.scalar(
            select(func.count(User.id)).join(UserRole).where(in_org, UserRole.role == "rep")
        ),
        metrics=len(metrics),
        activities=count,
        added=count - before,
        first_day=first_day,
        last_day=last_day,
        created=created,
    )
