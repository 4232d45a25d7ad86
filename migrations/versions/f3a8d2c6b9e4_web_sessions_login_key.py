"""web sessions: the key of the sign-in each holds, so the sign-in is read in the session's own
statement

Revision ID: f3a8d2c6b9e4
Revises: e2b7c4a9d6f1
Create Date: 2026-12-06 00:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a8d2c6b9e4'
down_revision = 'e2b7c4a9d6f1'
branch_labels = None
depends_on = None


def upgrade():
    # Existing sessions have none until they are next written: their sign-in is then read on
    # its own, as before.
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('login_key', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_column('login_key')
