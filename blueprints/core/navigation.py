"""The app's tabs: which a person has, which one the page is in, and which fit the phone's bar."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from blueprints.access import LEADS

# The phone's bottom bar holds at most this many tabs; Account is always the last of them and
# lists the ones that do not fit.
BAR_SIZE = 5


@dataclass(frozen=True)
class Tab:
    key: str  # also the name of its icon in templates/_icons.html
    endpoint: str
    label: str
    roles: tuple[str, ...] | None  # None: everyone signed in
    # Prefixes of the endpoints whose pages sit under this tab: "goals." is a whole blueprint,
    # "scorecards.company" takes in "scorecards.company_team".
    pages: tuple[str, ...]


TABS = (
    Tab("today", "today.index", _l("Today"), ("rep",), ("today.",)),
    Tab("scorecard", "scorecards.mine", _l("Scorecard"), ("rep",),
        ("scorecards.mine", "scorecards.activities", "scorecards.person")),
    Tab("team", "scorecards.teams", _l("Team"), ("manager",),
        ("scorecards.team", "scorecards.person", "scorecards.activities", "feedback.team",
         "obstacles.")),
    Tab("company", "scorecards.company", _l("Company"), ("executive",),
        ("scorecards.company", "scorecards.team", "scorecards.person", "scorecards.activities",
         "obstacles.")),
    Tab("coaching", "coaching.index", _l("Coaching"), ("rep", "manager"), ("coaching.",)),
    Tab("targets", "goals.index", _l("Targets"), LEADS, ("goals.",)),
    Tab("admin", "admin.users", _l("Admin"), ("admin",), ("admin.",)),
)
# Feedback is reached from the Account page (and from people's scorecards): it is no tab.
ACCOUNT = Tab("account", "account.index", _l("Account"), None,
              ("account.", "auth.password", "feedback."))


@dataclass(frozen=True)
class Navigation:
    tabs: tuple[Tab, ...]  # every tab the person has, Account last: the wide screen's menu
    bar: tuple[Tab, ...]  # the phone's bottom bar
    more: tuple[Tab, ...]  # what did not fit the bar, listed on the Account page
    current: str | None  # the key of the tab the page is in


def tabs_for(roles):
    """The tabs a person with these roles has, in the order they are shown, Account last."""
    return (*(tab for tab in TABS if tab.roles is None or set(tab.roles) & set(roles)), ACCOUNT)


def current_tab(tabs, endpoint):
    """The first of the tabs whose pages include the endpoint, or None."""
    for tab in tabs:
        if endpoint and any(endpoint.startswith(page) for page in tab.pages):
            return tab.key
    return None


def navigation(roles, endpoint):
    tabs = tabs_for(roles)
    fits = len(tabs) <= BAR_SIZE
    bar = tabs if fits else (*tabs[:BAR_SIZE - 1], ACCOUNT)
    more = () if fits else tabs[BAR_SIZE - 1:-1]
    return Navigation(tabs, bar, more, current_tab(tabs, endpoint))

