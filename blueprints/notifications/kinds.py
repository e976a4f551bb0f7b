"""The words of each kind of notification, in the reader's language when shown or emailed.

An entry keeps its kind and params (services.notifications.notify); what it says is written
here, at the time it is read, so a person who changes language reads their whole inbox in
the new one. Whether a kind emails by default is services.notifications.KINDS.

Params each kind reads (any missing one reads as empty): every kind may use `actor`, the
name of whoever caused it (notify fills it in from `actor=`).
- coaching_shared: actor (the coach)
- coaching_acknowledged: actor (the rep)
- coaching_answered: actor (the rep), section (its title)
- coaching_requested: actor (the rep), metric (the metric's name; none: a 1:1), metric_<language>
  (its name in that language, when it has one)
- coaching_draft_ready: rep (the rep's name)
- action_item_due: title, overdue (true when past due, else due tomorrow)
- feedback_received: actor, praise (true: praise, false: a suggestion, absent: feedback)
- feedback_replied: actor
"""

from collections import defaultdict

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.notifications import ALL_EMAIL_KINDS


def _p(params):
    return defaultdict(str, params)


def _coaching_requested(p):
    if p["metric"]:
        locale = get_locale()  # the metric in the reader's words, when it has them
        metric = (p[f"metric_{locale.language}"] if locale else "") or p["metric"]
        return _("%(actor)s asks for coaching on %(metric)s.", actor=p["actor"], metric=metric)
    return _("%(actor)s asks for a 1:1 with you.", actor=p["actor"])


def _action_item_due(p):
    if p["overdue"]:
        return _("Your action item is overdue: %(title)s", title=p["title"])
    return _("Your action item is due tomorrow: %(title)s", title=p["title"])


def _feedback_received(p):
    if p["praise"] is True:
        return _("%(actor)s sent you praise.", actor=p["actor"])
    if p["praise"] is False:
        return _("%(actor)s sent you a suggestion.", actor=p["actor"])
    return _("%(actor)s sent you feedback.", actor=p["actor"])


_TEXTS = {
    "coaching_shared": lambda p: _("%(actor)s shared a coaching session with you.",
                                   actor=p["actor"]),
    "coaching_acknowledged": lambda p: _("%(actor)s acknowledged your coaching session.",
                                         actor=p["actor"]),
    "coaching_answered": lambda p: _("%(actor)s answered “%(section)s” in your coaching "
                                     "session.", actor=p["actor"], section=p["section"]),
    "coaching_requested": _coaching_requested,
    "coaching_draft_ready": lambda p: _("The draft of your coaching session with %(rep)s is "
                                        "ready.", rep=p["rep"]),
    "action_item_due": _action_item_due,
    "feedback_received": _feedback_received,
    "feedback_replied": lambda p: _("%(actor)s replied to your feedback.", actor=p["actor"]),
}

# What each kind is called on the Account page, where a person chooses their emails.
LABELS = {
    "coaching_shared": _l("A coach shares a coaching session with me"),
    "coaching_acknowledged": _l("A rep acknowledges a session I shared"),
    "coaching_answered": _l("A rep answers a section of a session"),
    "coaching_requested": _l("A rep asks me for coaching or a 1:1"),
    "coaching_draft_ready": _l("The draft of a recurring session is ready"),
    "action_item_due": _l("My action items are due or overdue"),
    "feedback_received": _l("Someone sends me feedback"),
    "feedback_replied": _l("Someone replies to my feedback"),
    "weekly_digest": _l("The weekly summary, on Monday morning"),
}

# Kinds only people who coach get: others are not offered a choice about them.
FOR_COACHES = frozenset({"coaching_acknowledged", "coaching_answered", "coaching_requested",
                         "coaching_draft_ready"})
COACHES = ("manager", "executive", "admin")


def offered_to(user):
    """The kinds whose email the person may choose, in the order they are listed."""
    coach = user.has_role(*COACHES)
    return [kind for kind, default in ALL_EMAIL_KINDS.items()
            if default.optional and (coach or kind not in FOR_COACHES)]


assert set(_TEXTS) | {"weekly_digest"} == set(LABELS) == set(ALL_EMAIL_KINDS)


def text(notification):
    """What the entry says, in the current language."""
    return _TEXTS[notification.kind](_p(notification.params or {}))


def subject(notification):
    """An email's subject: the entry's words (short, and they say what happened)."""
    return text(notification)
