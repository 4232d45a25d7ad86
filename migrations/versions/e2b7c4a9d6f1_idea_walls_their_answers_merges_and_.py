"""ideas: idea walls (on an agenda item or on the spot), their answers under a keyed author mark,
the facilitators' merges (kept when undone) and the anonymous dots of a dot-vote

Revision ID: e2b7c4a9d6f1
Revises: c4e9a1f7b2d8
Create Date: 2026-12-05 21:27:22.708529

"""
from alembic import op
import sqlalchemy as sa

import course.types



# revision identifiers, used by Alembic.
revision = 'e2b7c4a9d6f1'
down_revision = 'c4e9a1f7b2d8'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('idea_walls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('prompt', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('voting', sa.String(length=8), server_default='', nullable=False),
    sa.Column('dots', sa.Integer(), server_default='3', nullable=False),
    sa.Column('shown', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', course.types.UTCDateTime(), nullable=False),
    sa.Column('opened_at', course.types.UTCDateTime(), nullable=True),
    sa.Column('closed_at', course.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'], name=op.f('fk_idea_walls_agenda_item_id_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_idea_walls_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_idea_walls_created_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_walls'))
    )
    with op.batch_alter_table('idea_walls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_walls_agenda_item_id'), ['agenda_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_walls_course_id'), ['course_id'], unique=False)

    op.create_table('idea_dots',
    sa.Column('wall_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('dots', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['wall_id'], ['idea_walls.id'], name=op.f('fk_idea_dots_wall_id_idea_walls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wall_id', 'voter_key', 'key', name=op.f('pk_idea_dots'))
    )
    op.create_table('idea_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wall_id', sa.Integer(), nullable=False),
    sa.Column('author_key', sa.String(length=64), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('held', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('hidden_at', course.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', course.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['wall_id'], ['idea_walls.id'], name=op.f('fk_idea_entries_wall_id_idea_walls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_entries'))
    )
    with op.batch_alter_table('idea_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_entries_author_key'), ['author_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_entries_wall_id'), ['wall_id'], unique=False)

    op.create_table('idea_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wall_id', sa.Integer(), nullable=False),
    sa.Column('from_key', sa.String(length=200), nullable=False),
    sa.Column('into_key', sa.String(length=200), nullable=False),
    sa.Column('from_label', sa.String(length=200), nullable=False),
    sa.Column('into_label', sa.String(length=200), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', course.types.UTCDateTime(), nullable=False),
    sa.Column('undone_at', course.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['staff.id'], name=op.f('fk_idea_merges_by_id_staff')),
    sa.ForeignKeyConstraint(['wall_id'], ['idea_walls.id'], name=op.f('fk_idea_merges_wall_id_idea_walls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_merges'))
    )
    with op.batch_alter_table('idea_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_merges_wall_id'), ['wall_id'], unique=False)




def downgrade():

    with op.batch_alter_table('idea_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_merges_wall_id'))

    op.drop_table('idea_merges')
    with op.batch_alter_table('idea_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_entries_wall_id'))
        batch_op.drop_index(batch_op.f('ix_idea_entries_author_key'))

    op.drop_table('idea_entries')
    op.drop_table('idea_dots')
    with op.batch_alter_table('idea_walls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_walls_course_id'))
        batch_op.drop_index(batch_op.f('ix_idea_walls_agenda_item_id'))

    op.drop_table('idea_walls')

