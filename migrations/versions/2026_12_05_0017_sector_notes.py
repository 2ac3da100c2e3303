"""No schema change yet: a slot kept so parts built side by side stay on one chain

Revision ID: 0017_sector_notes
Revises: 0016_unread
"""
from alembic import op
import sqlalchemy as sa

revision = "0017_sector_notes"
down_revision = "0016_unread"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
