"""Access cases by feature: (endpoint, method, url template, expected outcome by role).

URL templates use the ids of the world built in test_permissions.py. Each feature keeps its cases
in its own module; ALL gathers them.
"""
ROLES = ("anonymous", "plant", "recycler", "park_manager", "admin")
LOGIN = "login"  # a redirect to the sign-in page


def expect(anonymous, plant, recycler, park_manager, admin):
    return dict(zip(ROLES, (anonymous, plant, recycler, park_manager, admin)))


def _gather():
    from . import admin, classification, foundation, links, listings, materials, network, search

    return [case for module in (foundation, listings, materials, search, network, links, classification, admin)
            for case in module.CASES]


ALL = _gather()
