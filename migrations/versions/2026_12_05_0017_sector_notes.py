"""Sector notes as messages: no schema change

``site.sector_notes`` (JSON) now holds each note as a message, its template and values
(``geo.messages.Message.as_data``), rendered in each reader's language. Rows written before hold English
text; they are not rewritten here: ``Site.sector_messages`` finds such a note again by reading
``sector_written`` once more, and shows one it no longer gives as the English it was.

Revision ID: 0017_sector_notes
Revises: 0016_unread
"""
from alembic import op
import sqlalchemy as sa

revision = "0017_sector_notes"
down_revision = "0016_unread"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
