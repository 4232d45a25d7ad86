"""privacy: when a citizen last read the privacy notice, and when flask purge removed their
personal data

Revision ID: e7a9c3d5b1f4
Revises: e7a3c9f1b254
Create Date: 2026-12-05 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import course.types


# revision identifiers, used by Alembic.
revision = 'e7a9c3d5b1f4'
down_revision = 'e7a3c9f1b254'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_seen_at', course.types.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('purged_at', course.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
        batch_op.drop_column('privacy_seen_at')
