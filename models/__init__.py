"""The models, one module per area; importing this package registers them all."""

from models.accounts import LoginSession, SignInFailure
from models.activities import SOURCES, Activity, DailyRollup, TeamRollup
from models.coaching import (
    OBSTACLE_CATEGORIES,
    SECTION_KINDS,
    ActionItem,
    ActionItemReminder,
    AgendaItem,
    CoachingRequest,
    CoachingSeries,
    CoachingSession,
    CoachingSessionSection,
    CoachingTemplate,
    CoachingTemplateSection,
    Obstacle,
    PrivateNote,
    SessionRead,
)
from models.devices import DeviceOutbox
from models.feedback import FEEDBACK_KINDS, Feedback, FeedbackReply
from models.jobs import JobFailure
from models.metrics import Metric
from models.notifications import (
    DigestSent,
    EmailPreference,
    Notification,
    PasswordResetRequest,
    SignInToken,
)
from models.people import ROLES, Organization, Team, User, UserRole, team_managers
from models.scorecards import (
    LEVELS,
    Goal,
    ScorecardItem,
    ScorecardTemplate,
    TimeOff,
    scorecard_template_teams,
)
from models.values import Value

__all__ = [
    "FEEDBACK_KINDS",
    "Feedback",
    "FeedbackReply",
    "Value",
    "LEVELS",
    "OBSTACLE_CATEGORIES",
    "ROLES",
    "SECTION_KINDS",
    "SOURCES",
    "ActionItem",
    "ActionItemReminder",
    "Activity",
    "AgendaItem",
    "CoachingRequest",
    "CoachingSeries",
    "CoachingSession",
    "CoachingSessionSection",
    "CoachingTemplate",
    "CoachingTemplateSection",
    "DailyRollup",
    "DeviceOutbox",
    "JobFailure",
    "DigestSent",
    "EmailPreference",
    "Goal",
    "LoginSession",
    "Metric",
    "Notification",
    "Obstacle",
    "Organization",
    "PasswordResetRequest",
    "PrivateNote",
    "ScorecardItem",
    "ScorecardTemplate",
    "SessionRead",
    "SignInFailure",
    "SignInToken",
    "Team",
    "TeamRollup",
    "TimeOff",
    "User",
    "UserRole",
    "scorecard_template_teams",
    "team_managers",
]
