"""In Japanese no English from the catalogue is on screen, nor a metric's English name or unit:
every page as each demo role and signed out, the offline page and the installed app's name.

The English looked for is every msgid of the Japanese catalogue, with its placeholders as
wildcards (`english_of_catalogue`); what is looked at is the page's text, title and the names
and hints in its attributes (pages.SCREEN_TEXT), less the demo organisation's own data (names of
people, teams, scorecards, accounts: shown as entered) and text marked as another language."""

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.browser.pages import SCREEN_TEXT, WALKERS, Visit, broken

CATALOGUE = Path(__file__).parents[2] / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdif]")
MARKUP = re.compile(r"<[^>]+>")
# Fewer Latin letters than this outside placeholders and markup ("Q%(quarter)s %(year)s",
# "%(n)s%%") and a msgid cannot tell English from a date or a number on a Japanese page.
FEWEST_LETTERS = 3


@cache
def english_of_catalogue():
    """(msgid, pattern) for each English msgid that must not be on a Japanese page.

    Left out: a msgid the Japanese translation keeps as it is ("Pacer", "CRM", "API"); one
    with fewer than FEWEST_LETTERS letters; and one used as a word inside some Japanese
    translation ("Web"), which Japanese text may then show. Untranslated and fuzzy messages
    are tests/test_localization.py's to fail. A pattern matches the msgid as whole words, case
    and all, with each placeholder standing for any text on the same line and any run of
    spaces for any white space."""
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    messages = [message for message in catalogue if message.id and not message.fuzzy]
    japanese = " ".join(string for message in messages for string in strings(message.string))
    english = {}
    for message in messages:
        translated = strings(message.string)
        if not all(translated):
            continue
        for msgid in strings(message.id):
            bare = " ".join(PLACEHOLDER.sub(" ", MARKUP.sub(" ", msgid)).split())
            if (msgid in translated or len(re.findall(r"[A-Za-z]", bare)) < FEWEST_LETTERS
                    or re.search(rf"(?<![A-Za-z]){re.escape(bare)}(?![A-Za-z])", japanese)):
                continue
            english[msgid] = pattern(msgid)
    return sorted(english.items())


def strings(text):
    """The text of a message's id or string: one, or its plural forms."""
    return text if isinstance(text, tuple) else (text,)


def pattern(msgid):
    literals = [" ".join(part.replace("%%", "%").split()) for part in
                PLACEHOLDER.split(MARKUP.sub(" ", msgid))]
    # A placeholder at either end stands for whatever is beside the words: nothing to match.
    while not literals[0]:
        literals.pop(0)
    while not literals[-1]:
        literals.pop()
    body = ".+?".join(r"\s+".join(map(re.escape, literal.split(" "))) for literal in literals)
    start = r"(?<![A-Za-z])" if literals[0][0].isascii() and literals[0][0].isalpha() else ""
    end = r"(?![A-Za-z])" if literals[-1][-1].isascii() and literals[-1][-1].isalpha() else ""
    return re.compile(start + body + end)


def english_on(text, foreign=(), data=()):
    """The catalogue's English msgids found in `text`, once the parts in another language and
    the demo's data are taken out."""
    for part in [*foreign, *data]:
        text = text.replace(part, " ")
    return [msgid for msgid, english in english_of_catalogue() if english.search(text)]


@pytest.mark.parametrize("role", WALKERS)
def test_no_english_catalogue_string_on_any_page_in_japanese(walked, demo_site, role):
    visits = walked(role, "ja")

    found = broken(visits, role, "ja")
    for visit in visits:
        if not visit.checked:
            continue
        if visit.lang != "ja":
            found.append(f"{visit.where} [{role}, ja]: <html lang={visit.lang!r}>")
        found += [f"{visit.where} [{role}, ja]: {msgid!r}"
                  for msgid in english_on(visit.text, visit.foreign, demo_site.data)]
        found += [f"{visit.where} [{role}, ja]: the metric's {word!r}"
                  for word in metric_words_on(visit, demo_site, "ja")]
    assert found == [], "\n".join(found)


def metric_words_on(visit, demo_site, language):
    """The metric names and units shown as entered where the page's language has its own."""
    text = visit.text
    for part in [*visit.foreign, *demo_site.data]:
        text = text.replace(part, " ")
    return [word for word in demo_site.metric_words[language]
            if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text)]


def test_the_offline_page_and_the_installed_app_speak_japanese(demo_site):
    context = demo_site.context(language="ja")
    page = context.new_page()
    assert page.goto("/offline").status == 200
    screen = page.evaluate(SCREEN_TEXT)
    # The manifest as the browser fetches it: in the browser's language, without cookies.
    manifest = page.evaluate("fetch('/manifest.webmanifest', {credentials: 'omit'})"
                             ".then((answer) => answer.json())")
    context.close()

    assert page.url.endswith("/offline")
    assert english_on(screen["text"], screen["foreign"]) == []
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", screen["text"]), "no Japanese on it"
    assert manifest["lang"] == "ja"
    words = "\n".join((manifest["name"], manifest["short_name"], manifest["description"]))
    assert english_on(words) == []
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", manifest["description"])


def test_the_walk_would_see_english(demo_site):
    """The same checks on English pages find their English: the sign-in page's words, and the
    metrics' names on Today."""
    context = demo_site.context(language="en")
    page = context.new_page()
    page.goto("/sign-in")
    sign_in = page.evaluate(SCREEN_TEXT)
    context.close()
    context = demo_site.context("rep", language="en")
    page = context.new_page()
    page.goto("/today")
    today = Visit("today.index", "/today", 200, "/today", checked=True)
    screen = page.evaluate(SCREEN_TEXT)
    today.text, today.foreign = screen["text"], screen["foreign"]
    context.close()

    found = english_on(sign_in["text"], sign_in["foreign"], demo_site.data)

    assert {"Sign in", "Password"} <= set(found)
    assert {msgid for msgid, _ in english_of_catalogue()} > {"Sign in", "Password", "Today"}
    assert {"Calls", "Visits"} <= set(metric_words_on(today, demo_site, "ja"))
