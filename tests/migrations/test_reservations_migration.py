"""Migration 0008: the listing content hash becomes unique; duplicates stored before are settled, none lost
that anything refers to."""
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade


def _copy(db, listing_id: int, **values) -> int:
    """A raw copy of a listing row (and its material and name rows), as concurrent imports used to store."""
    columns = [c["name"] for c in sa.inspect(db.engine).get_columns("listing") if c["name"] != "id"]
    chosen = ", ".join(f":{name}" if name in values else name for name in columns)
    new_id = db.session.execute(sa.text(
        f"INSERT INTO listing ({', '.join(columns)}) SELECT {chosen} FROM listing WHERE id = :id RETURNING id"),
        {"id": listing_id, **values}).scalar_one()
    for child in ("listing_material", "listing_name"):
        child_columns = [c["name"] for c in sa.inspect(db.engine).get_columns(child) if c["name"] != "listing_id"]
        db.session.execute(sa.text(
            f"INSERT INTO {child} (listing_id, {', '.join(child_columns)}) "
            f"SELECT :new, {', '.join(child_columns)} FROM {child} WHERE listing_id = :id"),
            {"new": new_id, "id": listing_id})
    return new_id


def test_duplicates_are_settled_and_the_hash_becomes_unique(app, db, make_site, make_listing, make_org):
    site = make_site()
    original = make_listing(site=site, quantity=3_000)
    other = make_listing(site=site, quantity=4_000)
    original_id, other_id, content_hash = original.id, other.id, original.content_hash
    asker_id = make_org().id
    db.session.remove()
    downgrade(revision="0007_run_alternatives")

    spare = _copy(db, original_id)  # referred to by nothing: deleted
    asked = _copy(db, original_id)  # an enquiry refers to it: kept, with a hash of its own
    promised = _copy(db, original_id, committed_quantity=500.0)  # tonnes committed: kept
    db.session.execute(sa.text("INSERT INTO enquiry (listing_id, organisation_id, created_at) "
                               "VALUES (:id, :org, CURRENT_TIMESTAMP)"), {"id": asked, "org": asker_id})
    db.session.commit()
    db.session.remove()

    upgrade()
    rows = dict(db.session.execute(sa.text("SELECT id, content_hash FROM listing")).all())
    assert set(rows) == {original_id, other_id, asked, promised}
    assert rows[original_id] == content_hash
    assert len(set(rows.values())) == 4
    children = db.session.execute(sa.text(
        "SELECT count(*) FROM listing_material WHERE listing_id = :id"), {"id": spare}).scalar_one()
    assert children == 0
    with pytest.raises(sa.exc.IntegrityError):
        _copy(db, other_id)
    db.session.rollback()
