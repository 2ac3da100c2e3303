"""No schema change: reporting needed none (the revision kept the chain while parts were built side by side)

Revision ID: 0014_reporting
Revises: 0013_data_entry
"""
from alembic import op
import sqlalchemy as sa

revision = "0014_reporting"
down_revision = "0013_data_entry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
