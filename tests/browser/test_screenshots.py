"""Screenshots of the pages people live in, from the demo organisation, for looking at: Today
and the scorecard (rep), the team grid (manager), the executive view and the admin's People
list and team form, in en, it and ja, on a phone (360×740) and a laptop (1366×768), whole
pages, into build/screenshots/ (README)."""

from pathlib import Path

import pytest

from tests.browser.conftest import LAPTOP
from tests.browser.pages import LANGUAGES

FOLDER = Path(__file__).parents[2] / "build" / "screenshots"
# name: (who looks at it, the page)
PAGES = {
    "today": ("rep", "today.index"),
    "scorecard": ("rep", "scorecards.mine"),
    "team": ("manager", "scorecards.team"),
    "company": ("executive", "scorecards.company"),
    "people": ("admin", "admin.users"),
    "team-form": ("admin", "admin.update_team"),
}
SIZES = {"360x740": {}, "1366x768": dict(**LAPTOP, is_mobile=False, has_touch=False)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_screenshots_of_today_the_scorecard_the_team_and_the_company(demo_site, language):
    FOLDER.mkdir(parents=True, exist_ok=True)
    for size, options in SIZES.items():
        for role in dict.fromkeys(role for role, _ in PAGES.values()):
            context = demo_site.context(role, language, **options)
            page = context.new_page()
            for name, (who, endpoint) in PAGES.items():
                if who != role:
                    continue
                path = FOLDER / f"{name}-{language}-{size}.png"
                path.unlink(missing_ok=True)
                assert page.goto(demo_site.urls[endpoint]).status == 200, name
                assert page.evaluate("document.documentElement.lang") == language
                page.evaluate("document.fonts.ready.then(() => true)")
                # The whole page in one viewport, so that what is fixed to the bottom of the
                # screen (the tab bar) is drawn at the bottom, not across the middle.
                screen = page.viewport_size
                height = page.evaluate("document.documentElement.scrollHeight")
                page.set_viewport_size({**screen, "height": max(height, screen["height"])})
                page.screenshot(path=path, full_page=True, animations="disabled")
                page.set_viewport_size(screen)
                assert path.stat().st_size > 10_000, f"{path} is all but empty"
            context.close()
