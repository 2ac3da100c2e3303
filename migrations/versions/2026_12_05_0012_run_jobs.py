"""Match runs as background jobs

Revision ID: 0012_run_jobs
Revises: 0011_link_figures

`match_run` gains its job state: `status` (queued, running, done, failed; runs stored before are done),
the `step` a running run is at, the `error` of a failed one, when it started and finished, and the
`holder` process, by which a run that a restart interrupted is recognised and marked failed.
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_run_jobs"
down_revision = "0011_link_figures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("match_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=10), server_default="done", nullable=False))
        batch_op.add_column(sa.Column("step", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("holder", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_match_run_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_run_status"))
        batch_op.drop_column("holder")
        batch_op.drop_column("finished_at")
        batch_op.drop_column("started_at")
        batch_op.drop_column("error")
        batch_op.drop_column("step")
        batch_op.drop_column("status")
