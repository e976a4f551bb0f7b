"""The models, one module per area; importing this package registers them all."""

from models.accounts import LoginSession, SignInFailure
from models.activities import SOURCES, Activity, DailyRollup
from models.devices import DeviceOutbox
from models.metrics import Metric
from models.people import ROLES, Organization, Team, User, UserRole, team_managers

__all__ = [
    "ROLES",
    "SOURCES",
    "Activity",
    "DailyRollup",
    "DeviceOutbox",
    "LoginSession",
    "Metric",
    "Organization",
    "SignInFailure",
    "Team",
    "User",
    "UserRole",
    "team_managers",
]
