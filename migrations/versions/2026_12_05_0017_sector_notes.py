"""Sector notes and notifications as messages, rendered in each reader's language

Revision ID: 0017_sector_notes
Revises: 0016_unread

``site.sector_notes`` (JSON, no schema change) now holds each note as a message, its template and values
(``geo.messages.Message.as_data``). Rows written before hold English text; they are not rewritten here:
``Site.sector_messages`` finds such a note again by reading ``sector_written`` once more, and shows one it
no longer gives as the English it was.

``notification`` gains ``message_data``: the notice as a message the same way. Notices stored before keep
their text in ``message`` (NULL ``message_data``) and are shown as before.
"""
from alembic import op
import sqlalchemy as sa

revision = "0017_sector_notes"
down_revision = "0016_unread"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_data", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("message_data")
