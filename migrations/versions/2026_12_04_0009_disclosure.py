"""Explanations are rendered for each viewer from the link's figures, not stored with names

Revision ID: 0009_disclosure
Revises: 0008_reservations
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_disclosure"
down_revision = "0008_reservations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
