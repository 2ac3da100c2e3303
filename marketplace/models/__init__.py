"""The marketplace's database models, one module per aggregate."""
from .org import BATTERY_SCOPES, LICENCE_KINDS, Licence, Organisation, Site
from .park import PARK_LEVELS, Park, park_manager
from .user import ROLES, User, UserRole

__all__ = [
    "BATTERY_SCOPES", "LICENCE_KINDS", "Licence", "Organisation", "Site",
    "PARK_LEVELS", "Park", "park_manager", "ROLES", "User", "UserRole",
]
