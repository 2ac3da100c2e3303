"""Organisations, sites, licences, parks, users and roles.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-23

Geometry columns are PostGIS geometries (SRID 4326) with GiST indexes on PostgreSQL, and WKT
text on SQLite, which must run with nothing installed (no SpatiaLite).
"""
import sqlalchemy as sa
from alembic import op

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def _geometry_column(table: str, column: str, geometry_type: str, *, nullable: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} geometry({geometry_type}, 4326)"
                   + ("" if nullable else " NOT NULL"))
        op.execute(f"CREATE INDEX ix_{table}_{column} ON {table} USING GIST ({column})")
    else:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.Text(), nullable=nullable))


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("credit_code_flagged", sa.Boolean(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_organisation_credit_code")),
        sa.UniqueConstraint("name_zh", name=op.f("uq_organisation_name_zh")),
    )
    op.create_table(
        "park",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=True),
        sa.Column("city_code", sa.String(length=6), nullable=True),
        sa.Column("boundary_note", sa.String(length=300), nullable=True),
        sa.Column("source", sa.String(length=1000), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_park")),
        sa.UniqueConstraint("code", name=op.f("uq_park_code")),
    )
    _geometry_column("park", "boundary", "MULTIPOLYGON", nullable=True)

    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("external_ref", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("sector_code", sa.String(length=8), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=True),
        sa.Column("input_crs", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_site_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["park_id"], ["park.id"], name=op.f("fk_site_park_id_park")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("organisation_id", "external_ref", name=op.f("uq_site_organisation_id")),
    )
    op.create_index(op.f("ix_site_organisation_id"), "site", ["organisation_id"])
    op.create_index(op.f("ix_site_park_id"), "site", ["park_id"])
    op.create_index(op.f("ix_site_sector_code"), "site", ["sector_code"])
    op.create_index(op.f("ix_site_city_code"), "site", ["city_code"])
    _geometry_column("site", "location", "POINT", nullable=False)

    op.create_table(
        "licence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("hw_codes", sa.String(length=500), nullable=True),
        sa.Column("capacity_t_per_yr", sa.Float(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("battery_scope", sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_licence_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_licence_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence")),
    )
    op.create_index(op.f("ix_licence_organisation_id"), "licence", ["organisation_id"])
    op.create_index(op.f("ix_licence_site_id"), "licence", ["site_id"])

    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("api_token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_user_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("api_token_hash", name=op.f("uq_user_api_token_hash")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
    )
    op.create_index(op.f("ix_user_organisation_id"), "user", ["organisation_id"])

    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_user_role_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    op.create_table(
        "park_manager",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["park_id"], ["park.id"], name=op.f("fk_park_manager_park_id_park"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_park_manager_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "park_id", name=op.f("pk_park_manager")),
    )


def downgrade():
    op.drop_table("park_manager")
    op.drop_table("user_role")
    op.drop_index(op.f("ix_user_organisation_id"), table_name="user")
    op.drop_table("user")
    op.drop_index(op.f("ix_licence_site_id"), table_name="licence")
    op.drop_index(op.f("ix_licence_organisation_id"), table_name="licence")
    op.drop_table("licence")
    op.drop_table("site")
    op.drop_table("park")
    op.drop_table("organisation")
