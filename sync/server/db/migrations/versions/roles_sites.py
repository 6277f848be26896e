"""Roles and sites: ``staff_users.role`` (admin, staff or viewer), the sites a staff member
works for (``staff_user_sites``), and a site for themes and events (NULL: region-wide).

Existing accounts become ``admin``, so a single-library server keeps working as before.

Revision ID: roles
Revises: staff_more (the lead re-chains; locally the newest present revision)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "roles"
# The lead re-chains this onto "staff_more" when merging.
down_revision: str | Sequence[str] | None = "staff_more"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default="admin")
        )
    op.create_table(
        "staff_user_sites",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_user_sites_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "site", name=op.f("pk_staff_user_sites")),
    )
    with op.batch_alter_table("themes") as batch:
        batch.add_column(sa.Column("site", sa.String(length=200), nullable=True))
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("site", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("site")
    with op.batch_alter_table("themes") as batch:
        batch.drop_column("site")
    op.drop_table("staff_user_sites")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("role")
