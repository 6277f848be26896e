"""Themes as drafts until published, and "you said – we did" updates linked to the stories
they answer.

Revision ID: staff_more
Revises: hard_auth
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "staff_more"
down_revision: str | Sequence[str] | None = "hard_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Themes that exist are already on the kiosks: they are published, not drafts.
    # A plain ADD COLUMN (no table copy on SQLite, whose copy would cascade-delete the steps).
    op.add_column(
        "themes", sa.Column("draft", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "theme_update_stories",
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["theme_updates.id"],
            name=op.f("fk_theme_update_stories_update_id_theme_updates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_theme_update_stories_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("update_id", "record_id", name=op.f("pk_theme_update_stories")),
    )
    op.create_index(
        "ix_theme_update_stories_record", "theme_update_stories", ["record_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_theme_update_stories_record", table_name="theme_update_stories")
    op.drop_table("theme_update_stories")
    with op.batch_alter_table("themes") as batch:
        batch.drop_column("draft")
