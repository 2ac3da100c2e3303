"""Search rows of the active offers on PostGIS, kept by the database, for wide-radius searches

Revision ID: 0015_search_speed
Revises: 0014_reporting

A nearby search joined site → listing → listing_material: at 150 km over 100 000 offers that is some 5 700
sites, then 29 000 listings and as many material rows, each on a page of its own (EXPLAIN ANALYZE: 135 000
buffer reads; 120–170 ms a search, bench/search.py). `search_offer` holds what the search's prefilter reads,
one row per active offer (published or partly matched) and material, about 1 200 pages for 100 000 offers.
Its site's point is there as longitude and latitude, and as a unit vector (x, y, z) on the sphere: a radius is
then a latitude band (the btree below) and a chord length, plain arithmetic per row. A GiST index on geography
was slower at wide radii: its bounding-box scan and the exact ST_DWithin per row cost more than reading the
band (EXPLAIN ANALYZE at 150 km: 48 000 boxes checked for 29 000 rows).

The app never writes it. Statement-level triggers on listing, listing_material and site re-derive the rows of
every listing a statement touched (transition tables: a bulk import runs them once per statement, not per
row), inside the writer's transaction, so a search sees exactly the committed listings. SQLite searches through
its in-memory index (services/search_index.py) and has no such table.
"""
from alembic import op

revision = "0015_search_speed"
down_revision = "0014_reporting"
branch_labels = None
depends_on = None

ACTIVE = "('published', 'partly_matched')"  # search_index.ACTIVE_STATUSES

UPGRADE = f"""
CREATE TABLE search_offer (
    listing_id integer NOT NULL,
    material_code varchar(40) NOT NULL,
    lon double precision NOT NULL,
    lat double precision NOT NULL,
    x double precision NOT NULL,
    y double precision NOT NULL,
    z double precision NOT NULL,
    annual_quantity double precision NOT NULL,
    committed_quantity double precision NOT NULL,
    price_cny double precision,
    available_from date,
    available_to date,
    base_unit varchar(6) NOT NULL,
    visibility varchar(10) NOT NULL,
    CONSTRAINT pk_search_offer PRIMARY KEY (listing_id, material_code)
);
CREATE INDEX ix_search_offer_lat ON search_offer (lat, lon);

-- The rows of these listings, afresh from the tables (none for a listing that is gone or not an active offer).
CREATE FUNCTION search_offer_refresh(listing_ids integer[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM search_offer WHERE listing_id = ANY(listing_ids);
    INSERT INTO search_offer (listing_id, material_code, lon, lat, x, y, z, annual_quantity, committed_quantity,
                              price_cny, available_from, available_to, base_unit, visibility)
    SELECT l.id, lm.material_code, ST_X(s.location), ST_Y(s.location),
           cosd(ST_Y(s.location)) * cosd(ST_X(s.location)), cosd(ST_Y(s.location)) * sind(ST_X(s.location)),
           sind(ST_Y(s.location)), l.annual_quantity,
           l.committed_quantity, l.price_cny, l.available_from, l.available_to, l.base_unit, l.visibility
    FROM listing l
    JOIN site s ON s.id = l.site_id
    JOIN listing_material lm ON lm.listing_id = l.id
    WHERE l.id = ANY(listing_ids) AND l.kind = 'offer' AND l.status IN {ACTIVE};
$$;

-- One function for every trigger below: the statement's rows are in `changed` (and `changed_before` on UPDATE).
CREATE FUNCTION search_offer_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'site' THEN
        PERFORM search_offer_refresh(ARRAY(SELECT l.id FROM listing l JOIN changed c ON l.site_id = c.id));
    ELSIF TG_TABLE_NAME = 'listing' AND TG_OP = 'UPDATE' THEN
        PERFORM search_offer_refresh(ARRAY(SELECT id FROM changed UNION SELECT id FROM changed_before));
    ELSIF TG_TABLE_NAME = 'listing' THEN
        PERFORM search_offer_refresh(ARRAY(SELECT id FROM changed));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM search_offer_refresh(ARRAY(SELECT listing_id FROM changed UNION SELECT listing_id FROM changed_before));
    ELSE
        PERFORM search_offer_refresh(ARRAY(SELECT DISTINCT listing_id FROM changed));
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION search_offer_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search_offer;
    RETURN NULL;
END
$$;

CREATE TRIGGER search_offer_listing_insert AFTER INSERT ON listing
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_offer_follow();
CREATE TRIGGER search_offer_listing_update AFTER UPDATE ON listing
    REFERENCING OLD TABLE AS changed_before NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_offer_follow();
CREATE TRIGGER search_offer_listing_delete AFTER DELETE ON listing
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_offer_follow();
CREATE TRIGGER search_offer_listing_truncate AFTER TRUNCATE ON listing
    FOR EACH STATEMENT EXECUTE FUNCTION search_offer_clear();
CREATE TRIGGER search_offer_material_insert AFTER INSERT ON listing_material
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_offer_follow();
CREATE TRIGGER search_offer_material_update AFTER UPDATE ON listing_material
    REFERENCING OLD TABLE AS changed_before NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_offer_follow();
CREATE TRIGGER search_offer_material_delete AFTER DELETE ON listing_material
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_offer_follow();
-- A site that moves moves its offers (a new site has no listings yet; a site is deleted after its listings).
CREATE TRIGGER search_offer_site_update AFTER UPDATE ON site
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_offer_follow();

SELECT search_offer_refresh(ARRAY(SELECT id FROM listing WHERE kind = 'offer'));
ANALYZE search_offer;
"""

DOWNGRADE = """
DROP TRIGGER search_offer_site_update ON site;
DROP TRIGGER search_offer_material_delete ON listing_material;
DROP TRIGGER search_offer_material_update ON listing_material;
DROP TRIGGER search_offer_material_insert ON listing_material;
DROP TRIGGER search_offer_listing_truncate ON listing;
DROP TRIGGER search_offer_listing_delete ON listing;
DROP TRIGGER search_offer_listing_update ON listing;
DROP TRIGGER search_offer_listing_insert ON listing;
DROP FUNCTION search_offer_clear();
DROP FUNCTION search_offer_follow();
DROP FUNCTION search_offer_refresh(integer[]);
DROP TABLE search_offer;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(UPGRADE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DOWNGRADE)
