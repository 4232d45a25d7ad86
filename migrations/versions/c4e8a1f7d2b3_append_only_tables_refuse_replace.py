"""append-only tables refuse INSERT OR REPLACE on SQLite; a socket's flood count is kept in
its process, not in live_connections

Revision ID: c4e8a1f7d2b3
Revises: a7e3d5c1f920
Create Date: 2026-12-05 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f7d2b3'
down_revision = 'a7e3d5c1f920'
branch_labels = None
depends_on = None

# A copy, as it was when this revision was written (course.types.append_only_sql): a REPLACE
# deletes the row it conflicts with, and SQLite fires no DELETE trigger for it.
NO_REPLACE_SQLITE = [
    "CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events WHEN "
    "EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER payouts_no_replace BEFORE INSERT ON payouts WHEN "
    "EXISTS (SELECT 1 FROM payouts WHERE id = NEW.id) OR "
    "EXISTS (SELECT 1 FROM payouts WHERE reverses_id = NEW.reverses_id) "
    "BEGIN SELECT RAISE(ABORT, 'payouts is append-only'); END",
]


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in NO_REPLACE_SQLITE:
            op.execute(statement)
    with op.batch_alter_table('live_connections', schema=None) as batch_op:
        batch_op.drop_column('events_in_window')
        batch_op.drop_column('window_started_at')


def downgrade():
    with op.batch_alter_table('live_connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('window_started_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('events_in_window', sa.Integer(), nullable=False,
                                      server_default='0'))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_replace")
        op.execute("DROP TRIGGER IF EXISTS payouts_no_replace")
