"""No schema change: data entry needed none (the revision kept the chain while parts were built side by side)

Revision ID: 0013_data_entry
Revises: 0012_run_jobs
"""
from alembic import op
import sqlalchemy as sa

revision = "0013_data_entry"
down_revision = "0012_run_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
