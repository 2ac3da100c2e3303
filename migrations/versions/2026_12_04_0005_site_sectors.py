"""Sites: several sectors, a sector reading to confirm, transport access

Revision ID: 0005_site_sectors
Revises: 0004_match_runs
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_site_sectors"
down_revision = "0004_match_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing sites were stored only from exact codes or titles: one sector, nothing to confirm.
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra_sector_codes", sa.JSON(), server_default=sa.text("'[]'"),
                                      nullable=False))
        batch_op.add_column(sa.Column("sector_written", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("sector_to_confirm", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("sector_notes", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column("transport_access", sa.JSON(), server_default=sa.text("'[]'"),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("transport_access")
        batch_op.drop_column("sector_notes")
        batch_op.drop_column("sector_to_confirm")
        batch_op.drop_column("sector_written")
        batch_op.drop_column("extra_sector_codes")
