"""polls: polls on an agenda item or on the spot, and their anonymous votes (a keyed voter
mark per poll, no citizen id)

Revision ID: b3f1d7c9a2e6
Revises: e7a9c3d5b1f4
Create Date: 2026-12-05 20:15:00.000000

"""
from alembic import op
import sqlalchemy as sa

import course.types


# revision identifiers, used by Alembic.
revision = 'b3f1d7c9a2e6'
down_revision = 'e7a9c3d5b1f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'polls',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('agenda_item_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('question', sa.String(length=200), nullable=False),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=8), nullable=False),
        sa.Column('results_shown', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('salt', sa.String(length=32), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', course.types.UTCDateTime(), nullable=False),
        sa.Column('opened_at', course.types.UTCDateTime(), nullable=True),
        sa.Column('closed_at', course.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_polls_agenda_item_id'), ['agenda_item_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_polls_course_id'), ['course_id'], unique=False)
    op.create_table(
        'poll_votes',
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('voter_key', sa.String(length=64), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('changed_at', course.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('poll_id', 'voter_key'),
    )


def downgrade():
    op.drop_table('poll_votes')
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_polls_course_id'))
        batch_op.drop_index(batch_op.f('ix_polls_agenda_item_id'))
    op.drop_table('polls')
