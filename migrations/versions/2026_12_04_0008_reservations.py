"""Unique content hash for imported listings; what concurrent accepts, closes and imports need

Revision ID: 0008_reservations
Revises: 0007_run_alternatives
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_reservations"
down_revision = "0007_run_alternatives"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
