"""Every page type of every role in Chromium under the production Content-Security-Policy,
enforced (the suite's settings turn the headers on): no page and no htmx swap needs an inline
script, handler or style, or an eval, and the service worker still installs."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

import demo.organization
from extensions import db
from tests.browser.pages import ROLES, page_urls, seed_demo

# Collects what the policy refused in the document; Playwright adds it before any page script
# runs, and DevTools-injected code is not itself subject to the page's policy.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
    + ` (${event.sourceFile || "the page"}:${event.lineNumber})`);
});
"""


@pytest.fixture
def northwind(app):
    """The demo organisation with all its data (feedback, coaching), seeded before the server
    starts: every page that names an object of it has one to open."""
    now = datetime.now(UTC)
    seed_demo(db.session, now, app.config["PASSWORD_HASH_METHOD"], days=7)


class Watched:
    """A page whose refused content and CSP console messages are collected as it goes."""

    def __init__(self, page):
        self.page = page
        self.console = []
        self.refused = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def collect(self, where):
        """Adds what the current document refused so far (it starts afresh on each load)."""
        self.refused += [f"{where}: {violation}"
                         for violation in self.page.evaluate("window.__violations")]
        self.page.evaluate("window.__violations = []")

    def visit(self, url):
        response = self.page.goto(url)
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        self.collect(url)
        return response.status

    def sign_in(self, email):
        self.page.goto("/sign-in")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(demo.organization.PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(re.compile(r"^(?!.*sign-in)"))
        self.collect(f"signing in as {email}")

    def assert_nothing_refused(self):
        assert self.refused == [] and self.console == [], "\n".join(self.refused + self.console)


def test_every_page_of_every_role_runs_under_the_policy(app, northwind, new_page):
    urls = page_urls(app)
    answered = {endpoint: set() for endpoint in urls}
    everyone = []

    signed_out = Watched(new_page())
    for url in (urls["auth.sign_in"], urls["pwa.offline"], "/no-such-page"):
        signed_out.visit(url)
    everyone.append(signed_out)

    for email in ROLES.values():
        watched = Watched(new_page())
        watched.sign_in(email)
        for endpoint, url in urls.items():
            answered[endpoint].add(watched.visit(url))
        watched.visit("/no-such-page")
        everyone.append(watched)

    for watched in everyone:
        watched.assert_nothing_refused()
    # Each page was really shown, to someone, not only its 403 or 404.
    assert [endpoint for endpoint, statuses in answered.items() if 200 not in statuses] == []


def test_htmx_swaps_and_the_service_worker_run_under_the_policy(northwind, new_page):
    rep = Watched(new_page())
    rep.sign_in(ROLES["rep"])
    page = rep.page
    assert page.evaluate(
        "[htmx.config.allowEval, htmx.config.allowScriptTags, htmx.config.includeIndicatorStyles]"
    ) == [False, False, False]

    # Logging an activity on Today swaps the page's tiles in place.
    demos = page.locator(".tile").filter(has=page.get_by_role("heading", name="Demos", exact=True))
    before = int(demos.locator("[data-total='today']").inner_text())
    page.evaluate("window.__marker = 1")
    with page.expect_response("**/today/log"):
        page.get_by_role("button", name="+1 Demos", exact=True).tap()
    expect(demos.locator("[data-total='today']")).to_have_text(str(before + 1))
    assert page.evaluate("window.__marker") == 1, "logging loaded a new page"
    rep.collect("logging a demo")
    # The service worker installs and keeps Today for offline use.
    expect(page.locator("html")).to_have_attribute("data-offline", "ready", timeout=20_000)

    # The period switcher swaps the scorecard in place.
    page.goto("/scorecard")
    page.evaluate("window.__marker = 1")
    page.locator(".periods .kinds").get_by_role("link", name="Month").tap()
    expect(page).to_have_url(re.compile(r"period=month-"))
    assert page.evaluate("window.__marker") == 1, "the switcher loaded a new page"
    rep.collect("switching the scorecard's period")

    # The executive opens a team of the cascade (a fragment appended to the table).
    executive = Watched(new_page())
    executive.sign_in(ROLES["executive"])
    executive.page.goto("/company?metric=calls")
    team = executive.page.locator("table.cascade tbody",
                                  has=executive.page.locator("details.reps")).first
    team.locator("details.reps summary").click()
    expect(team.locator("tr.person").first).to_be_visible()
    executive.collect("opening a team of the cascade")

    # The admin's search replaces the list of people as they type.
    admin = Watched(new_page())
    admin.sign_in(ROLES["admin"])
    admin.page.goto("/admin/users")
    with admin.page.expect_response(re.compile(r"/admin/users\?q=Bianchi")):
        admin.page.get_by_label("Find by name or email").fill("Bianchi")
    expect(admin.page.locator("#people")).to_contain_text("Luca Bianchi")
    admin.collect("searching people")

    for watched in (rep, executive, admin):
        watched.assert_nothing_refused()


def test_the_watch_sees_what_the_policy_refuses(new_page):
    """The policy is enforced, not only reported, and the checks above would see a breach."""
    watched = Watched(new_page())
    watched.visit("/sign-in")
    with watched.page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        watched.page.evaluate("""() => {
            document.head.insertAdjacentHTML("beforeend", "<style>body { color: red }</style>");
            document.body.insertAdjacentHTML("beforeend", '<img src="x" onerror="window.ran = 1">');
        }""")
    watched.page.wait_for_function("window.__violations.length >= 2")
    watched.collect("the canary")
    assert any(entry.startswith("the canary: style-src-elem") for entry in watched.refused)
    assert any(entry.startswith("the canary: script-src-attr") for entry in watched.refused)
    assert watched.page.evaluate("window.ran") is None
    assert watched.page.evaluate(
        "getComputedStyle(document.body).color") != "rgb(255, 0, 0)"
