"""a budget line says why it has no documentation

The method has citizens research their prices and document them: a line needs an attachment,
or the reason there is none, before the plan can be handed in.

Revision ID: 36fc7cb4d6ee
Revises: 2dda1654baf7
Create Date: 2026-12-05 14:54:55.260270

"""
from alembic import op
import sqlalchemy as sa

import course.types
import peerreview.models


# revision identifiers, used by Alembic.
revision = '36fc7cb4d6ee'
down_revision = '2dda1654baf7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_documentation', sa.String(length=500), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.drop_column('no_documentation')

