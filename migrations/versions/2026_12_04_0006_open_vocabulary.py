"""Listings keep the written material; unclassified and possibly hazardous listings; classification queue

Revision ID: 0006_open_vocabulary
Revises: 0005_site_sectors
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_open_vocabulary"
down_revision = "0005_site_sectors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
