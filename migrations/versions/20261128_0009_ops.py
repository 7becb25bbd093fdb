"""ops: the agent state log (pause and wrap-up time on the wallboard), calls by start time (today's figures)

Revision ID: 0009_ops
Revises: 0006_reports
Create Date: 2026-11-28 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009_ops'
down_revision: str | None = '0008_console'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agent_state_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interface', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('interface', 'since', 'state')
    )
    op.create_index('ix_agent_state_log_since', 'agent_state_log', ['since'], unique=False)
    op.create_index('ix_call_started', 'call', ['started_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_call_started', table_name='call')
    op.drop_index('ix_agent_state_log_since', table_name='agent_state_log')
    op.drop_table('agent_state_log')
