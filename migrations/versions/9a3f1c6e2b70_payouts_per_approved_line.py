"""payouts per approved line, recorded by the new finance role

A staff account can have the role ``finance``; ``payouts`` holds each payment on an approved
budget line (or its reversal) and is append-only: UPDATE and DELETE are refused by triggers.

Revision ID: 9a3f1c6e2b70
Revises: 5b7e2c91d0a4
Create Date: 2026-12-05 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import course.types


# revision identifiers, used by Alembic.
revision = '9a3f1c6e2b70'
down_revision = '5b7e2c91d0a4'
branch_labels = None
depends_on = None

# A copy, as it was when this revision was written (course.payouts.models.APPEND_ONLY_SQL).
APPEND_ONLY_SQL = {
    "sqlite": [
        "CREATE TRIGGER payouts_no_update BEFORE UPDATE ON payouts "
        "BEGIN SELECT RAISE(ABORT, 'payouts is append-only'); END",
        "CREATE TRIGGER payouts_no_delete BEFORE DELETE ON payouts "
        "BEGIN SELECT RAISE(ABORT, 'payouts is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION payouts_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'payouts is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER payouts_no_change BEFORE UPDATE OR DELETE ON payouts "
        "FOR EACH ROW EXECUTE FUNCTION payouts_append_only()",
        "CREATE TRIGGER payouts_no_truncate BEFORE TRUNCATE ON payouts "
        "FOR EACH STATEMENT EXECUTE FUNCTION payouts_append_only()",
    ],
}
DROP_SQL = {
    "sqlite": ["DROP TRIGGER IF EXISTS payouts_no_update",
               "DROP TRIGGER IF EXISTS payouts_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS payouts_no_change ON payouts",
                   "DROP TRIGGER IF EXISTS payouts_no_truncate ON payouts",
                   "DROP FUNCTION IF EXISTS payouts_append_only()"],
}


def upgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_staff_role'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_staff_role'),
            "role IN ('facilitator', 'job_consultant', 'team_lead', 'finance')")
    op.create_table(
        'payouts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('supplier', sa.String(length=200), nullable=False),
        sa.Column('invoice_number', sa.String(length=100), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=True),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('reverses_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', course.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("method IN ('invoice', 'own_account')",
                           name=op.f('ck_payouts_method')),
        sa.CheckConstraint('(reverses_id IS NULL) = (amount > 0)', name=op.f('ck_payouts_sign')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_payouts_case_id_cases')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'],
                                name=op.f('fk_payouts_recorded_by_id_staff')),
        sa.ForeignKeyConstraint(['reverses_id'], ['payouts.id'],
                                name=op.f('fk_payouts_reverses_id_payouts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payouts')),
        sa.UniqueConstraint('reverses_id', name=op.f('uq_payouts_reverses_id')),
    )
    op.create_index('ix_payouts_case_line', 'payouts', ['case_id', 'line_id'], unique=False)
    for statement in APPEND_ONLY_SQL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in DROP_SQL.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_index('ix_payouts_case_line', table_name='payouts')
    op.drop_table('payouts')
    op.execute("DELETE FROM staff WHERE role = 'finance'")
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_staff_role'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_staff_role'), "role IN ('facilitator', 'job_consultant', 'team_lead')")
