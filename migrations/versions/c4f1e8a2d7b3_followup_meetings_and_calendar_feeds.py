"""follow-up meetings on approved cases, and the job consultants' calendar feeds

``followup_meetings`` holds each case's follow-up meetings (from the approval's follow-up dates,
or added later; moved, cancelled, noted). The approved cases' follow-up dates are copied in as
meetings made by the approval. ``calendar_feeds`` keeps the hash of each job consultant's
secret calendar address.

Revision ID: c4f1e8a2d7b3
Revises: c4e8a2f61b37
Create Date: 2026-12-05 19:30:00.000000

"""
import json
from datetime import date

from alembic import op
import sqlalchemy as sa

import course.types


# revision identifiers, used by Alembic.
revision = 'c4f1e8a2d7b3'
down_revision = 'c4e8a2f61b37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'followup_meetings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('at', sa.Time(), nullable=True),
        sa.Column('origin', sa.String(length=10), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', course.types.UTCDateTime(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('noted_at', course.types.UTCDateTime(), nullable=True),
        sa.Column('noted_by_id', sa.Integer(), nullable=True),
        sa.Column('cancelled_at', course.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint("origin IN ('approval', 'added')",
                           name=op.f('ck_followup_meetings_origin')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_followup_meetings_case_id_cases')),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'],
                                name=op.f('fk_followup_meetings_created_by_id_staff')),
        sa.ForeignKeyConstraint(['noted_by_id'], ['staff.id'],
                                name=op.f('fk_followup_meetings_noted_by_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_meetings')),
    )
    op.create_index('ix_followup_meetings_case_on', 'followup_meetings', ['case_id', 'on'],
                    unique=False)
    op.create_table(
        'calendar_feeds',
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', course.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'],
                                name=op.f('fk_calendar_feeds_staff_id_staff')),
        sa.PrimaryKeyConstraint('staff_id', name=op.f('pk_calendar_feeds')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash')),
    )
    _backfill()


def _backfill():
    """Every case that was approved gets its follow-up dates as meetings made by the approval
    (by whoever decided it)."""
    bind = op.get_bind()
    cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('length_months'),
                     sa.column('decided_by_id', sa.Integer),
                     sa.column('decided_at', course.types.UTCDateTime()),
                     sa.column('follow_up_dates', sa.JSON))
    meetings = sa.table('followup_meetings', sa.column('case_id', sa.Integer),
                        sa.column('on', sa.Date), sa.column('origin', sa.String),
                        sa.column('created_by_id', sa.Integer),
                        sa.column('created_at', course.types.UTCDateTime()),
                        sa.column('note', sa.Text))
    rows = []
    for case in bind.execute(sa.select(cases).where(cases.c.length_months.is_not(None))):
        dates = case.follow_up_dates
        if isinstance(dates, str):
            dates = json.loads(dates)
        for day in dates or []:
            rows.append({"case_id": case.id, "on": date.fromisoformat(day),
                         "origin": "approval", "created_by_id": case.decided_by_id,
                         "created_at": case.decided_at or course.types.utcnow(), "note": ""})
    if rows:
        op.bulk_insert(meetings, rows)


def downgrade():
    op.drop_table('calendar_feeds')
    op.drop_index('ix_followup_meetings_case_on', table_name='followup_meetings')
    op.drop_table('followup_meetings')
