"""A rep asks for coaching: on a metric, or for a 1:1. Their managers are told; whoever may
coach the rep (services.coaching.can_coach) sees the request and answers it by starting a
session; the rep may withdraw it while it is open."""

from sqlalchemy import select

from models import CoachingRequest, CoachingSession, User
from services import coaching, notifications

KINDS = ("metric", "one_on_one")
LONGEST_NOTE = 1000


class RequestError(ValueError):
    """What a request cannot be; `reason` names it for the message shown."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def managers_of(rep):
    """Whom a request goes to: the managers of the rep's team, or of the nearest team above
    it that has any."""
    team = rep.team
    while team is not None:
        managers = [person for person in team.managers if person.active and person.id != rep.id]
        if managers:
            return managers
        team = team.parent
    return []


def metric_params(metric):
    """The metric's name, and its name in each language that has one (metric_it, metric_ja):
    the inbox says it in the reader's language when read, whatever they chose since."""
    if metric is None:
        return {"metric": None}
    names = {f"metric_{language}": words["name"]
             for language, words in (metric.translations or {}).items() if words.get("name")}
    return {"metric": metric.name, **names}


def ask(session, rep, *, kind, metric=None, note="", now):
    """A new open request, and a word to the rep's managers. Asking again for what is still
    open changes nothing: the open request is returned, (request, False)."""
    if kind not in KINDS:
        raise RequestError("kind")
    if kind == "metric":
        if metric is None or metric.organization_id != rep.organization_id:
            raise RequestError("metric")
    else:
        metric = None
    note = (note or "").strip()
    if len(note) > LONGEST_NOTE:
        raise RequestError("too_long")
    same_metric = (CoachingRequest.metric_id.is_(None) if metric is None
                   else CoachingRequest.metric_id == metric.id)
    open_already = session.scalar(select(CoachingRequest).where(
        CoachingRequest.rep_id == rep.id, CoachingRequest.status == "open",
        CoachingRequest.kind == kind, same_metric))
    if open_already is not None:
        return open_already, False
    request = CoachingRequest(organization_id=rep.organization_id, rep=rep, kind=kind,
                              metric=metric, note=note, status="open", created_at=now)
    session.add(request)
    session.flush()
    for manager in managers_of(rep):
        notifications.notify(
            session, manager, "coaching_requested", link=("coaching_requests.index", {}),
            actor=rep, now=now, params=metric_params(metric))
    return request, True


def withdraw(request, *, now):
    """The rep takes back an open request; an answered one stays answered."""
    if request.status != "open":
        return False
    request.status = "withdrawn"
    request.answered_at = now
    return True


def of_rep(session, rep, limit=20):
    """The rep's requests, open ones first, then the latest."""
    found = session.scalars(
        select(CoachingRequest).where(CoachingRequest.rep_id == rep.id)
        .order_by(CoachingRequest.created_at.desc(), CoachingRequest.id.desc()).limit(limit)
    ).all()
    return sorted(found, key=lambda each: each.status != "open")


def open_for_coach(session, coach):
    """Open requests from the reps the coach may coach, oldest first (waiting longest)."""
    team_ids = coaching.led_team_ids(session, coach)
    if not team_ids:
        return []
    found = session.scalars(
        select(CoachingRequest).join(User, User.id == CoachingRequest.rep_id)
        .where(CoachingRequest.status == "open", User.team_id.in_(team_ids),
               User.active.is_(True), User.id != coach.id)
        .order_by(CoachingRequest.created_at, CoachingRequest.id)
    ).all()
    return [each for each in found if coaching.can_coach(session, coach, each.rep)]


def answer(session, request, *, coach, template=None, now):
    """Start a session for the request (its metric filled in) and mark it answered by it.
    An answered request returns its session; a withdrawn one cannot be answered."""
    if request.status == "answered" and request.session_id is not None:
        return session.get(CoachingSession, request.session_id)
    if request.status != "open":
        raise RequestError("closed")
    made = coaching.start_session(session, coach=coach, rep=request.rep, template=template,
                                  metric=request.metric, now=now)
    request.status, request.answered_at, request.session_id = "answered", now, made.id
    session.flush()
    return made
