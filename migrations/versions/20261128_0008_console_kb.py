"""console: knowledge base articles and their uses

Revision ID: 0008_console
Revises: 0006_reports
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_console"
down_revision: str | None = "0006_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kb_article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("category_ids", sa.JSON(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("streets", sa.JSON(), nullable=False),
        sa.Column("search_text", sqlmodel.sql.sqltypes.AutoString(length=40000), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_kb_article_incident_id"), "kb_article", ["incident_id"], unique=False)
    op.create_table(
        "kb_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeal.id"]),
        sa.ForeignKeyConstraint(["article_id"], ["kb_article.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_kb_use_appeal_id"), "kb_use", ["appeal_id"], unique=False)
    op.create_index(op.f("ix_kb_use_article_id"), "kb_use", ["article_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_kb_use_article_id"), table_name="kb_use")
    op.drop_index(op.f("ix_kb_use_appeal_id"), table_name="kb_use")
    op.drop_table("kb_use")
    op.drop_index(op.f("ix_kb_article_incident_id"), table_name="kb_article")
    op.drop_table("kb_article")
