"""Listings keep the written material; unclassified and possibly hazardous listings; classification queue

Revision ID: 0006_open_vocabulary
Revises: 0005_site_sectors

A listing keeps the material as its author wrote it (`listing.material`) and, per name, how the
platform read it (`listing_name`: the material code, or none while the name is unclassified); names
administrators classify become learned synonyms (`learned_synonym`). Existing listings keep their
codes: each becomes a name read exactly.
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_open_vocabulary"
down_revision = "0005_site_sectors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("material", sa.String(length=1000), server_default="", nullable=False))

    op.create_table(
        "listing_name",
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("written", sa.String(length=300), nullable=False),
        sa.Column("name_code", sa.String(length=320), nullable=False),
        sa.Column("reading", sa.String(length=20), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("material_code", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["listing_id"], ["listing.id"], name=op.f("fk_listing_name_listing_id_listing"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["material_code"], ["material.code"],
                                name=op.f("fk_listing_name_material_code_material")),
        sa.PrimaryKeyConstraint("listing_id", "position", name=op.f("pk_listing_name")),
    )
    with op.batch_alter_table("listing_name", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_name_name_code"), ["name_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_listing_name_reading"), ["reading"], unique=False)

    op.create_table(
        "learned_synonym",
        sa.Column("name_code", sa.String(length=320), nullable=False),
        sa.Column("written", sa.String(length=300), nullable=False),
        sa.Column("material_code", sa.String(length=40), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_learned_synonym_created_by_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["material_code"], ["material.code"],
                                name=op.f("fk_learned_synonym_material_code_material")),
        sa.PrimaryKeyConstraint("name_code", name=op.f("pk_learned_synonym")),
    )

    # Existing listings: their codes become the written material, each a name read exactly.
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT listing_id, material_code, position FROM listing_material ORDER BY listing_id, position")).all()
    by_listing: dict[int, list[str]] = {}
    for listing_id, code, _ in rows:
        by_listing.setdefault(listing_id, []).append(code)
    names = sa.table("listing_name", sa.column("listing_id", sa.Integer), sa.column("position", sa.Integer),
                     sa.column("written", sa.String), sa.column("name_code", sa.String),
                     sa.column("reading", sa.String), sa.column("confidence", sa.Float),
                     sa.column("material_code", sa.String))
    if by_listing:
        op.bulk_insert(names, [
            {"listing_id": listing_id, "position": position, "written": code,
             "name_code": "name:" + "".join(ch for ch in code.casefold() if ch.isalnum()), "reading": "exact",
             "confidence": 1.0, "material_code": code}
            for listing_id, codes in by_listing.items() for position, code in enumerate(codes)])
        for listing_id, codes in by_listing.items():
            bind.execute(sa.text("UPDATE listing SET material = :material WHERE id = :id"),
                         {"material": "|".join(codes), "id": listing_id})


def downgrade() -> None:
    op.drop_table("learned_synonym")
    with op.batch_alter_table("listing_name", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_name_reading"))
        batch_op.drop_index(batch_op.f("ix_listing_name_name_code"))
    op.drop_table("listing_name")
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.drop_column("material")
