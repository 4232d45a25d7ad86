"""a running day keeps each item's clock

Where each item stood when the day moved on from it, so a "back" carries on where it was.

Revision ID: 52ccf41cc90b
Revises: 72369b2eb099
Create Date: 2026-12-05 14:37:54.055289

"""
from alembic import op
import sqlalchemy as sa

import course.types
import peerreview.models


# revision identifiers, used by Alembic.
revision = '52ccf41cc90b'
down_revision = '72369b2eb099'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_clocks', sa.JSON(), server_default='{}', nullable=False))



def downgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_column('item_clocks')

