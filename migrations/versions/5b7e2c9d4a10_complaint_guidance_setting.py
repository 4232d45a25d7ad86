"""the municipality's complaint guidance: a setting, kept on each ended case

``settings`` holds texts the municipality fills in (the team lead's settings page), one row per
name; the first is ``complaint_guidance`` (klagevejledning). An ended case keeps the guidance in
force when it was ended (``cases.complaint_guidance``), so its decision document does not change
when the setting does.

Revision ID: 5b7e2c9d4a10
Revises: 1f26cda3cc46
Create Date: 2026-12-06 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import course.types


# revision identifiers, used by Alembic.
revision = '5b7e2c9d4a10'
down_revision = '1f26cda3cc46'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'settings',
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('updated_at', course.types.UTCDateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['staff.id'],
                                name=op.f('fk_settings_updated_by_id_staff')),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_settings')),
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('complaint_guidance', sa.Text(), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('complaint_guidance')
    op.drop_table('settings')
