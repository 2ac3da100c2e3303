"""Match runs and the links they propose, with each side's decision.

Revision ID: 0004_match_runs
Revises: 0003_search_index
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_match_runs'
down_revision = '0003_search_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('match_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('park_id', sa.Integer(), nullable=True),
    sa.Column('latent', sa.Boolean(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('timings', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_match_run_created_by_id_user')),
    sa.ForeignKeyConstraint(['park_id'], ['park.id'], name=op.f('fk_match_run_park_id_park')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_run'))
    )
    op.create_table('link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('want_id', sa.Integer(), nullable=True),
    sa.Column('supplier_site_id', sa.Integer(), nullable=False),
    sa.Column('receiver_site_id', sa.Integer(), nullable=False),
    sa.Column('material_code', sa.String(length=40), nullable=False),
    sa.Column('route_id', sa.String(length=60), nullable=True),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=6), nullable=False),
    sa.Column('distance_km', sa.Float(), nullable=False),
    sa.Column('transport_cost_cny', sa.Float(), nullable=False),
    sa.Column('net_benefit_cny', sa.Float(), nullable=False),
    sa.Column('co2_avoided_t', sa.Float(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('same_park', sa.Boolean(), nullable=False),
    sa.Column('coupling', sa.String(length=60), nullable=True),
    sa.Column('latent', sa.Boolean(), nullable=False),
    sa.Column('explanation_zh', sa.Text(), nullable=False),
    sa.Column('explanation_en', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('supplier_decision', sa.String(length=10), nullable=True),
    sa.Column('receiver_decision', sa.String(length=10), nullable=True),
    sa.Column('agreed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_link_quantity_positive')),
    sa.ForeignKeyConstraint(['offer_id'], ['listing.id'], name=op.f('fk_link_offer_id_listing')),
    sa.ForeignKeyConstraint(['receiver_site_id'], ['site.id'], name=op.f('fk_link_receiver_site_id_site')),
    sa.ForeignKeyConstraint(['run_id'], ['match_run.id'], name=op.f('fk_link_run_id_match_run'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_site_id'], ['site.id'], name=op.f('fk_link_supplier_site_id_site')),
    sa.ForeignKeyConstraint(['want_id'], ['listing.id'], name=op.f('fk_link_want_id_listing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link'))
    )
    with op.batch_alter_table('link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_receiver_site_id'), ['receiver_site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_supplier_site_id'), ['supplier_site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_link_want_id'), ['want_id'], unique=False)



def downgrade():
    with op.batch_alter_table('link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_want_id'))
        batch_op.drop_index(batch_op.f('ix_link_supplier_site_id'))
        batch_op.drop_index(batch_op.f('ix_link_status'))
        batch_op.drop_index(batch_op.f('ix_link_run_id'))
        batch_op.drop_index(batch_op.f('ix_link_receiver_site_id'))
        batch_op.drop_index(batch_op.f('ix_link_offer_id'))

    op.drop_table('link')
    op.drop_table('match_run')
