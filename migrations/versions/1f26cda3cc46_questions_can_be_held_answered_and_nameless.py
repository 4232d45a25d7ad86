"""questions can be held for review, answered, and nameless

A course may hold new questions (``courses.hold_questions``; ``questions.held``, with who let
one through and when) and new round comments (``courses.hold_comments``; the comments' side is
the revision before) until a facilitator lets them through. A question can be marked answered.
In a course whose question mode is ``nameless`` a question keeps no citizen
(``questions.citizen_id`` may be empty): its asker's phone recognises it by ``author_key``, a
keyed hash. The question mode's check constraint (until now only in the models) is added with
the new mode.

Revision ID: 1f26cda3cc46
Revises: 8c1d0e5a7b42
Create Date: 2026-12-05 14:50:10.914817

"""
from alembic import op
import sqlalchemy as sa

import course.types
import peerreview.models


# revision identifiers, used by Alembic.
revision = '1f26cda3cc46'
down_revision = '8c1d0e5a7b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_questions', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('hold_comments', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_courses_question_mode'),
            "question_mode IN ('named', 'anonymous', 'either', 'nameless')")

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('held', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('released_at', course.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('released_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', course.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('answered_by_id', sa.Integer(), nullable=True))
        batch_op.alter_column('citizen_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_questions_author_key'), ['author_key'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_questions_answered_by_id_staff'), 'staff', ['answered_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_questions_released_by_id_staff'), 'staff', ['released_by_id'], ['id'])


def downgrade():
    # Questions without an asker cannot be kept where every question names one: they go.
    op.execute("DELETE FROM questions WHERE citizen_id IS NULL")
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_questions_released_by_id_staff'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_questions_answered_by_id_staff'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_questions_author_key'))
        batch_op.alter_column('citizen_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('answered_by_id')
        batch_op.drop_column('answered_at')
        batch_op.drop_column('released_by_id')
        batch_op.drop_column('released_at')
        batch_op.drop_column('held')
        batch_op.drop_column('author_key')

    op.execute("UPDATE courses SET question_mode = 'anonymous' WHERE question_mode = 'nameless'")
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_courses_question_mode'), type_='check')
        batch_op.drop_column('hold_comments')
        batch_op.drop_column('hold_questions')

