"""live connections are held by a registered holder (realtime core)

A connection row records what admitted it — a sign-in or a projector link — as a holder kind
and id, so the realtime core knows no feature's tables. Connection rows live only as long as
their sockets, and every socket reconnects after a deploy: the rows are dropped, not converted.

Revision ID: 72369b2eb099
Revises: 6ffa4764142e
Create Date: 2026-12-05 13:01:13.543860

"""
from alembic import op
import sqlalchemy as sa

import course.types
import peerreview.models


# revision identifiers, used by Alembic.
revision = '72369b2eb099'
down_revision = '6ffa4764142e'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM live_connections")
    with op.batch_alter_table('live_connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder', sa.String(length=16), nullable=False))
        batch_op.add_column(sa.Column('holder_id', sa.Integer(), nullable=False))
        batch_op.drop_index(batch_op.f('ix_live_connections_display_link_id'))
        batch_op.drop_index(batch_op.f('ix_live_connections_login_session_id'))
        batch_op.create_index('ix_live_connections_holder', ['holder', 'holder_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('fk_live_connections_display_link_id_display_links'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_live_connections_login_session_id_login_sessions'), type_='foreignkey')
        batch_op.drop_column('display_link_id')
        batch_op.drop_column('login_session_id')



def downgrade():
    op.execute("DELETE FROM live_connections")
    with op.batch_alter_table('live_connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('login_session_id', sa.INTEGER(), nullable=True))
        batch_op.add_column(sa.Column('display_link_id', sa.INTEGER(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_live_connections_login_session_id_login_sessions'), 'login_sessions', ['login_session_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_live_connections_display_link_id_display_links'), 'display_links', ['display_link_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_index('ix_live_connections_holder')
        batch_op.create_index(batch_op.f('ix_live_connections_login_session_id'), ['login_session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_connections_display_link_id'), ['display_link_id'], unique=False)
        batch_op.drop_column('holder_id')
        batch_op.drop_column('holder')

