"""Match runs as background jobs

Revision ID: 0012_run_jobs
Revises: 0011_link_figures
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_run_jobs"
down_revision = "0011_link_figures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
