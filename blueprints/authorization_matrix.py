"""Who may reach every route: one row per endpoint, one column per kind of caller.

Each cell is the answer that kind of caller must get from every method of the route, its URL
naming the objects of "the team": the team itself, its rep (a person, a user to administer),
the scorecard template only it uses, the rep's time off and activity, a metric of the
organisation. tests/test_authorization_matrix.py walks all of it and fails on a route of
app.url_map that is not here, and on a row here whose route is gone.

A new route gets a row here for every kind of caller. A new kind of caller (a TV display, an
API token) is a new name in CALLERS and a new column in every row: until each row says what
it gets, the test fails.

What a cell means:
    OK       allowed: a 2xx, or a redirect anywhere but to the sign-in page; a POST may also
             answer 422, a form that did not validate, having passed every check
    SIGN_IN  a redirect to the sign-in page
    401      no session, to a JSON client (it cannot follow a sign-in page)
    403      a role the route needs is missing: said before any object is looked up
    404      the object is not one the caller may see, answered as if it did not exist so
             that ids reveal nothing
"""

OK = "ok"
SIGN_IN = "sign-in"

CALLERS = (
    "signed_out",
    "rep",            # a rep of the team: the person the URLs name
    "new_hire",       # another rep of the team, started this week: sees only their own numbers
    "team_manager",   # manages the team
    "other_manager",  # manages another team of the organisation
    "executive",
    "admin",
    "foreign_admin",  # the administrator of another organisation: sees nothing of this one
)

