"""The marketplace's database models, one module per aggregate."""
from .listing import (
    LISTING_KINDS, LISTING_STATUSES, VISIBILITIES, Enquiry, EnquiryMessage, LearnedSynonym, Listing, ListingMaterial,
    ListingName, Notification, SavedSearch,
)
from .link import DECISIONS, LINK_STATUSES, Link, MatchRun
from .knowledge_edit import KnowledgeEdit
from .material import Material, Route
from .org import BATTERY_SCOPES, LICENCE_KINDS, Licence, Organisation, Site
from .park import PARK_LEVELS, Park, park_manager
from .user import ROLES, User, UserRole

__all__ = [
    "LISTING_KINDS", "LISTING_STATUSES", "VISIBILITIES", "Enquiry", "EnquiryMessage", "Listing",
    "ListingMaterial", "ListingName", "LearnedSynonym", "Notification", "SavedSearch", "Material", "Route",
    "DECISIONS", "LINK_STATUSES", "Link", "MatchRun",
    "BATTERY_SCOPES", "LICENCE_KINDS", "Licence", "Organisation", "Site",
    "PARK_LEVELS", "Park", "park_manager", "ROLES", "User", "UserRole",
]
