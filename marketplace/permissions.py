"""Who may see or change what: the one place where access rules live.

Views call :func:`require` (or :func:`can` to decide what to show); no view tests roles itself.
"""
from __future__ import annotations

from flask import abort

from .models import Enquiry, Link, Listing, MatchRun, Organisation, Park, Site, User

# Listings any signed-in user may see; drafts, closed and expired ones only their owners (and admins).
PUBLIC_LISTING_STATUSES = ("published", "partly_matched", "matched")
# Listings one may still enquire about.
ENQUIRABLE_LISTING_STATUSES = ("published", "partly_matched")


def is_admin(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role("admin")


def manages_park(user: User, park: Park | None) -> bool:
    if park is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_role("park_manager") and any(p.id == park.id for p in user.managed_parks)


def _member_of(user: User, organisation_id: int | None) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and organisation_id is not None
        and user.organisation_id == organisation_id
    )


def network_scope(user: User, park: Park | None) -> str | None:
    """Which links of ``park``'s network (the province's when None) ``user`` may see, or None.

    ``all``: admins, and managers of that park. ``managed``: a park manager looking at the province sees
    the links touching the parks it manages. ``party``: plants and recyclers see only the links their
    organisation sends or receives (in any park: a link is their own business). Anyone else: None (403).
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if is_admin(user) or (park is not None and manages_park(user, park)):
        return "all"
    if park is None and user.has_role("park_manager") and user.managed_parks:
        return "managed"
    if user.organisation_id is not None and user.roles & {"plant", "recycler"}:
        return "party"
    return None


def can(user: User, action: str, target: object | None = None) -> bool:
    """Whether ``user`` may perform ``action`` on ``target``.

    Actions: ``org.view``, ``org.edit``, ``site.create``, ``site.view``, ``site.edit``,
    ``park.view``, ``park.detail`` (full detail of its sites), ``park.manage``, ``admin``,
    ``listing.create`` (also: import one's own), ``listing.import_any`` (sites of any organisation),
    ``listing.view``, ``listing.edit`` (also publish and close), ``listing.enquire``,
    ``enquiry.view``, ``enquiry.reply``, ``search.use``, ``want.search``, ``saved_search.edit``,
    ``notification.edit``,
    ``link.view`` (both parties, managers of either site's park), ``link.decide`` (a party's plant or
    recycler users; the view also needs the user's organisation to be one side), ``match_run.list``,
    ``match_run.start`` (target: the Park, or None for the whole province), ``match_run.detail`` (every
    link of the run), ``match_run.view`` (the run with the links one may see),
    ``network.view`` (a park's network map and exports, the province's when ``target`` is None; which
    links: see :func:`network_scope`), ``network.full`` (all of it, and its indicators and report).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if is_admin(user):
        return True
    if action == "org.view":
        assert isinstance(target, Organisation)
        return _member_of(user, target.id)
    if action == "org.edit":
        assert isinstance(target, Organisation)
        return _member_of(user, target.id) and bool(user.roles & {"plant", "recycler"})
    if action == "site.create":
        return user.organisation_id is not None and bool(user.roles & {"plant", "recycler"})
    if action == "site.view":
        assert isinstance(target, Site)
        return _member_of(user, target.organisation_id) or manages_park(user, target.park)
    if action == "site.edit":
        assert isinstance(target, Site)
        return _member_of(user, target.organisation_id) and bool(user.roles & {"plant", "recycler"})
    if action == "park.view":
        return True
    if action in ("park.detail", "park.manage"):
        assert isinstance(target, Park)
        return manages_park(user, target)
    if action == "admin":
        return False
    if action == "network.view":
        assert target is None or isinstance(target, Park)
        return network_scope(user, target) is not None
    if action == "network.full":
        assert target is None or isinstance(target, Park)
        return network_scope(user, target) in ("all", "managed")
    if action == "listing.create":
        return user.organisation_id is not None and bool(user.roles & {"plant", "recycler"})
    if action == "listing.import_any":
        return False
    if action == "listing.view":
        assert isinstance(target, Listing)
        return _member_of(user, target.site.organisation_id) or target.status in PUBLIC_LISTING_STATUSES
    if action == "listing.edit":
        assert isinstance(target, Listing)
        return _member_of(user, target.site.organisation_id) and bool(user.roles & {"plant", "recycler"})
    if action == "listing.enquire":
        assert isinstance(target, Listing)
        return (user.organisation_id is not None and not _member_of(user, target.site.organisation_id)
                and target.status in ENQUIRABLE_LISTING_STATUSES)
    if action in ("enquiry.view", "enquiry.reply"):
        assert isinstance(target, Enquiry)
        return _member_of(user, target.organisation_id) or _member_of(user, target.listing.site.organisation_id)
    if action == "search.use":
        return True
    if action == "want.search":  # search near a want's site for the materials it accepts
        assert isinstance(target, Listing)
        return target.kind == "want" and _member_of(user, target.site.organisation_id)
    if action in ("saved_search.edit", "notification.edit"):
        return target is not None and target.user_id == user.id
    if action == "link.view":
        assert isinstance(target, Link)
        return (_party(user, target) or manages_park(user, target.supplier_site.park)
                or manages_park(user, target.receiver_site.park))
    if action == "link.decide":
        assert isinstance(target, Link)
        return _party(user, target) and bool(user.roles & {"plant", "recycler"})
    if action == "match_run.list":
        return user.has_role("park_manager")
    if action == "match_run.start":  # the whole province (target None) is for administrators only
        return isinstance(target, Park) and manages_park(user, target)
    if action == "match_run.detail":
        assert isinstance(target, MatchRun)
        return manages_park(user, target.park)
    if action == "match_run.view":
        assert isinstance(target, MatchRun)
        return manages_park(user, target.park) or any(can(user, "link.view", link) for link in target.links)
    raise ValueError(f"unknown action {action!r}")


def _party(user: User, link: Link) -> bool:
    return (_member_of(user, link.supplier_site.organisation_id)
            or _member_of(user, link.receiver_site.organisation_id))


def require(user: User, action: str, target: object | None = None) -> None:
    """Abort with 403 unless ``user`` may perform ``action`` on ``target``."""
    if not can(user, action, target):
        abort(403)
