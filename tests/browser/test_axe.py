"""axe-core (from npm, pinned in package-lock.json) on every page, for every role, in every
language: no serious or critical violation.

At phone size every page is checked as each demo role and signed out, in en, it and ja (the walk
is shared with the overflow and language gates, tests/browser/pages.py); each page once more at
laptop size; each role's home on a phone in dark mode. axe is evaluated
through the DevTools protocol, which the Content-Security-Policy does not govern
(pages.run_axe), so the pages are checked as served, policy and all."""

import pytest

from tests.browser.conftest import LAPTOP
from tests.browser.pages import LANGUAGES, ROLES, WALKERS, broken, run_axe


def report(where, role, language, size, violations):
    """One line per violation: page, role, language, size, rule and the elements at fault."""
    return [f"{where} [{role}, {language}, {size}]: {found['rule']} ({found['impact']}: "
            f"{found['help']}) at {' | '.join(found['targets'])}" for found in violations]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", WALKERS)
def test_no_serious_violation_on_any_page_at_phone_size(walked, role, language):
    visits = walked(role, language)

    found = broken(visits, role, language)
    for visit in visits:
        found += report(visit.where, role, language, "360×740", visit.axe)
    assert found == [], "\n".join(found)


def each_page_once(demo_site, walked, size, **options):
    """Checks each page once more, in English, as the first role that opened it at phone size,
    in a context with `options`; the violations found, and the pages no role could open."""
    done = set()
    found = []
    for role in ROLES:
        theirs = [visit for visit in walked(role, "en")
                  if visit.status == 200 and visit.checked and visit.shown not in done]
        if not theirs:
            continue
        context = demo_site.context(role, "en", **options)
        page = context.new_page()
        for visit in theirs:
            done.add(visit.shown)
            assert page.goto(visit.url).status == 200
            found += report(visit.where, role, "en", size, run_axe(page))
        context.close()
    opened = {visit.endpoint for role in ROLES for visit in walked(role, "en")
              if visit.status == 200}
    return found + [f"{endpoint} [every role, en, {size}]: no role could open it"
                    for endpoint in demo_site.urls if endpoint not in opened]


def test_no_serious_violation_on_any_page_at_laptop_size(demo_site, walked):
    found = each_page_once(demo_site, walked, "1366×768", **LAPTOP, is_mobile=False,
                           has_touch=False)

    assert found == [], "\n".join(found)


def test_no_serious_violation_in_dark_mode(demo_site):
    """Each role's home, where "/" takes them, on a phone in dark mode."""
    found = []
    for role in ROLES:
        context = demo_site.context(role, "en", color_scheme="dark")
        page = context.new_page()
        status = page.goto("/").status
        home = "/" + page.url.split("/", 3)[-1]
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        if status == 200:
            found += report(home, role, "en", "360×740 dark", run_axe(page))
        else:
            found.append(f"{home} [{role}, en]: answered {status}")
        context.close()

    assert found == [], "\n".join(found)


def test_axe_runs_on_the_served_page_and_sees_a_violation(demo_site):
    """The checks above would see a breach: axe runs on a page served under the policy and
    reports a button with no name (critical) added to it, in dark mode too."""
    context = demo_site.context(language="en", color_scheme="dark")
    page = context.new_page()
    policy = page.goto("/sign-in").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    before = [found["rule"] for found in run_axe(page)]
    page.evaluate("document.body.append(document.createElement('button'))")

    after = [found["rule"] for found in run_axe(page)]
    context.close()

    assert "button-name" not in before and "button-name" in after
