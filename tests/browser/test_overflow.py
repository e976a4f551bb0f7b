"""Nothing sticks out sideways at 360 px in Italian or Japanese, the languages with the longest
words and the least room to break them: every page, as each demo role and signed out.

An element whose right edge passes the viewport's fails, named by its selector, unless it sits
in a container that scrolls sideways on purpose (the wide tables) or clips (pages.FIND_OVERFLOW).
The walk is shared with the axe and language gates (tests/browser/pages.py)."""

import pytest

from tests.browser.pages import FIND_OVERFLOW, WALKERS, broken


@pytest.mark.parametrize("language", ("it", "ja"))
@pytest.mark.parametrize("role", WALKERS)
def test_nothing_overflows_sideways_at_360_px(walked, role, language):
    visits = walked(role, language)

    found = broken(visits, role, language)
    for visit in visits:
        found += [f"{visit.where} [{role}, {language}, 360×740]: {culprit['selector']} reaches "
                  f"{culprit['right']} px ({culprit['text']!r})" for culprit in visit.overflow]
    assert found == [], "\n".join(found)


def test_the_check_finds_what_sticks_out_and_spares_what_scrolls(demo_site):
    context = demo_site.context(language="it")
    page = context.new_page()
    assert page.goto("/sign-in").status == 200
    assert page.evaluate(FIND_OVERFLOW, 360) == []
    # Styles set through the CSSOM, which the policy allows (it refuses style attributes).
    page.evaluate("""() => {
      const wide = (id) => {
        const box = document.createElement("div");
        box.id = id;
        box.textContent = "Precipitevolissimevolmente";
        box.style.width = "600px";
        return box;
      };
      const scroller = document.createElement("div");
      scroller.style.overflowX = "auto";
      scroller.append(wide("in-a-scroller"));
      document.querySelector("main, body").append(wide("too-wide"), scroller);
      document.body.style.overflowX = "hidden";
    }""")

    found = page.evaluate(FIND_OVERFLOW, 360)
    context.close()

    assert [culprit["selector"].rsplit(" > ", 1)[-1] for culprit in found] == ["div#too-wide"]
    assert found[0]["text"] == "Precipitevolissimevolmente"
