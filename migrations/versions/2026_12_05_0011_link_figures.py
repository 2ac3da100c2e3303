"""Links keep what a hidden side's reader may be shown

Revision ID: 0011_link_figures
Revises: 0010_admin
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_link_figures"
down_revision = "0010_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
