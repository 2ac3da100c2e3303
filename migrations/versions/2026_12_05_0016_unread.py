"""Unread enquiry messages and run requests in notifications

Revision ID: 0016_unread
Revises: 0015_search_speed

`enquiry_message.read_at` is when the other side of the thread first opened it: the navigation counts the
threads with messages still unread. Messages stored before count as read (nobody can tell whether they were
seen, and a flood of old badges helps no one). `notification` gains the park and the organisation a notice is
about, so a plant's request for a match run reaches its park's managers and is shown in each reader's language.
"""
from alembic import op
import sqlalchemy as sa

revision = "0016_unread"
down_revision = "0015_search_speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enquiry_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("read_at", sa.DateTime(), nullable=True))
    message = sa.table("enquiry_message", sa.column("read_at", sa.DateTime), sa.column("created_at", sa.DateTime))
    op.execute(message.update().values(read_at=message.c.created_at))
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("park_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_notification_park_id_park"), "park", ["park_id"], ["id"],
                                    ondelete="CASCADE")
        batch_op.create_foreign_key(batch_op.f("fk_notification_organisation_id_organisation"), "organisation",
                                    ["organisation_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notification_organisation_id_organisation"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_notification_park_id_park"), type_="foreignkey")
        batch_op.drop_column("organisation_id")
        batch_op.drop_column("park_id")
    with op.batch_alter_table("enquiry_message", schema=None) as batch_op:
        batch_op.drop_column("read_at")
