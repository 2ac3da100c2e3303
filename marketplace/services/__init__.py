"""Use-cases: the only code that turns requests into database changes, and owns the commit."""
