"""a case ends at any time: the ending's date and who ended it; the last job or substantial
change recorded after approval

Revision ID: a7e3d5c1f920
Revises: 9a3f1c6e2b70
Create Date: 2026-12-05 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e3d5c1f920'
down_revision = '9a3f1c6e2b70'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ended_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('progress_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_cases_ended_by_id_staff'), 'staff',
                                    ['ended_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_cases_ended_by_id_staff'), type_='foreignkey')
        batch_op.drop_column('progress_on')
        batch_op.drop_column('ended_by_id')
        batch_op.drop_column('ended_on')
