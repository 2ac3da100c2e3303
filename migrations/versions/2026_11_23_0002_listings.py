"""Knowledge base, listings, enquiries, saved searches and notifications.

Revision ID: 0002_listings
Revises: 0001_foundation
Create Date: 2026-11-23

The material and route tables are filled by `flask kb sync`, which `flask db upgrade` runs after the
migrations (see env.py), from the reviewed files in matching/knowledge/.
"""
import sqlalchemy as sa
from alembic import op

revision = '0002_listings'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('material',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('family', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('parent_code', sa.String(length=40), nullable=True),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('hazardous', sa.Boolean(), nullable=False),
    sa.Column('bulk', sa.Boolean(), nullable=False),
    sa.Column('receiver_licence', sa.String(length=30), nullable=False),
    sa.Column('hw_codes', sa.JSON(), nullable=False),
    sa.Column('synonyms', sa.JSON(), nullable=False),
    sa.Column('quality_attributes', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_material'))
    )
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_category'), ['category'], unique=False)

    op.create_table('route',
    sa.Column('id', sa.String(length=60), nullable=False),
    sa.Column('material_codes', sa.JSON(), nullable=False),
    sa.Column('process_zh', sa.String(length=300), nullable=False),
    sa.Column('process_en', sa.String(length=300), nullable=False),
    sa.Column('coupling', sa.String(length=60), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_route'))
    )
    op.create_table('listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('annual_quantity', sa.Float(), nullable=False),
    sa.Column('base_unit', sa.String(length=6), nullable=False),
    sa.Column('committed_quantity', sa.Float(), nullable=False),
    sa.Column('quality', sa.JSON(), nullable=False),
    sa.Column('price_cny', sa.Float(), nullable=True),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('available_to', sa.Date(), nullable=True),
    sa.Column('hazard_code', sa.String(length=12), nullable=True),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('transport_modes', sa.String(length=60), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('content_hash', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('committed_quantity >= 0 AND committed_quantity <= annual_quantity', name=op.f('ck_listing_committed_within_quantity')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_listing_quantity_positive')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_listing_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing'))
    )
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_status'), ['status'], unique=False)

    op.create_table('saved_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_saved_search_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_search'))
    )
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_search_user_id'), ['user_id'], unique=False)

    op.create_table('enquiry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_enquiry_listing_id_listing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_enquiry_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiry'))
    )
    with op.batch_alter_table('enquiry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enquiry_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enquiry_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('listing_material',
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('material_code', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_listing_material_listing_id_listing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['material_code'], ['material.code'], name=op.f('fk_listing_material_material_code_material')),
    sa.PrimaryKeyConstraint('listing_id', 'material_code', name=op.f('pk_listing_material'))
    )
    with op.batch_alter_table('listing_material', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_material_material_code'), ['material_code'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('saved_search_id', sa.Integer(), nullable=True),
    sa.Column('listing_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_notification_listing_id_listing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['saved_search_id'], ['saved_search.id'], name=op.f('fk_notification_saved_search_id_saved_search'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('enquiry_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enquiry_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['enquiry_id'], ['enquiry.id'], name=op.f('fk_enquiry_message_enquiry_id_enquiry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_enquiry_message_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_enquiry_message_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiry_message'))
    )
    with op.batch_alter_table('enquiry_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enquiry_message_enquiry_id'), ['enquiry_id'], unique=False)



def downgrade():
    with op.batch_alter_table('enquiry_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enquiry_message_enquiry_id'))

    op.drop_table('enquiry_message')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))

    op.drop_table('notification')
    with op.batch_alter_table('listing_material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_material_material_code'))

    op.drop_table('listing_material')
    with op.batch_alter_table('enquiry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enquiry_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_enquiry_listing_id'))

    op.drop_table('enquiry')
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_search_user_id'))

    op.drop_table('saved_search')
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_status'))
        batch_op.drop_index(batch_op.f('ix_listing_site_id'))
        batch_op.drop_index(batch_op.f('ix_listing_kind'))
        batch_op.drop_index(batch_op.f('ix_listing_content_hash'))

    op.drop_table('listing')
    op.drop_table('route')
    with op.batch_alter_table('material', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_category'))

    op.drop_table('material')
