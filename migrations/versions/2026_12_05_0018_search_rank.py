"""No schema change yet: a slot kept so parts built side by side stay on one chain

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
