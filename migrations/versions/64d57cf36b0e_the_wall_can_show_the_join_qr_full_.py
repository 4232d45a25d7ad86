"""the wall can show the join QR full screen

Latecomers need something to scan while the day runs: the facilitator puts the course's join QR
on the whole wall and takes it off again. It is a state of the running day, kept with it, so a
reloaded projector or a restarted server shows the same wall.

Revision ID: 64d57cf36b0e
Revises: 36fc7cb4d6ee
Create Date: 2026-12-05 14:49:20.869944

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '64d57cf36b0e'
down_revision = '36fc7cb4d6ee'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('join_qr_shown', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_column('join_qr_shown')
