"""Index site locations as geography on PostGIS, for radius searches in metres.

Revision ID: 0003_search_index
Revises: 0002_listings
Create Date: 2026-11-23

ST_DWithin on geography measures metres on the sphere or spheroid; without an index on the
geography expression PostGIS would scan every site. SQLite searches through an in-memory index.
"""
from alembic import op

revision = "0003_search_index"
down_revision = "0002_listings"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_site_location_geography ON site USING GIST ((location::geography))")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_site_location_geography")
