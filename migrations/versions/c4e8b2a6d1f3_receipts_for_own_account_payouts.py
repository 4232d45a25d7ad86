"""receipts for own-account payouts: the receipt expected per payout, the uploads, the
verdicts, the reminders sent, and the repayment claims — all append-only

Revision ID: c4e8b2a6d1f3
Revises: c4f1e8a2d7b3
Create Date: 2026-12-05 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import course.types


# revision identifiers, used by Alembic.
revision = 'c4e8b2a6d1f3'
down_revision = 'c4f1e8a2d7b3'
branch_labels = None
depends_on = None

TABLES = ('receipts', 'receipt_uploads', 'receipt_reviews', 'receipt_reminders',
          'repayment_claims')


#: Each table's unique keys (course.types.unique_keys): an insert that would REPLACE a row is
#: refused on SQLite.
UNIQUE = {'receipts': (('id',), ('payout_id',)),
          'receipt_uploads': (('id',), ('storage_name',)),
          'receipt_reviews': (('id',), ('upload_id',)),
          'receipt_reminders': (('receipt_id',),),
          'repayment_claims': (('id',), ('payout_id',))}


# A copy, as it was when this revision was written (course.types.append_only_sql).
def append_only_sql(table: str) -> dict[str, list[str]]:
    refused = f"'{table} is append-only'"
    taken = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE "
        + " AND ".join(f"{column} = NEW.{column}" for column in columns) + ")"
        for columns in UNIQUE[table])
    return {
        "sqlite": [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, {refused}); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, {refused}); END",
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {taken} "
            f"BEGIN SELECT RAISE(ABORT, {refused}); END",
        ],
        "postgresql": [
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION {refused}; END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
        ],
    }


def drop_sql(table: str) -> dict[str, list[str]]:
    return {
        "sqlite": [f"DROP TRIGGER IF EXISTS {table}_no_update",
                   f"DROP TRIGGER IF EXISTS {table}_no_delete",
                   f"DROP TRIGGER IF EXISTS {table}_no_replace"],
        "postgresql": [f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
                       f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
                       f"DROP FUNCTION IF EXISTS {table}_append_only()"],
    }


def upgrade():
    op.create_table(
        'receipts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('payout_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('created_at', course.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_receipts_case_id_cases')),
        sa.ForeignKeyConstraint(['payout_id'], ['payouts.id'],
                                name=op.f('fk_receipts_payout_id_payouts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_receipts')),
        sa.UniqueConstraint('payout_id', name=op.f('uq_receipts_payout_id')),
    )
    op.create_index(op.f('ix_receipts_case_id'), 'receipts', ['case_id'], unique=False)
    op.create_table(
        'receipt_uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receipt_id', sa.Integer(), nullable=False),
        sa.Column('citizen_id', sa.Integer(), nullable=False),
        sa.Column('storage_name', sa.String(length=64), nullable=False),
        sa.Column('original_name', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', course.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'],
                                name=op.f('fk_receipt_uploads_citizen_id_citizens')),
        sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'],
                                name=op.f('fk_receipt_uploads_receipt_id_receipts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_uploads')),
        sa.UniqueConstraint('storage_name', name=op.f('uq_receipt_uploads_storage_name')),
    )
    op.create_index(op.f('ix_receipt_uploads_receipt_id'), 'receipt_uploads', ['receipt_id'],
                    unique=False)
    op.create_table(
        'receipt_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receipt_id', sa.Integer(), nullable=False),
        sa.Column('upload_id', sa.Integer(), nullable=False),
        sa.Column('verdict', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('at', course.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("verdict IN ('accepted', 'asked_again')",
                           name=op.f('ck_receipt_reviews_verdict')),
        sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'],
                                name=op.f('fk_receipt_reviews_receipt_id_receipts')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'],
                                name=op.f('fk_receipt_reviews_staff_id_staff')),
        sa.ForeignKeyConstraint(['upload_id'], ['receipt_uploads.id'],
                                name=op.f('fk_receipt_reviews_upload_id_receipt_uploads')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_reviews')),
        sa.UniqueConstraint('upload_id', name=op.f('uq_receipt_reviews_upload_id')),
    )
    op.create_index(op.f('ix_receipt_reviews_receipt_id'), 'receipt_reviews', ['receipt_id'],
                    unique=False)
    op.create_table(
        'receipt_reminders',
        sa.Column('receipt_id', sa.Integer(), nullable=False),
        sa.Column('at', course.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['receipt_id'], ['receipts.id'],
                                name=op.f('fk_receipt_reminders_receipt_id_receipts')),
        sa.PrimaryKeyConstraint('receipt_id', name=op.f('pk_receipt_reminders')),
    )
    op.create_table(
        'repayment_claims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('payout_id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', course.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_repayment_claims_amount')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_repayment_claims_case_id_cases')),
        sa.ForeignKeyConstraint(['payout_id'], ['payouts.id'],
                                name=op.f('fk_repayment_claims_payout_id_payouts')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id'],
                                name=op.f('fk_repayment_claims_recorded_by_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_repayment_claims')),
        sa.UniqueConstraint('payout_id', name=op.f('uq_repayment_claims_payout_id')),
    )
    op.create_index(op.f('ix_repayment_claims_case_id'), 'repayment_claims', ['case_id'],
                    unique=False)
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        for statement in append_only_sql(table).get(dialect, []):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in reversed(TABLES):
        for statement in drop_sql(table).get(dialect, []):
            op.execute(statement)
    op.drop_index(op.f('ix_repayment_claims_case_id'), table_name='repayment_claims')
    op.drop_table('repayment_claims')
    op.drop_table('receipt_reminders')
    op.drop_index(op.f('ix_receipt_reviews_receipt_id'), table_name='receipt_reviews')
    op.drop_table('receipt_reviews')
    op.drop_index(op.f('ix_receipt_uploads_receipt_id'), table_name='receipt_uploads')
    op.drop_table('receipt_uploads')
    op.drop_index(op.f('ix_receipts_case_id'), table_name='receipts')
    op.drop_table('receipts')
