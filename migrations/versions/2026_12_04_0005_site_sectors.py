"""Sites: several sectors, a sector reading to confirm, transport access

Revision ID: 0005_site_sectors
Revises: 0004_match_runs
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_site_sectors"
down_revision = "0004_match_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
