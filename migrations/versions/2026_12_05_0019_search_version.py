"""A version of the searchable offers on PostGIS, so a process can keep them in memory and know when to reload

Revision ID: 0019_search_version
Revises: 0018_search_rank

A 150 km search over 100 000 offers spent some 33 ms in PostgreSQL reading and packing the ~29 000 offers in
reach (bench/RESULTS.md, "Search and import"). The app now keeps the active offers' columns in memory on
PostGIS too, as it does on SQLite (marketplace/services/search_index.py), and needs to know, in the search's
own session, whether what it holds is what that session would read from `search_offer`.

`search_version` is one row. A statement-level trigger on `search_offer` (which only the 0015 triggers write)
sets it, on a transaction's first change of that table, to a fresh `nextval('search_version_seq')`, and
records a second fresh value for every changing statement in a transaction-local setting
(`marketplace.search_version`). A sequence never gives a value twice, even after a rollback, so:

* committed state: the row's value names it (writers of `search_offer` take the row's lock in turn, so the
  value a snapshot sees was written by the last writer it sees, and every earlier writer committed before);
* a transaction's own uncommitted writes: the pair (row value, local setting) names them; a rollback to a
  savepoint restores both the data and the setting (SET LOCAL is undone with the savepoint), and a value of a
  rolled-back change is never seen again.

A statement that changes no row (a want's listing edited: the refresh deletes and inserts nothing) changes
nothing (transition tables tell). The price: transactions that change active offers wait for one another from
their first such change to their commit (the row lock), where before they waited only for rows they shared.
SQLite keeps its own index in step without a table (search_index.OfferIndex); this is a no-op there.
"""
from alembic import op

revision = "0019_search_version"
down_revision = "0018_search_rank"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE SEQUENCE search_version_seq;
CREATE TABLE search_version (value bigint NOT NULL);
INSERT INTO search_version (value) VALUES (nextval('search_version_seq'));

CREATE FUNCTION search_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'TRUNCATE' AND NOT EXISTS (SELECT 1 FROM changed) THEN
        RETURN NULL;
    END IF;
    IF coalesce(current_setting('marketplace.search_version', true), '') = '' THEN
        UPDATE search_version SET value = nextval('search_version_seq');  -- once per transaction
    END IF;
    PERFORM set_config('marketplace.search_version', nextval('search_version_seq')::text, true);
    RETURN NULL;
END
$$;

CREATE TRIGGER search_version_insert AFTER INSERT ON search_offer REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_version_bump();
CREATE TRIGGER search_version_update AFTER UPDATE ON search_offer REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_version_bump();
CREATE TRIGGER search_version_delete AFTER DELETE ON search_offer REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_version_bump();
CREATE TRIGGER search_version_truncate AFTER TRUNCATE ON search_offer
    FOR EACH STATEMENT EXECUTE FUNCTION search_version_bump();
"""

DOWNGRADE = """
DROP TRIGGER search_version_truncate ON search_offer;
DROP TRIGGER search_version_delete ON search_offer;
DROP TRIGGER search_version_update ON search_offer;
DROP TRIGGER search_version_insert ON search_offer;
DROP FUNCTION search_version_bump();
DROP TABLE search_version;
DROP SEQUENCE search_version_seq;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(UPGRADE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DOWNGRADE)
