"""Match runs keep each offer's ranked alternatives

Revision ID: 0007_run_alternatives
Revises: 0006_open_vocabulary
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_run_alternatives"
down_revision = "0006_open_vocabulary"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
