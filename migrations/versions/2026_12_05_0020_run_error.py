"""A failed run's reason as a message (template and values), rendered in each reader's language

Revision ID: 0020_run_error
Revises: 0019_search_version
"""
from alembic import op
import sqlalchemy as sa

revision = "0020_run_error"
down_revision = "0019_search_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match_run") as batch:
        batch.add_column(sa.Column("error_message", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("match_run") as batch:
        batch.drop_column("error_message")
