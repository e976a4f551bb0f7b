"""The organisation's directory as an administrator keeps it: people, teams and metrics."""

import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from models import Metric, Team, User
from models.types import utcnow
from periods import local_date
from services import accounts, team_rollups
from services.activities import rebuild_rollups, relocalise

METRIC_KEY = re.compile(r"[a-z][a-z0-9_]{1,39}")
# A people search shows this many at most, and asks for more words beyond; words past
# SEARCH_WORDS are ignored, so a pasted paragraph costs no more than a name.
SEARCH_LIMIT = 20
SEARCH_WORDS = 5
# The People list shows this many a page: a thousand rows are neither read nor quick to send.
PEOPLE_PAGE = 50


@dataclass(frozen=True)
class TeamRow:
    """A team in tree order: how deep it sits, and how many active people belong to it."""

    team: Team
    depth: int
    members: int


@lru_cache(maxsize=1)
def timezone_names():
    """Every IANA timezone name this system knows, sorted."""
    return tuple(sorted(available_timezones()))


def is_timezone(name):
    return name in timezone_names()


def is_metric_key(key):
    return bool(METRIC_KEY.fullmatch(key or ""))


@dataclass(frozen=True)
class PeoplePage:
    """One page of the People list: its people, which page it is of how many, and how many
    people there are in all."""

    people: list
    number: int
    pages: int
    total: int
    size: int

    @property
    def first(self):
        """The position of its first person in the whole list, from 1 (0 when empty)."""
        return (self.number - 1) * self.size + 1 if self.people else 0

    @property
    def last(self):
        return self.first + len(self.people) - 1 if self.people else 0


def _matching(query, search):
    """`query` kept to the people whose name or email holds every word of the search, whatever
    its case (of ASCII letters alone on SQLite, whose lower() folds no others; LIKE's own
    wildcards match themselves).

    Accents count: folding them in SQL (a replace() per letter on every name) made a search
    5 to 10 times slower, and Italian accents sit on the last letter, so "nicol" finds Nicolò.
    Cheap folding needs a folded copy of the name stored beside it."""
    for word in (search or "").lower().split()[:SEARCH_WORDS]:
        query = query.where(or_(func.lower(User.name).contains(word, autoescape=True),
                                User.email.contains(word, autoescape=True)))
    return query


