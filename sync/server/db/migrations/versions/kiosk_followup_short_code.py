"""The visit's short code on records (for /k/<code>) and an event's four answer labels.

Revision ID: kiosk_followup
Revises: staff_gate
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "kiosk_followup"
down_revision: str | Sequence[str] | None = "staff_gate"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("short_code", sa.String(length=11), nullable=True))
    op.create_index(op.f("ix_records_short_code"), "records", ["short_code"], unique=False)
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("answer_labels", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("answer_labels")
    op.drop_index(op.f("ix_records_short_code"), table_name="records")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("short_code")
