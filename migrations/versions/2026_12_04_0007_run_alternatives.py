"""Match runs keep each offer's ranked alternatives

Revision ID: 0007_run_alternatives
Revises: 0006_open_vocabulary

`run_alternative`: per run and offer, the best receivers that got none of it, with their rank among the
offer's feasible receivers, what they could have taken and why they lost. A link's material code may now
be an unclassified stream's `name:` pseudo-code, as long as `listing_name.name_code`.
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_run_alternatives"
down_revision = "0006_open_vocabulary"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_alternative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("want_id", sa.Integer(), nullable=True),
        sa.Column("supplier_site_id", sa.Integer(), nullable=False),
        sa.Column("receiver_site_id", sa.Integer(), nullable=False),
        sa.Column("material_code", sa.String(length=320), nullable=False),
        sa.Column("route_id", sa.String(length=60), nullable=True),
        sa.Column("mode", sa.String(length=10), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("feasible_receivers", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=6), nullable=False),
        sa.Column("net_benefit_cny", sa.Float(), nullable=False),
        sa.Column("net_benefit_cny_per_unit", sa.Float(), nullable=False),
        sa.Column("distance_km", sa.Float(), nullable=False),
        sa.Column("latent", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_run_alternative_rank_positive")),
        sa.ForeignKeyConstraint(["run_id"], ["match_run.id"], name=op.f("fk_run_alternative_run_id_match_run"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["offer_id"], ["listing.id"], name=op.f("fk_run_alternative_offer_id_listing")),
        sa.ForeignKeyConstraint(["want_id"], ["listing.id"], name=op.f("fk_run_alternative_want_id_listing")),
        sa.ForeignKeyConstraint(["supplier_site_id"], ["site.id"],
                                name=op.f("fk_run_alternative_supplier_site_id_site")),
        sa.ForeignKeyConstraint(["receiver_site_id"], ["site.id"],
                                name=op.f("fk_run_alternative_receiver_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_alternative")),
    )
    with op.batch_alter_table("run_alternative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_alternative_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_alternative_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_alternative_receiver_site_id"), ["receiver_site_id"], unique=False)
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.alter_column("material_code", existing_type=sa.String(length=40), type_=sa.String(length=320),
                              existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.alter_column("material_code", existing_type=sa.String(length=320), type_=sa.String(length=40),
                              existing_nullable=False)
    with op.batch_alter_table("run_alternative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_alternative_receiver_site_id"))
        batch_op.drop_index(batch_op.f("ix_run_alternative_offer_id"))
        batch_op.drop_index(batch_op.f("ix_run_alternative_run_id"))
    op.drop_table("run_alternative")
