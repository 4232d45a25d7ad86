"""reactions: the set of reactions a course offers, and the reactions sent (a keyed sender
mark per minute, no citizen id)

Revision ID: a6c2e8f4d1b7
Revises: b3f1d7c9a2e6
Create Date: 2026-12-05 20:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import course.types


# revision identifiers, used by Alembic.
revision = 'a6c2e8f4d1b7'
down_revision = 'b3f1d7c9a2e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reaction_sets',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('emojis', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('course_id'),
    )
    op.create_table(
        'reactions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('emoji', sa.String(length=16), nullable=False),
        sa.Column('sender_key', sa.String(length=64), nullable=False),
        sa.Column('sent_at', course.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('reactions', schema=None) as batch_op:
        batch_op.create_index('ix_reactions_course_id_sent_at', ['course_id', 'sent_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_reactions_sender_key'), ['sender_key'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('reactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reactions_sender_key'))
        batch_op.drop_index('ix_reactions_course_id_sent_at')
    op.drop_table('reactions')
    op.drop_table('reaction_sets')
