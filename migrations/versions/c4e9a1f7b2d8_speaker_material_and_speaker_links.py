"""material: speaker material on agenda items (page images rendered from a PDF, or pictures),
the page on the wall, and the speaker's display links

Revision ID: c4e9a1f7b2d8
Revises: a6c2e8f4d1b7
Create Date: 2026-12-05 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import course.types


# revision identifiers, used by Alembic.
revision = 'c4e9a1f7b2d8'
down_revision = 'a6c2e8f4d1b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'materials',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('agenda_item_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', course.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_materials_agenda_item_id'), ['agenda_item_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_materials_course_id'), ['course_id'], unique=False)
    op.create_table(
        'material_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('material_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('storage_name', sa.String(length=64), nullable=False),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['material_id'], ['materials.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('material_id', 'number', name=op.f('uq_material_pages_material_id')),
    )
    with op.batch_alter_table('material_pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_pages_material_id'), ['material_id'],
                              unique=False)
    op.create_table(
        'material_stages',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('material_id', sa.Integer(), nullable=True),
        sa.Column('page', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['material_id'], ['materials.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('course_id'),
    )
    op.create_table(
        'speaker_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', course.types.UTCDateTime(), nullable=False),
        sa.Column('revoked_at', course.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash', name=op.f('uq_speaker_links_token_hash')),
    )
    with op.batch_alter_table('speaker_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_speaker_links_course_id'), ['course_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('speaker_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_speaker_links_course_id'))
    op.drop_table('speaker_links')
    op.drop_table('material_stages')
    with op.batch_alter_table('material_pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_pages_material_id'))
    op.drop_table('material_pages')
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_materials_course_id'))
        batch_op.drop_index(batch_op.f('ix_materials_agenda_item_id'))
    op.drop_table('materials')
