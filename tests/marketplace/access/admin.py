"""Access cases of administration on the web: organisations (search, detail, verification), users, and the
knowledge base's edits. Administrators only; everyone else is refused (or sent to sign in)."""
from . import LOGIN, expect

CASES = [
    ("admin.organisation", "GET", "/admin/orgs/{org}", expect(LOGIN, 403, 403, 403, 200)),
    ("admin.new_user", "GET", "/admin/users/new", expect(LOGIN, 403, 403, 403, 200)),
    # An empty form: the email and roles are missing.
    ("admin.new_user", "POST", "/admin/users/new", expect(LOGIN, 403, 403, 403, 400)),
    ("admin.knowledge", "GET", "/admin/knowledge", expect(LOGIN, 403, 403, 403, 200)),
    ("admin.new_entry", "GET", "/admin/knowledge/route/new", expect(LOGIN, 403, 403, 403, 200)),
    ("admin.new_entry", "POST", "/admin/knowledge/route/new", expect(LOGIN, 403, 403, 403, 400)),
    ("admin.edit_entry", "GET", "/admin/knowledge/route/fly-ash-concrete", expect(LOGIN, 403, 403, 403, 200)),
    ("admin.edit_entry", "POST", "/admin/knowledge/material/coal-fly-ash", expect(LOGIN, 403, 403, 403, 400)),
    # Nothing edited yet: discarding changes nothing and goes back to the list.
    ("admin.discard_entry", "POST", "/admin/knowledge/route/fly-ash-concrete/discard",
     expect(LOGIN, 403, 403, 403, 302)),
    ("admin.export_knowledge", "GET", "/admin/knowledge/export.yaml", expect(LOGIN, 403, 403, 403, 200)),
]
