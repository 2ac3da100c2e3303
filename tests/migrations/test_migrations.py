"""The Alembic history: upgrade, downgrade and upgrade again, on each backend; models match it."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

OUR_TABLES = {"organisation", "site", "licence", "park", "user", "user_role", "park_manager"}
# PostGIS-only indexes (geometry GiST, and the geography expression index for radius search).
GEOMETRY_INDEXES = {"ix_site_location", "ix_park_boundary", "ix_site_location_geography"}


def table_names(db):
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_downgrade_upgrade(app, db):
    db.session.remove()
    assert OUR_TABLES <= table_names(db)
    downgrade(revision="base")
    assert not (OUR_TABLES & table_names(db))
    upgrade()
    assert OUR_TABLES <= table_names(db)


def test_postgis_has_geometry_columns_with_gist_indexes(app, db):
    if db.engine.dialect.name != "postgresql":
        # On SQLite geometries are WKT text; checked by the SQLite half of test_models_match_migrations.
        columns = {c["name"]: c for c in sa.inspect(db.engine).get_columns("site")}
        assert isinstance(columns["location"]["type"], sa.Text)
        return
    rows = db.session.execute(sa.text(
        "SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns ORDER BY 1")).all()
    assert [tuple(r) for r in rows] == [("park", "boundary", "MULTIPOLYGON", 4326), ("site", "location", "POINT", 4326)]
    indexes = db.session.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN ('ix_site_location', 'ix_park_boundary')")).all()
    assert len(indexes) == 2 and all("USING gist" in definition for _, definition in indexes)


def test_models_match_migrations(app, db):
    def include(obj, name, type_, reflected, compare_to):
        # search_offer, search_version: PostGIS-only search rows and their version, kept by triggers
        # (migrations 0015, 0019), not models.
        if type_ == "table" and name in {"spatial_ref_sys", "alembic_version", "search_offer", "search_version"}:
            return False
        return not (type_ == "index" and name in GEOMETRY_INDEXES)

    with db.engine.connect() as connection:
        # Geometry columns are Text in the models and geometry in PostGIS on purpose; types are not compared.
        context = MigrationContext.configure(connection, opts={"compare_type": False, "include_object": include})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