# Read across: a route's answer to each kind of caller, in the order of CALLERS.
MATRIX = {
    # endpoint                signed_out rep   new_hire team_mgr other_mgr exec admin foreign_admin
    # Anyone: the front door, the installable app, assets and the health check.
    "static":                  (OK,      OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "core.healthz":            (OK,      OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "pwa.manifest":            (OK,      OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "pwa.service_worker":      (OK,      OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "pwa.offline":             (OK,      OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "auth.sign_in":            (OK,      OK,   OK,      OK,      OK,       OK,  OK,   OK),
    # Links sent by email: whoever holds one (the walk's are good links of the rep's).
    "auth.forgot_password":    (OK,      OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "auth.accept_invitation":  (OK,      OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "auth.reset_password":     (OK,      OK,   OK,      OK,      OK,       OK,  OK,   OK),
    # Anyone signed in: their own account.
    "core.index":              (SIGN_IN, OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "auth.sign_out":           (SIGN_IN, OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "auth.password":           (SIGN_IN, OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "account.index":           (SIGN_IN, OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "account.notifications":   (SIGN_IN, OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "notifications.index":     (SIGN_IN, OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "notifications.read_all":  (SIGN_IN, OK,   OK,      OK,      OK,       OK,  OK,   OK),
    # An inbox entry: its recipient alone (the walk's entries are the rep's).
    "notifications.open":      (SIGN_IN, OK,   404,     404,     404,      404, 404,  404),
    "api.session":             (401,     OK,   OK,      OK,      OK,       OK,  OK,   OK),
    # Reps: logging, and their own numbers; an activity is undone only by whoever logged it.
    "today.index":             (SIGN_IN, OK,   OK,      403,     403,      403, 403,  403),
    "today.log":               (SIGN_IN, OK,   OK,      403,     403,      403, 403,  403),
    "today.undo":              (SIGN_IN, OK,   404,     403,     403,      403, 403,  403),
    "api.activities":          (401,     OK,   OK,      403,     403,      403, 403,  403),
    "scorecards.mine":         (SIGN_IN, OK,   OK,      403,     403,      403, 403,  403),
    # A person's numbers: themself, whoever leads their team, executives and admins.
    "scorecards.person":       (SIGN_IN, OK,   404,     OK,      404,      OK,  OK,   404),
    "scorecards.activities":   (SIGN_IN, OK,   404,     OK,      404,      OK,  OK,   404),
    # Teams: whoever leads them (and the teams beneath), executives and admins.
    "scorecards.teams":        (SIGN_IN, 403,  403,     OK,      OK,       OK,  OK,   OK),
    "scorecards.team":         (SIGN_IN, 403,  403,     OK,      404,      OK,  OK,   404),
    # The company's view: executives and admins, each of their own organisation.
    "scorecards.company":      (SIGN_IN, 403,  403,     403,     403,      OK,  OK,   OK),
    "scorecards.company_team": (SIGN_IN, 403,  403,     403,     403,      OK,  OK,   404),
    # Goals: leads change what lies beneath them; the company's goals are executives' and admins'.
    "goals.index":             (SIGN_IN, 403,  403,     OK,      OK,       OK,  OK,   OK),
    "goals.new_template":      (SIGN_IN, 403,  403,     OK,      OK,       OK,  OK,   OK),
    "goals.edit_template":     (SIGN_IN, 403,  403,     OK,      404,      OK,  OK,   404),
    "goals.delete_template":   (SIGN_IN, 403,  403,     OK,      404,      OK,  OK,   404),
    "goals.company":           (SIGN_IN, 403,  403,     403,     403,      OK,  OK,   OK),
    "goals.team":              (SIGN_IN, 403,  403,     OK,      404,      OK,  OK,   404),
    "goals.person":            (SIGN_IN, 403,  403,     OK,      404,      OK,  OK,   404),
    "goals.time_off":          (SIGN_IN, 403,  403,     OK,      404,      OK,  OK,   404),
    "goals.delete_time_off":   (SIGN_IN, 403,  403,     OK,      404,      OK,  OK,   404),
    # Administration: admins alone, each of their own organisation.
    "admin.index":             (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    "admin.users":             (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    "admin.create_user":       (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    "admin.update_user":       (SIGN_IN, 403,  403,     403,     403,      403, OK,   404),
    "admin.invite":            (SIGN_IN, 403,  403,     403,     403,      403, OK,   404),
    "admin.teams":             (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    "admin.create_team":       (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    "admin.update_team":       (SIGN_IN, 403,  403,     403,     403,      403, OK,   404),
    # The team form's people search: each admin finds only their own organisation's people.
    "admin.find_managers":     (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    "admin.metrics":           (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    "admin.create_metric":     (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    "admin.update_metric":     (SIGN_IN, 403,  403,     403,     403,      403, OK,   404),
    "admin.organization":      (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    # Background jobs that failed: the organisation's admins (the walk's failure is an email
    # to the team's rep, so another organisation's admin gets 404).
    "admin.jobs_list":         (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    "admin.retry_job":         (SIGN_IN, 403,  403,     403,     403,      403, OK,   404),
    "admin.dismiss_job":       (SIGN_IN, 403,  403,     403,     403,      403, OK,   404),
    "admin.values_list":       (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    "admin.create_value":      (SIGN_IN, 403,  403,     403,     403,      403, OK,   OK),
    "admin.update_value":      (SIGN_IN, 403,  403,     403,     403,      403, OK,   404),
    "admin.move_value":        (SIGN_IN, 403,  403,     403,     403,      403, OK,   404),
    # Feedback: anyone gives it within reach (team mates, their managers up the tree, the
    # people of the teams they lead; executives and admins anyone), never to themself. The
    # walk's feedback goes from the team's manager to the rep: the two of them read it, and
    # whoever leads the rep's team; no role reads it by itself.
    "feedback.index":          (SIGN_IN, OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "feedback.give":           (SIGN_IN, 404,  OK,      OK,      404,      OK,  OK,   404),
    "feedback.detail":         (SIGN_IN, OK,   404,     OK,      404,      404, 404,  404),
    "feedback.reply":          (SIGN_IN, OK,   404,     OK,      404,      404, 404,  404),
    "feedback.team":           (SIGN_IN, 403,  403,     OK,      OK,       403, 403,  403),
    # Obstacles: counts for the teams one may look into; notes only where the session is seen.
    "obstacles.index":         (SIGN_IN, 403,  403,     OK,      OK,       OK,  OK,   OK),
    # Coaching: a conversation, not surveillance. The walk's session is the team manager's
    # with the rep, shared: the two of them see it, and whoever leads the rep's team; no role
    # (executive, admin) sees it by itself. Leads run a session (their own: 404 to the rest),
    # reps acknowledge and answer one (their own).
    "coaching.index":          (SIGN_IN, OK,   OK,      OK,      OK,       OK,  OK,   OK),
    "coaching.history":        (SIGN_IN, OK,   404,     OK,      404,      404, 404,  404),
    "coaching.create":         (SIGN_IN, 404,  404,     OK,      404,      404, 404,  404),
    "coaching.detail":         (SIGN_IN, OK,   404,     OK,      404,      404, 404,  404),
    "coaching.printable":      (SIGN_IN, OK,   404,     OK,      404,      404, 404,  404),
    "coaching.update":         (SIGN_IN, 403,  403,     OK,      404,      404, 404,  404),
    "coaching.share":          (SIGN_IN, 403,  403,     OK,      404,      404, 404,  404),
    "coaching.acknowledge":    (SIGN_IN, OK,   404,     403,     403,      403, 403,  403),
    "coaching.answer":         (SIGN_IN, OK,   404,     403,     403,      403, 403,  403),
    "coaching.add_agenda":     (SIGN_IN, OK,   404,     OK,      404,      404, 404,  404),
    "coaching.add_action_item": (SIGN_IN, 403, 403,     OK,      404,      404, 404,  404),
    "coaching.close_action_item": (SIGN_IN, OK, 404,    OK,      404,      404, 404,  404),
    "coaching.private_note":   (SIGN_IN, OK,   404,     OK,      404,      404, 404,  404),
    "coaching.add_obstacle":   (SIGN_IN, 403,  403,     OK,      404,      404, 404,  404),
    # Coaching templates: administration, each admin their own organisation's.
    "coaching_templates.index":          (SIGN_IN, 403, 403, 403, 403, 403, OK, OK),
    "coaching_templates.add_starters":   (SIGN_IN, 403, 403, 403, 403, 403, OK, OK),
    "coaching_templates.create":         (SIGN_IN, 403, 403, 403, 403, 403, OK, OK),
    "coaching_templates.edit":           (SIGN_IN, 403, 403, 403, 403, 403, OK, 404),
    "coaching_templates.create_section": (SIGN_IN, 403, 403, 403, 403, 403, OK, 404),
    "coaching_templates.update_section": (SIGN_IN, 403, 403, 403, 403, 403, OK, 404),
    "coaching_templates.move_section":   (SIGN_IN, 403, 403, 403, 403, 403, OK, 404),
    "coaching_templates.delete_section": (SIGN_IN, 403, 403, 403, 403, 403, OK, 404),
    # A rep asks for coaching for themself (the walk's request is the rep's, open); whoever
    # may coach the rep (leads their team) sees the open requests and answers one.
    "coaching_requests.ask":             (SIGN_IN, OK,  OK,  403, 403, 403, 403, 403),
    "coaching_requests.withdraw":        (SIGN_IN, OK,  404, 404, 404, 404, 404, 404),
    "coaching_requests.index":           (SIGN_IN, 403, 403, OK,  OK,  403, 403, 403),
    "coaching_requests.start":           (SIGN_IN, 404, 404, OK,  404, 404, 404, 404),
    # Recurring sessions with the rep: whoever may coach the rep.
    "coaching_series.index":             (SIGN_IN, 404, 404, OK,  404, 404, 404, 404),
    "coaching_series.edit":              (SIGN_IN, 404, 404, OK,  404, 404, 404, 404),
    "coaching_series.stop":              (SIGN_IN, 404, 404, OK,  404, 404, 404, 404),
}


def expected(endpoint, caller):
    """What `caller` must get from `endpoint`: OK, SIGN_IN, 401, 403 or 404."""
    return MATRIX[endpoint][CALLERS.index(caller)]
