"""Every page of the app as each demo role sees it, and what the browser gates look at on each.

`page_urls` lists the GET pages of the url_map with ids from the demo organisation; the CSP walk
(test_csp.py) and the gates (test_axe.py, test_overflow.py, test_language_walk.py) all go through
it, so a new page is walked by each of them as soon as it exists. `walk` opens every page as one
role in one language at phone size and records, per page, axe-core's serious and critical
violations, the elements that stick out to the right and the text on screen.
"""

from dataclasses import dataclass, field
from pathlib import Path

from flask import url_for
from sqlalchemy import select

import demo.coaching
import demo.feedback
import demo.organization
import demo.scorecards
from extensions import db
from models import (
    Activity,
    CoachingSession,
    Feedback,
    FeedbackReply,
    Metric,
    Organization,
    ScorecardTemplate,
    Team,
    TimeOff,
    User,
    Value,
)

# GET routes that answer with something other than a page.
NOT_PAGES = {"static", "pwa.service_worker", "pwa.manifest", "core.healthz", "api.session",
             "notifications.open"}  # opening an inbox entry: a redirect to its page
# What a page needs in its query string besides its ids.
QUERIES = {"scorecards.activities": {"metric": "calls"},
           "scorecards.company_team": {"metric": "calls"}}
# Each demo role, by the login that has it.
ROLES = {
    "rep": "rep@example.com",
    "manager": "manager@example.com",
    "executive": "exec@example.com",
    "admin": "admin@example.com",
    "new hire": "newhire@example.com",
}
# Someone not signed in, and what they can open (the rest sends them to sign in).
SIGNED_OUT = "signed out"
PUBLIC = ("auth.sign_in", "pwa.offline", "auth.forgot_password", "auth.accept_invitation",
          "auth.reset_password")
