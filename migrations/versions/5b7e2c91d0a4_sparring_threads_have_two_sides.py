"""sparring threads have two sides: the citizen answers their job consultant

A message on a draft (``draft_comments``) is written by the job consultant (``author_id``) or
by the citizen whose draft it is (``citizen_author_id``), exactly one of them.

Revision ID: 5b7e2c91d0a4
Revises: 5b7e2c9d4a10
Create Date: 2026-12-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e2c91d0a4'
down_revision = '5b7e2c9d4a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('draft_comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('citizen_author_id', sa.Integer(), nullable=True))
        batch_op.alter_column('author_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(op.f('fk_draft_comments_citizen_author_id_citizens'),
                                    'citizens', ['citizen_author_id'], ['id'])
        batch_op.create_check_constraint(
            op.f('ck_draft_comments_one_author'),
            "(author_id IS NULL) <> (citizen_author_id IS NULL)")


def downgrade():
    op.execute("DELETE FROM draft_comments WHERE author_id IS NULL")
    with op.batch_alter_table('draft_comments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_draft_comments_one_author'), type_='check')
        batch_op.drop_constraint(op.f('fk_draft_comments_citizen_author_id_citizens'),
                                 type_='foreignkey')
        batch_op.alter_column('author_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('citizen_author_id')
