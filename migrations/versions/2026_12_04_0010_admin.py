"""Administrators edit the knowledge base on the web

Revision ID: 0010_admin
Revises: 0009_disclosure

`knowledge_edit`: a material or route as an administrator saved it (the whole entry, in the data
files' shape), applied over the reviewed data files by the running app and exported back for review.
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_admin"
down_revision = "0009_disclosure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_edit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("file", sa.String(length=60), nullable=False),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.Column("edited_by_id", sa.Integer(), nullable=True),
        sa.Column("edited_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["edited_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "key"),
    )


def downgrade() -> None:
    op.drop_table("knowledge_edit")