# Who walks the pages: each demo role, and someone signed out.
WALKERS = (*ROLES, SIGNED_OUT)
LANGUAGES = ("en", "it", "ja")
# What the browser sends for each language (Accept-Language), as a phone set to it would.
BROWSER_LOCALES = {"en": "en-US", "it": "it-IT", "ja": "ja-JP"}
NOT_FOUND = "/no-such-page"

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# axe-core's own verdicts worth failing on; "moderate" and "minor" are left to judgement.
SERIOUS = ("serious", "critical")
# A rule that declares its impact reports every violation at that impact, so the rules declared
# minor or moderate are not run: the same verdicts, in 40% less time. Rules off by default
# (experimental) stay off.
RUN_AXE = """async (impacts) => {
  const rules = axe._audit.rules
    .filter((rule) => rule.enabled !== false && (!rule.impact || impacts.includes(rule.impact)))
    .map((rule) => rule.id);
  const result = await axe.run(document, {
    resultTypes: ["violations"], runOnly: {type: "rule", values: rules}});
  return result.violations.filter((v) => impacts.includes(v.impact)).map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""
# Elements whose right edge passes the viewport's, outermost first. Content inside a container
# that scrolls sideways on purpose (overflow-x auto or scroll: the wide tables) or clips
# (hidden, clip) does not widen the page and is left out; html and body are not such
# containers, so hiding the page's overflow there still fails.
FIND_OVERFLOW = """(width) => {
  const describe = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      let part = e.localName;
      if (e.id) { parts.unshift(`${part}#${e.id}`); break; }
      if (e.classList.length) part += "." + [...e.classList].join(".");
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const contained = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(a).overflowX)) {
        return true;
      }
    }
    return false;
  };
  const sticksOut = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
    if (getComputedStyle(el).visibility === "hidden" || contained(el)) continue;
    sticksOut.add(el);
  }
  // Inside a closed <details> an element is laid out as it will be once opened, unseen.
  const closed = (el) => {
    const details = el.parentElement && el.parentElement.closest("details:not([open])");
    const summary = details && details.querySelector(":scope > summary");
    return Boolean(details) && !(summary && summary.contains(el));
  };
  return [...sticksOut].filter((el) => !sticksOut.has(el.parentElement)).map((el) => ({
    selector: describe(el) + (closed(el) ? " (in a closed <details>, once opened)" : ""),
    right: Math.round(el.getBoundingClientRect().right),
    text: (el.innerText.trim() || el.getAttribute("aria-label") || el.textContent.trim())
      .replace(/\\s+/g, " ").slice(0, 60),
  }));
}"""
# What a person reads or hears: the rendered text, the tab's title, and the names and hints
# carried in attributes and button values; and apart, the text of elements marked as written in
# another language (a language's own name in a language menu).
SCREEN_TEXT = """() => {
  const own = document.documentElement.lang;
  const foreign = [...document.body.querySelectorAll("[lang]")]
    .filter((el) => el.lang && el.lang !== own && !el.lang.startsWith(`${own}-`))
    .map((el) => el.innerText);
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      if (el.hasAttribute(name)) parts.push(el.getAttribute(name));
    }
  }
  for (const el of document.querySelectorAll(
      "input[type=submit], input[type=button], input[type=reset]")) {
    parts.push(el.value);
  }
  return {text: parts.join("\\n"), foreign};
}"""


def seed_demo(session, now, password_hash_method, days):
    """The demo organisation, Northwind Supplies, with `days` days of activity and its goals."""
    demo.organization.seed(session, now, password_hash_method, days=days)
    demo.scorecards.seed(session, now, days=days)
    demo.feedback.seed(session, now)
    demo.coaching.seed(session, now)
    session.commit()


def page_urls(app):
    """Every page route of the app, with ids from the demo that the roles above may open.

    Taken from the url_map, so a new page is walked as soon as it exists; a new kind of id in
    a URL fails here until it is given a value, and a page that needs something in its query
    string fails the walk (no role sees it) until QUERIES says what."""
    rep = db.session.scalar(select(User).where(User.email == ROLES["rep"]))
    team = db.session.get(Team, rep.team_id)
    ids = {
        "team_id": team.id,
        "person_id": rep.id,
        "user_id": rep.id,
        "metric_id": db.session.scalar(select(Metric.id).order_by(Metric.id).limit(1)),
        "template_id": db.session.scalar(
            select(ScorecardTemplate.id).order_by(ScorecardTemplate.id).limit(1)),
        # Feedback the rep received: the rep, their manager and the regional manager read it.
        "feedback_id": db.session.scalar(
            select(Feedback.id).where(Feedback.receiver_id == rep.id).order_by(Feedback.id)
            .limit(1)),
        "value_id": db.session.scalar(select(Value.id).order_by(Value.id).limit(1)),
        # The rep's latest shared session: the rep, their coach and the executive above read it.
        "session_id": db.session.scalar(
            select(CoachingSession.id).where(CoachingSession.rep_id == rep.id,
                                             CoachingSession.status == "shared")
            .order_by(CoachingSession.id.desc()).limit(1)),
        **_coaching_ids(rep),
        # Good links (a GET uses none up): an invitation for the new hire, a reset for the rep.
        **_sign_in_links(rep),
    }
    urls = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
                continue
            unknown = rule.arguments - ids.keys()
            assert not unknown, f"{rule.rule}: give {sorted(unknown)} a value in page_urls"
            arguments = {name: ids[name] for name in rule.arguments}
            urls[rule.endpoint] = url_for(
                rule.endpoint, **arguments, **QUERIES.get(rule.endpoint, {}))
    return urls


def _sign_in_links(rep):
    from datetime import UTC, datetime, timedelta

    from services import invitations

    new_hire = db.session.scalar(select(User).where(User.email == ROLES["new hire"]))
    now, lifetime = datetime.now(UTC), timedelta(days=30)
    links = {
        "invitation_token": invitations.issue(db.session, new_hire, invitations.INVITATION,
                                              lifetime=lifetime, now=now),
        "reset_token": invitations.issue(db.session, rep, invitations.PASSWORD_RESET,
                                         lifetime=lifetime, now=now),
    }
    db.session.commit()
    return links


def _coaching_ids(rep):
    """A coaching template and its first section (admins), the rep's recurring series and a
    rep's open request (their manager)."""
    from models import CoachingRequest, CoachingSeries, CoachingTemplate

    template = db.session.scalar(select(CoachingTemplate).order_by(CoachingTemplate.id))
    return {
        "coaching_template_id": template.id,
        "template_section_id": template.sections[0].id,
        "series_id": db.session.scalar(select(CoachingSeries.id).where(
            CoachingSeries.rep_id == rep.id).order_by(CoachingSeries.id).limit(1)),
        "request_id": db.session.scalar(select(CoachingRequest.id).where(
            CoachingRequest.status == "open").order_by(CoachingRequest.id).limit(1)),
    }


