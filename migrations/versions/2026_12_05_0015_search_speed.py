"""Search rows of the active offers on PostGIS, kept by the database, for wide-radius searches

Revision ID: 0015_search_speed
Revises: 0014_reporting

A nearby search joined site → listing → listing_material: at 150 km over 100 000 offers that is some 5 700
sites, then 29 000 listings and as many material rows, each on a page of its own (EXPLAIN ANALYZE: 135 000
buffer reads; 120–170 ms a search, bench/search.py). `search_offer` holds what the search's prefilter reads,
one row per active offer (published or partly matched) and material, 1 563 pages for 100 000 offers.
Its site's point is there as longitude and latitude, and as a unit vector (x, y, z) on the sphere: a radius is
then a latitude band (the btree below) and a chord length, plain arithmetic per row. A GiST index on geography
was slower at wide radii: its bounding-box scan and the exact ST_DWithin per row cost more than reading the
band (EXPLAIN ANALYZE at 150 km: 48 000 boxes checked for 29 000 rows).

The app never writes it. Row triggers on listing, listing_material and site re-derive the rows of every
listing a write touched, inside the writer's transaction, so a search sees exactly the committed listings.
SQLite searches through its in-memory index (services/search_index.py) and has no such table.
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

-- Row triggers: the driver sends a bulk insert as one statement per row (executemany), so statement
-- triggers would run as often and cost more each. A new listing needs none: its material rows follow it.
CREATE FUNCTION search_offer_follow_listing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_offer_refresh(CASE WHEN TG_OP = 'DELETE' THEN ARRAY[OLD.id] ELSE ARRAY[OLD.id, NEW.id] END);
    RETURN NULL;
END
$$;

CREATE FUNCTION search_offer_follow_material() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN  -- the common case, a listing stored or imported: add just this row
        INSERT INTO search_offer (listing_id, material_code, lon, lat, x, y, z, annual_quantity, committed_quantity,
                                  price_cny, available_from, available_to, base_unit, visibility)
        SELECT l.id, NEW.material_code, ST_X(s.location), ST_Y(s.location),
               cosd(ST_Y(s.location)) * cosd(ST_X(s.location)), cosd(ST_Y(s.location)) * sind(ST_X(s.location)),
               sind(ST_Y(s.location)), l.annual_quantity,
               l.committed_quantity, l.price_cny, l.available_from, l.available_to, l.base_unit, l.visibility
        FROM listing l JOIN site s ON s.id = l.site_id
        WHERE l.id = NEW.listing_id AND l.kind = 'offer' AND l.status IN {ACTIVE}
        ON CONFLICT (listing_id, material_code) DO NOTHING;
    ELSE
        PERFORM search_offer_refresh(CASE TG_OP WHEN 'DELETE' THEN ARRAY[OLD.listing_id]
                                                ELSE ARRAY[OLD.listing_id, NEW.listing_id] END);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION search_offer_follow_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_offer_refresh(ARRAY(SELECT id FROM listing WHERE site_id = NEW.id));
    RETURN NULL;
END
$$;

CREATE FUNCTION search_offer_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search_offer;
    RETURN NULL;
END
$$;

CREATE TRIGGER search_offer_listing_change AFTER UPDATE OR DELETE ON listing
    FOR EACH ROW EXECUTE FUNCTION search_offer_follow_listing();
CREATE TRIGGER search_offer_listing_truncate AFTER TRUNCATE ON listing
    FOR EACH STATEMENT EXECUTE FUNCTION search_offer_clear();
CREATE TRIGGER search_offer_material_change AFTER INSERT OR UPDATE OR DELETE ON listing_material
    FOR EACH ROW EXECUTE FUNCTION search_offer_follow_material();
-- A site that moves moves its offers (a new site has no listings yet; a site is deleted after its listings).
CREATE TRIGGER search_offer_site_move AFTER UPDATE OF location ON site
    FOR EACH ROW WHEN (OLD.location IS DISTINCT FROM NEW.location) EXECUTE FUNCTION search_offer_follow_site();

SELECT search_offer_refresh(ARRAY(SELECT id FROM listing WHERE kind = 'offer'));
ANALYZE search_offer;
"""

DOWNGRADE = """
DROP TRIGGER search_offer_site_move ON site;
DROP TRIGGER search_offer_material_change ON listing_material;
DROP TRIGGER search_offer_listing_truncate ON listing;
DROP TRIGGER search_offer_listing_change ON listing;
DROP FUNCTION search_offer_clear();
DROP FUNCTION search_offer_follow_site();
DROP FUNCTION search_offer_follow_material();
DROP FUNCTION search_offer_follow_listing();
DROP FUNCTION search_offer_refresh(integer[]);
DROP TABLE search_offer;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(UPGRADE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DOWNGRADE)
