"""Staff's second factor (TOTP secret, last used step) and one-time recovery codes.

Revision ID: e7a3c9f1b254
Revises: c4e8b2a6d1f3
Create Date: 2026-12-05 19:40:00
"""

import sqlalchemy as sa
from alembic import op

import course.types

revision = "e7a3c9f1b254"
down_revision = "c4e8b2a6d1f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_second_factors",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", course.types.UTCDateTime(), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("reset_at", course.types.UTCDateTime(), nullable=True),
        sa.Column("reset_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["reset_by_id"], ["staff.id"],
                                name=op.f("fk_staff_second_factors_reset_by_id_staff")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"],
                                name=op.f("fk_staff_second_factors_staff_id_staff")),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_staff_second_factors")),
    )
    op.create_table(
        "staff_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", course.types.UTCDateTime(), nullable=False),
        sa.Column("used_at", course.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"],
                                name=op.f("fk_staff_recovery_codes_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_staff_recovery_codes_code_hash")),
    )
    with op.batch_alter_table("staff_recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_recovery_codes_staff_id"), ["staff_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("staff_recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_recovery_codes_staff_id"))
    op.drop_table("staff_recovery_codes")
    op.drop_table("staff_second_factors")
