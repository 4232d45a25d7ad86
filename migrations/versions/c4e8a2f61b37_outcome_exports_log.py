"""outcome exports: who downloaded the outcome rows, when, with which filter

``outcome_exports`` is append-only: UPDATE and DELETE are refused by triggers.

Revision ID: c4e8a2f61b37
Revises: c4a9e2f7d153
Create Date: 2026-12-05 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import course.types


# revision identifiers, used by Alembic.
revision = 'c4e8a2f61b37'
down_revision = 'c4a9e2f7d153'
branch_labels = None
depends_on = None

# A copy, as it was when this revision was written (course.outcomes.models.APPEND_ONLY_SQL).
APPEND_ONLY_SQL = {
    "sqlite": [
        "CREATE TRIGGER outcome_exports_no_update BEFORE UPDATE ON outcome_exports "
        "BEGIN SELECT RAISE(ABORT, 'outcome_exports is append-only'); END",
        "CREATE TRIGGER outcome_exports_no_delete BEFORE DELETE ON outcome_exports "
        "BEGIN SELECT RAISE(ABORT, 'outcome_exports is append-only'); END",
        "CREATE TRIGGER outcome_exports_no_replace BEFORE INSERT ON outcome_exports WHEN "
        "EXISTS (SELECT 1 FROM outcome_exports WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'outcome_exports is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION outcome_exports_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'outcome_exports is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER outcome_exports_no_change BEFORE UPDATE OR DELETE ON outcome_exports "
        "FOR EACH ROW EXECUTE FUNCTION outcome_exports_append_only()",
        "CREATE TRIGGER outcome_exports_no_truncate BEFORE TRUNCATE ON outcome_exports "
        "FOR EACH STATEMENT EXECUTE FUNCTION outcome_exports_append_only()",
    ],
}
DROP_SQL = {
    "sqlite": ["DROP TRIGGER IF EXISTS outcome_exports_no_update",
               "DROP TRIGGER IF EXISTS outcome_exports_no_delete",
               "DROP TRIGGER IF EXISTS outcome_exports_no_replace"],
    "postgresql": ["DROP TRIGGER IF EXISTS outcome_exports_no_change ON outcome_exports",
                   "DROP TRIGGER IF EXISTS outcome_exports_no_truncate ON outcome_exports",
                   "DROP FUNCTION IF EXISTS outcome_exports_append_only()"],
}


def upgrade():
    op.create_table(
        'outcome_exports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('at', course.types.UTCDateTime(), nullable=False),
        sa.Column('format', sa.String(length=4), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('period_from', sa.Date(), nullable=True),
        sa.Column('period_to', sa.Date(), nullable=True),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.CheckConstraint("format IN ('csv', 'xlsx')", name=op.f('ck_outcome_exports_format')),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                                name=op.f('fk_outcome_exports_course_id_courses')),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'],
                                name=op.f('fk_outcome_exports_staff_id_staff')),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'],
                                name=op.f('fk_outcome_exports_team_id_teams')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_exports')),
    )
    op.create_index('ix_outcome_exports_team_at', 'outcome_exports', ['team_id', 'at'],
                    unique=False)
    for statement in APPEND_ONLY_SQL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in DROP_SQL.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_index('ix_outcome_exports_team_at', table_name='outcome_exports')
    op.drop_table('outcome_exports')
