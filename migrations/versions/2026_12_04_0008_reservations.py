"""Unique content hash for imported listings; what concurrent accepts, closes and imports need

Revision ID: 0008_reservations
Revises: 0007_run_alternatives

`listing.content_hash` (the site and content of a listing) becomes unique, so two imports of one file
running at once store its rows once: the second waits for the first and then finds them, instead of
both reading "not there yet" and both inserting. Duplicates stored before are settled first: a copy
nothing refers to (no link, alternative, enquiry or notification, no committed tonnes) is deleted, the
lowest id kept; a copy something refers to is kept and given a hash of its own (its content hash with
its id), so no agreement, enquiry or history is lost.
"""
import hashlib

from alembic import op
import sqlalchemy as sa

revision = "0008_reservations"
down_revision = "0007_run_alternatives"
branch_labels = None
depends_on = None

REFERRING = (("link", "offer_id"), ("link", "want_id"), ("run_alternative", "offer_id"),
             ("run_alternative", "want_id"), ("enquiry", "listing_id"), ("notification", "listing_id"))


def _settle_duplicates(connection: sa.Connection) -> None:
    duplicated = connection.execute(sa.text(
        "SELECT content_hash FROM listing GROUP BY content_hash HAVING count(*) > 1")).scalars().all()
    if not duplicated:
        return
    referred = set()
    for table, column in REFERRING:
        referred |= set(connection.execute(sa.text(
            f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")).scalars())
    for content_hash in duplicated:
        rows = connection.execute(sa.text(
            "SELECT id, committed_quantity FROM listing WHERE content_hash = :h ORDER BY id"),
            {"h": content_hash}).all()
        for listing_id, committed in rows[1:]:
            if listing_id in referred or (committed or 0) > 0:
                own = hashlib.sha1(f"{content_hash}:{listing_id}".encode()).hexdigest()
                connection.execute(sa.text("UPDATE listing SET content_hash = :own WHERE id = :id"),
                                   {"own": own, "id": listing_id})
                continue
            # SQLite enforces no ON DELETE CASCADE without its pragma: the children go explicitly.
            for child in ("listing_material", "listing_name"):
                connection.execute(sa.text(f"DELETE FROM {child} WHERE listing_id = :id"), {"id": listing_id})
            connection.execute(sa.text("DELETE FROM listing WHERE id = :id"), {"id": listing_id})


def upgrade() -> None:
    _settle_duplicates(op.get_bind())
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_content_hash"))
        batch_op.create_index(batch_op.f("ix_listing_content_hash"), ["content_hash"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_content_hash"))
        batch_op.create_index(batch_op.f("ix_listing_content_hash"), ["content_hash"], unique=False)