def people(session, organization_id, search=None, page=1, size=PEOPLE_PAGE):
    """A page of the organisation's people by name, only those matching the search if there is
    one, with the team each is in and the teams each leads; a page past the last is the last."""
    ours = User.organization_id == organization_id
    total = session.scalar(_matching(select(func.count(User.id)).where(ours), search))
    pages = max(1, -(-total // size))
    number = min(max(page or 1, 1), pages)
    found = session.scalars(
        _matching(select(User).where(ours), search)
        .options(selectinload(User.team), selectinload(User.managed_teams))
        .order_by(User.name, User.id)
        .limit(size)
        .offset((number - 1) * size)
    ).all()
    return PeoplePage(found, number, pages, total, size)


@dataclass(frozen=True)
class Found:
    """The first people a search found, and whether there were more (refine the search)."""

    people: list
    more: bool


def find_people(session, organization_id, search, limit=SEARCH_LIMIT):
    """Up to `limit` of the organisation's people whose name or email holds every word of the
    search, whatever its case, by name: one query, however large the organisation."""
    if not (search or "").split():
        return Found([], False)
    query = _matching(select(User).where(User.organization_id == organization_id), search)
    found = session.scalars(
        query.options(selectinload(User.team)).order_by(User.name, User.id).limit(limit + 1)
    ).all()
    return Found(found[:limit], len(found) > limit)


def people_with_ids(session, organization_id, ids):
    """The organisation's people with these ids, by name; ids of no one of it are left out."""
    ids = sorted(set(ids or ()))
    if not ids:
        return []
    return session.scalars(
        select(User)
        .where(User.organization_id == organization_id, User.id.in_(ids))
        .options(selectinload(User.team))
        .order_by(User.name, User.id)
    ).all()


def email_taken(session, email, except_user=None):
    """Whether another account already uses this email, whatever its case (emails are global)."""
    query = select(User.id).where(func.lower(User.email) == accounts.normalise_email(email))
    if except_user is not None and except_user.id is not None:
        query = query.where(User.id != except_user.id)
    return session.scalar(query.limit(1)) is not None


def team_tree(session, organization_id):
    """Every team of the organisation, parents before their children, siblings by name."""
    teams = session.scalars(
        select(Team)
        .where(Team.organization_id == organization_id)
        .options(selectinload(Team.managers))
        .order_by(Team.name, Team.id)
    ).all()
    members = dict(
        session.execute(
            select(User.team_id, func.count(User.id))
            .where(User.organization_id == organization_id, User.active.is_(True))
            .group_by(User.team_id)
        ).all()
    )
    children = {}
    for team in teams:
        children.setdefault(team.parent_id, []).append(team)
    rows, seen = [], set()

    def walk(team, depth):
        seen.add(team.id)
        rows.append(TeamRow(team, depth, members.get(team.id, 0)))
        for child in children.get(team.id, []):
            if child.id not in seen:
                walk(child, depth + 1)

    ids = {team.id for team in teams}
    for team in teams:
        if team.parent_id is None or team.parent_id not in ids:
            walk(team, 0)
    # Only a cycle made outside Pacer leaves teams unreached; list them rather than hide them.
    for team in teams:
        if team.id not in seen:
            walk(team, 0)
    return rows


def would_create_cycle(team, parent):
    """Whether making `parent` the team's parent would put the team inside itself."""
    if team is None or team.id is None or parent is None:
        return False
    return parent.id == team.id or parent in team.descendants()


def metrics(session, organization_id):
    """The organisation's metrics in the administrator's order."""
    return session.scalars(
        select(Metric)
        .where(Metric.organization_id == organization_id)
        .order_by(Metric.position, Metric.name, Metric.id)
    ).all()


def metric_key_taken(session, organization_id, key):
    return (
        session.scalar(
            select(Metric.id)
            .where(Metric.organization_id == organization_id, Metric.key == key)
            .limit(1)
        )
        is not None
    )


def _teams(session, organization_id, ids):
    """The organisation's teams with these ids; ids from elsewhere are ignored."""
    if not ids:
        return []
    return session.scalars(
        select(Team).where(Team.organization_id == organization_id, Team.id.in_(ids))
    ).all()


def _team(session, organization_id, team_id):
    found = _teams(session, organization_id, [team_id] if team_id is not None else [])
    return found[0] if found else None


def _users(session, organization_id, ids):
    if not ids:
        return []
    return session.scalars(
        select(User).where(User.organization_id == organization_id, User.id.in_(ids))
    ).all()


def save_user(
    session, organization, user, *, name, email, roles, team_id, managed_team_ids,
    started_on, locale, timezone, active, password, password_method,
):
    """Create (user=None) or update a person; a new password or deactivation signs them out.

    Someone added without a start date starts on the day they are added (the organisation's
    day): nothing is due from them before it.
    """
    team = _team(session, organization.id, team_id)
    managed_teams = _teams(session, organization.id, managed_team_ids)
    if user is None:
        user = User(organization=organization)
        session.add(user)
        started_on = started_on or local_date(utcnow(), organization.calendar)
    user.name = name
    user.email = accounts.normalise_email(email)
    user.roles = roles
    user.team = team
    user.managed_teams = managed_teams
    user.started_on = started_on
    user.locale = locale or None
    user.timezone = timezone or None
    if password:
        accounts.set_password(user, password, password_method)
        if user.id is not None:
            accounts.end_all_sessions(session, user)
    if user.id is not None and user.active and not active:
        accounts.deactivate(session, user)
    else:
        user.active = active
    return user


def save_preferences(user, *, locale, timezone):
    """A person's own language and timezone; blank means the browser's and the organisation's."""
    user.locale = locale or None
    user.timezone = timezone or None


def save_team(session, organization, team, *, name, parent_id, manager_ids, active,
              workday_start=None, workday_end=None):
    """Create (team=None) or update a team; the caller has refused a parent that makes a cycle.

    Working hours are the team's own when both times are given; none: the team above's.
    """
    parent = _team(session, organization.id, parent_id)
    managers = _users(session, organization.id, manager_ids)
    if would_create_cycle(team, parent):
        raise ValueError(f"team {team.id} cannot sit under team {parent.id}")
    if team is None:
        team = Team(organization=organization)
        session.add(team)
    team.name, team.parent, team.managers, team.active = name, parent, managers, active
    own = workday_start is not None and workday_end is not None
    team.workday_start = workday_start if own else None
    team.workday_end = workday_end if own else None
    return team


def save_metric(
    session, organization, metric, *, key=None, name, kind, aggregation, unit, direction,
    quality_min, quality_unit, daily_cap, position, active, translations=None,
):
    """Create (metric=None, with a key) or update a metric; the key never changes once set.

    `translations` gives the words of some languages ({"ja": {"name": ...}}); a blank word is
    dropped, so that language falls back to the default, and languages not given are kept.
    A changed quality gate recounts which activities count, and the roll-ups with them; a
    changed daily cap, the teams' roll-up.
    """
    if metric is None:
        metric = Metric(organization=organization, key=key)
        session.add(metric)
    gate_changed = metric.id is not None and metric.quality_min != quality_min
    cap_changed = metric.id is not None and metric.daily_cap != daily_cap
    metric.name, metric.kind, metric.aggregation = name, kind, aggregation
    metric.unit, metric.direction = unit, direction
    metric.quality_min, metric.quality_unit = quality_min, quality_unit or None
    metric.daily_cap, metric.position, metric.active = daily_cap, position, active
    if translations is not None:
        metric.translations = merged_words(metric.translations, translations)
    if gate_changed:
        session.flush()
        rebuild_rollups(session, metric_ids=[metric.id])
    elif cap_changed:  # people's days are kept uncapped; their teams' days are capped
        session.flush()
        team_rollups.recount(session, metric_ids=[metric.id])
    return metric


def merged_words(kept, given):
    """A metric's translations with `given` languages replaced, blank words left out; a new
    dict, so that the JSON column is seen to change."""
    words = {language: dict(values) for language, values in (kept or {}).items()}
    for language, values in given.items():
        filled = {field: value.strip() for field, value in values.items()
                  if isinstance(value, str) and value.strip()}
        if filled:
            words[language] = filled
        else:
            words.pop(language, None)
    return words


def save_organization(
    session, organization, *, name, timezone, week_start, fiscal_year_start_month,
    working_weekdays, workday_start=None, workday_end=None,
):
    """Update the organisation's name and calendar; working weekdays are stored as digits,
    working hours are kept when not given.

    A new timezone moves every activity to the local day it happened on there.
    """
    moved = timezone != organization.timezone
    organization.name = name
    organization.timezone = timezone
    organization.week_start = week_start
    organization.fiscal_year_start_month = fiscal_year_start_month
    organization.working_weekdays = "".join(str(day) for day in sorted(set(working_weekdays)))
    if workday_start is not None and workday_end is not None:
        organization.workday_start, organization.workday_end = workday_start, workday_end
    if moved:
        session.flush()
        relocalise(session, organization)
    return organization
