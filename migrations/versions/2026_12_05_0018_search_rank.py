"""No schema change: faster wide-radius search needed none (the revision keeps the chain)

The search reads `search_offer` (0015) through its (lat, lon) btree with the bounding box of the spherical cap
and returns packed columns; see marketplace/services/search_index.py and bench/RESULTS.md ("Search and import").

Revision ID: 0018_search_rank
Revises: 0017_sector_notes
"""
from alembic import op
import sqlalchemy as sa

revision = "0018_search_rank"
down_revision = "0017_sector_notes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
