"""Which language a page is in: the person's own setting, then the browser's."""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from config import Config

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
# Every language a person can choose except the one the strings are written in.
TRANSLATED = [code for code in Config.LANGUAGES if code != Config.BABEL_DEFAULT_LOCALE]
# What `make translations-update` extracts: Babel's keywords plus Flask-Babel's lazy ones.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)")
HOW_TO_FIX = (
    "Run `make translations-update`, translate the new entries in every "
    "translations/<language>/LC_MESSAGES/messages.po (leave no `#, fuzzy` mark), "
    "then `make translations`."
)


def _catalogue(language):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    """`make` compiles the .mo files; a bare pytest run compiles any that are missing or stale."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        partial = mo.with_suffix(".mo.partial")
        with partial.open("wb") as target:
            write_mo(target, catalog)  # fuzzy entries left out, as `pybabel compile` does
        partial.replace(mo)



def test_signed_out_page_follows_the_browsers_language(client):
    page = client.get("/sign-in", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"})
    assert '<html lang="it"' in page.text


def test_an_unsupported_browser_language_falls_back_to_english(client):
    page = client.get("/sign-in", headers={"Accept-Language": "xx"})
    assert '<html lang="en"' in page.text


def test_the_persons_own_setting_wins_over_the_browser(make, auth, client):
    make.user("rep@example.com", locale="en")
    auth.sign_in("rep@example.com")
    page = client.get("/account/password", headers={"Accept-Language": "it"})
    assert '<html lang="en"' in page.text


def test_times_are_shown_in_the_persons_timezone_when_set(make, auth, client):
    from datetime import UTC, datetime

    from extensions import db
    from services import activities

    calls = make.metric("calls")
    rep = make.user("rep@example.com", timezone="Asia/Tokyo")
    activities.record(db.session, user=rep, metric=calls,
                      occurred_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
                      calendar=rep.organization.calendar)
    db.session.commit()
    auth.sign_in("rep@example.com")
    assert "12:00" in client.get("/today").text  # 03:00 UTC is noon in Tokyo


def test_the_sign_in_page_is_in_italian_for_an_italian_browser(client):
    page = client.get("/sign-in", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"})
    assert "<title>Accedi · Pacer</title>" in page.text
    assert '<button type="submit" class="primary">Accedi</button>' in page.text
    assert "Resta connesso su questo dispositivo" in page.text
    assert "Sign in" not in page.text


def test_a_person_who_chose_italian_sees_today_in_italian_whatever_the_browser(make, auth, client):
    make.metric("calls")
    make.user("rep@example.com", locale="it")
    auth.sign_in("rep@example.com")
    page = client.get("/today", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="it"' in page.text
    assert '<h1 class="page-title">Oggi</h1>' in page.text
    assert "Questa settimana" in page.text and ">Esci</button>" in page.text
    # The words offline.js shows come from the page, so they are Italian too.
    assert 'data-t-sending="Invio in corso…"' in page.text


def test_a_metric_reads_in_the_persons_language_and_falls_back_to_its_name(make, auth, client):
    calls = make.metric("calls")
    calls.translations = {"ja": {"name": "電話", "unit": "件"}, "it": {"name": "Chiamate"}}
    make.metric("visits")
    make.user("rep@example.com", locale="ja")
    auth.sign_in("rep@example.com")
    page = client.get("/today")
    assert '<h2 id="metric-calls">電話</h2>' in page.text
    assert '<span class="unit">件</span>' in page.text
    assert '<h2 id="metric-visits">Visits</h2>' in page.text  # no Japanese name: the name


def test_the_sign_in_page_is_in_japanese_for_a_japanese_browser(client):
    page = client.get("/sign-in", headers={"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"})
    assert '<html lang="ja"' in page.text
    assert "<title>ログイン · Pacer</title>" in page.text
    assert '<button type="submit" class="primary">ログイン</button>' in page.text
    assert "このデバイスでログインしたままにする" in page.text
    assert "Sign in" not in page.text and "Keep me signed in" not in page.text


def test_a_person_who_chose_japanese_sees_today_in_japanese_whatever_the_browser(
    make, auth, client
):
    make.metric("calls")
    make.user("rep@example.com", locale="ja")
    auth.sign_in("rep@example.com")
    page = client.get("/today", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"})
    assert '<html lang="ja"' in page.text
    assert '<h1 class="page-title">今日</h1>' in page.text
    assert "今週" in page.text and ">ログアウト</button>" in page.text
    assert 'data-t-sending="送信中…"' in page.text
    assert "This week" not in page.text and "Questa settimana" not in page.text
    assert ">Sign out<" not in page.text


def test_dates_follow_the_language(make, auth, client, clock):
    from datetime import UTC, datetime

    clock.at(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    make.metric("calls")
    make.user("ja@example.com", locale="ja")
    make.user("it@example.com", locale="it")
    auth.sign_in("ja@example.com")
    assert "2026年12月3日木曜日" in client.get("/today").text
    auth.sign_out()
    auth.sign_in("it@example.com")
    assert "giovedì 3 dicembre 2026" in client.get("/today").text


def test_month_names_do_not_leak_from_one_language_to_another():
    """Babel 2.18 keeps the first stand-alone month names it resolves for every locale that
    inherits them (python-babel/babel#1234): after a Japanese "LLLL", Italians would read
    Japanese months. Pacer formats months as the app does here, never stand-alone."""
    import subprocess
    import sys

    # In a fresh process: the leak lives in Babel's process-wide locale data.
    script = (
        "from datetime import date; from babel.dates import format_skeleton, get_month_names; "
        "format_skeleton('yMMMM', date(2026, 12, 1), locale='ja'); "
        "get_month_names('wide', context='format', locale='ja'); "
        "print(format_skeleton('yMMMM', date(2026, 12, 1), locale='it')); "
        "print(get_month_names('wide', context='format', locale='it')[12])"
    )
    italian = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert italian == ["dicembre", "2026", "dicembre"]
    sources = [*Path("templates").rglob("*.html"), *Path("blueprints").rglob("*.py")]
    for path in sources:
        text = path.read_text()
        assert "LLLL" not in text and "stand-alone" not in text, path


def test_every_language_is_offered_by_its_own_name():
    from blueprints.fields import LOCALE_LABELS

    assert set(LOCALE_LABELS) == set(Config.LANGUAGES)


def test_an_admin_can_give_a_person_japanese(make, auth, client):
    make.user("admin@example.com", roles=("admin",))
    auth.sign_in("admin@example.com")
    page = client.get("/admin/users/new", headers={"Accept-Language": "en"})
    assert '<option value="ja">日本語</option>' in page.text


def _forms(text):
    return tuple(text) if isinstance(text, list | tuple) else (text,)


def test_every_language_a_person_can_choose_has_a_catalogue():
    on_disk = sorted(path.parent.parent.name for path in TRANSLATIONS.glob("*/LC_MESSAGES/*.po"))
    assert on_disk == TRANSLATED


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(language):
    catalog = _catalogue(language)
    assert not catalog.fuzzy, "the header is marked fuzzy: pybabel compile would skip the catalogue"
    # The language's own plural rule from CLDR: Japanese has one form, Italian two.
    assert catalog.plural_forms == Catalog(locale=language).plural_forms
    problems = [
        f"{message.id!r}: {error}" for message, errors in catalog.check() for error in errors
    ]
    for message in catalog:
        if not message.id:
            continue
        names = {name for text in _forms(message.id) for name in PLACEHOLDER.findall(text)}
        translations = _forms(message.string)
        if message.fuzzy:
            problems.append(f"{message.id!r} is marked fuzzy")
        if len(translations) != (catalog.num_plurals if message.pluralizable else 1):
            problems.append(f"{message.id!r} has {len(translations)} plural forms")
        for text in translations:
            if not text:
                problems.append(f"{message.id!r} has no translation")
            elif set(PLACEHOLDER.findall(text)) != names:
                problems.append(f"{message.id!r}: {text!r} does not keep the placeholders {names}")
            # Templates format every string they translate, placeholders or not (Jinja's
            # newstyle gettext), so a bare "%" there is a 500 in that language alone.
            elif message.python_format or any(
                path.endswith(".html") for path, _line in message.locations
            ):
                try:
                    text % dict.fromkeys(names, 1)
                except (KeyError, TypeError, ValueError) as error:
                    problems.append(f"{message.id!r}: {text!r} cannot be formatted ({error})")
    assert not problems, "\n".join([*problems, HOW_TO_FIX])


@pytest.fixture(scope="module")
def marked():
    """What `make translations-update` would extract, read once for every language."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    extracted = Catalog()
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        extracted.add(message, None, [(filename, lineno)], context=context)
    return extracted


def test_strings_are_extracted_from_the_project_only(marked):
    sources = {filename for message in marked for filename, _line in message.locations}
    assert not {name for name in sources if name.split("/")[0] in {"tests", "bench"}}
    # The layout's {% assets %} tag needs Flask-Assets' extension (babel.cfg) to parse at all.
    assert "templates/layout.html" in sources


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_marked_for_translation_is_in_the_catalogue(marked, language):
    known = {(message.context, message.id) for message in _catalogue(language) if message.id}
    missing = [
        f"{message.id!r} ({', '.join(f'{name}:{line}' for name, line in message.locations)})"
        for message in marked
        if message.id and (message.context, message.id) not in known
    ]
    heading = f"{len(missing)} marked strings are not in the {language} catalogue:"
    assert not missing, "\n".join([heading, *missing, HOW_TO_FIX])


def test_large_amounts_read_naturally_in_italian(app):
    """In full, grouped as each language groups: a short form (14K, 1,4 Mln, 1.4万) would
    shorten at different places per language and mix formats in one column."""
    from flask_babel import refresh

    from blueprints.scorecards.views import amount

    with app.test_request_context(headers={"Accept-Language": "it"}):
        assert amount(14285.714285714284) == "14.286"
        assert amount(2_400_000) == "2.400.000"
        assert amount(2.5) == "2,5"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()  # the locale is kept on the app context the test shares with both requests
        assert amount(14285.714285714284) == "14,286"


def test_large_amounts_read_naturally_in_japanese(app):
    from blueprints.scorecards.views import amount

    with app.test_request_context(headers={"Accept-Language": "ja"}):
        assert amount(1234) == "1,234"
        assert amount(14285.714285714284) == "14,286"
        assert amount(2_400_000) == "2,400,000"
