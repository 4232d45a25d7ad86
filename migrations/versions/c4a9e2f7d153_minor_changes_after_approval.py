"""minor changes after approval: the citizen's proposals and the decisions on them

``change_requests`` holds each proposed change to an approved plan (the whole new plan content,
the version it was proposed on, the citizen's reason) and the job consultant's decision.

Revision ID: c4a9e2f7d153
Revises: d81f3c5a9e02
Create Date: 2026-12-05 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import course.types


# revision identifiers, used by Alembic.
revision = 'c4a9e2f7d153'
down_revision = 'd81f3c5a9e02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'change_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('base_version_id', sa.Integer(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('state', sa.Enum('proposed', 'approved', 'refused', 'withdrawn',
                                   name='changestate_value', native_enum=False, length=30,
                                   create_constraint=True), nullable=False),
        sa.Column('created_at', course.types.UTCDateTime(), nullable=False),
        sa.Column('decided_at', course.types.UTCDateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_change_requests_case_id_cases')),
        sa.ForeignKeyConstraint(['base_version_id'], ['plan_versions.id'],
                                name=op.f('fk_change_requests_base_version_id_plan_versions')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['staff.id'],
                                name=op.f('fk_change_requests_decided_by_id_staff')),
        sa.ForeignKeyConstraint(['version_id'], ['plan_versions.id'],
                                name=op.f('fk_change_requests_version_id_plan_versions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change_requests')),
        sa.UniqueConstraint('case_id', 'number', name='uq_change_requests_case_number'),
    )
    with op.batch_alter_table('change_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_requests_case_id'), ['case_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('change_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_requests_case_id'))
    op.drop_table('change_requests')
