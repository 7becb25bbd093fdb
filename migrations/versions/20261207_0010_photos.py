"""photos: an attachment may be an executor's photo of the work on one issue (issue_id, uploaded_by)

Revision ID: 0010_photos
Revises: 0009_ops
Create Date: 2026-12-07 21:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010_photos'
down_revision: str | None = '0009_ops'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issue_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('uploaded_by', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachment_issue_id'), ['issue_id'], unique=False)
        batch_op.create_foreign_key('fk_attachment_issue_id', 'issue', ['issue_id'], ['id'])
        batch_op.create_foreign_key('fk_attachment_uploaded_by', 'app_user', ['uploaded_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_attachment_uploaded_by', type_='foreignkey')
        batch_op.drop_constraint('fk_attachment_issue_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attachment_issue_id'))
        batch_op.drop_column('uploaded_by')
        batch_op.drop_column('issue_id')
