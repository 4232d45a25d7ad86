"""a round comment can be held for review

A comment can wait for a facilitator before it reaches the plan's owner and the board
(``pr_feedback.held``); who let it through, and when, is kept. (The course's setting that holds
comments is the next revision.)

Revision ID: 8c1d0e5a7b42
Revises: 64d57cf36b0e
Create Date: 2026-12-05 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import peerreview.models


# revision identifiers, used by Alembic.
revision = '8c1d0e5a7b42'
down_revision = '64d57cf36b0e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pr_feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('released_by_ref', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('released_at', peerreview.models.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('pr_feedback', schema=None) as batch_op:
        batch_op.drop_column('released_at')
        batch_op.drop_column('released_by_ref')
        batch_op.drop_column('held')