def _coaching_words():
    """The demo's coaching data as typed: templates, their sections, sessions, requests."""
    from models import (
        ActionItem,
        AgendaItem,
        CoachingRequest,
        CoachingSession,
        CoachingSessionSection,
        CoachingTemplate,
        CoachingTemplateSection,
        Obstacle,
    )

    columns = (CoachingTemplate.name, CoachingTemplate.description,
               CoachingTemplateSection.title, CoachingTemplateSection.prompt,
               CoachingSessionSection.title, CoachingSessionSection.prompt,
               CoachingSessionSection.rep_answer, CoachingSession.title,
               CoachingSession.shared_notes, ActionItem.text, AgendaItem.text, Obstacle.note,
               CoachingRequest.note)
    words = set()
    for column in columns:
        words.update(db.session.scalars(select(column).distinct()))

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for each in value.values():
                yield from strings(each)
        elif isinstance(value, list):
            for each in value:
                yield from strings(each)

    for column in (CoachingTemplateSection.options, CoachingSessionSection.options,
                   CoachingSessionSection.value):
        for value in db.session.scalars(select(column)):
            words.update(strings(value))
    return words - {None}


def demo_data():
    """The words the demo organisation's own data puts on pages (names of people, teams,
    scorecards, accounts, notes): shown as entered, in no language of the catalogue. Metric
    names and units are not among them: each has its own words in each language."""
    columns = (Organization.name, Team.name, User.name, User.email, ScorecardTemplate.name,
               Metric.key, TimeOff.note, Activity.note, Activity.account, Value.name,
               Value.description, Feedback.body, FeedbackReply.body)
    words = set()
    for column in columns:
        words.update(db.session.scalars(select(column).distinct()))
    for behaviours in db.session.scalars(select(Value.behaviours)):
        words.update(behaviours.splitlines())
    words.update(_coaching_words())
    return sorted((word for word in words if word), key=len, reverse=True)


def metric_words(language):
    """The demo's metric names and units as entered, where `language` has words of its own."""
    words = set()
    for metric in db.session.scalars(select(Metric)):
        own = (metric.translations or {}).get(language, {})
        for name in ("name", "unit", "quality_unit"):
            if getattr(metric, name) and own.get(name) not in (None, getattr(metric, name)):
                words.add(getattr(metric, name))
    return sorted(words)


@dataclass
class Visit:
    """One page as one role saw it in one language."""

    endpoint: str
    url: str
    status: int
    shown: str  # where the browser ended up (after redirects)
    checked: bool = False  # False: the same page (or error page) was already checked
    lang: str = ""  # <html lang>
    axe: list = field(default_factory=list)
    overflow: list = field(default_factory=list)
    text: str = ""  # what is on screen (SCREEN_TEXT)
    foreign: list = field(default_factory=list)  # parts of it marked as another language

    @property
    def where(self):
        return self.endpoint if self.shown == self.url else f"{self.endpoint} ({self.shown})"


def run_axe(page):
    """axe-core's serious and critical violations on the page as it is now.

    axe is evaluated through the DevTools protocol (page.evaluate), which the page's
    Content-Security-Policy does not govern; `add_script_tag` would insert an inline <script>
    that the policy refuses, and bypassing the policy would test a page nobody is served."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    return page.evaluate(RUN_AXE, list(SERIOUS))


def check(page, visit):
    visit.checked = True
    visit.lang = page.evaluate("document.documentElement.lang")
    visit.axe = run_axe(page)
    visit.overflow = page.evaluate(FIND_OVERFLOW, page.viewport_size["width"])
    screen = page.evaluate(SCREEN_TEXT)
    visit.text, visit.foreign = screen["text"], screen["foreign"]


def walk(page, urls):
    """Opens each page and checks it, each page and each error page once; the list of visits.

    Whether a page answers is asked first without drawing it (the context's cookies, no
    browser page), so the same 403 is not drawn thirty times; the pages drawn and checked are
    those that answer 200 and the first 403 and 404 (a 5xx is reported by `broken`, not
    checked). The list ends with a URL that does not exist, so the 404 page is checked too."""
    visits = []
    seen = set()
    for endpoint, url in [*urls.items(), ("not found", NOT_FOUND)]:
        answer = page.request.get(url)
        shown = answer.url.split("/", 3)[-1]
        visit = Visit(endpoint, url, answer.status, f"/{shown}")
        visits.append(visit)
        # A redirect lands on a page of the list, and every 403 (or 404) is the same page.
        same = visit.shown if answer.status == 200 else answer.status
        if same not in seen and answer.status < 500:
            seen.add(same)
            # Drawn in the walk's language, which the question above did not ask for.
            visit.status = page.goto(url).status
            if visit.status < 500:
                check(page, visit)
    return visits


def broken(visits, role, language):
    """The pages that failed to answer at all (a 5xx): no gate passes over them."""
    return [f"{visit.where} [{role}, {language}]: answered {visit.status}"
            for visit in visits if visit.status >= 500]
