"""a round records who opened it with too few plans, and why

A facilitator may start a round with fewer present plans than its minimum + 1 only with a
reason; who and why are kept on the round, both or neither.

Revision ID: 2dda1654baf7
Revises: 52ccf41cc90b
Create Date: 2026-12-05 14:41:39.876078

"""
from alembic import op
import sqlalchemy as sa

import course.types
import peerreview.models


# revision identifiers, used by Alembic.
revision = '2dda1654baf7'
down_revision = '52ccf41cc90b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pr_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_override_by_ref', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('opened_override_reason', sa.Text(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_pr_round_opened_override_pair'),
            '(opened_override_by_ref IS NULL) = (opened_override_reason IS NULL)')



def downgrade():
    with op.batch_alter_table('pr_round', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pr_round_opened_override_pair'), type_='check')
        batch_op.drop_column('opened_override_reason')
        batch_op.drop_column('opened_override_by_ref')

