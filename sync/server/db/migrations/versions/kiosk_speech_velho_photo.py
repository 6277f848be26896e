"""The velho's photo: an optional address staff set on the theme form, shown on kiosks.

Revision ID: kiosk_speech
Revises: roles
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "kiosk_speech"
down_revision: str | Sequence[str] | None = "roles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("themes", sa.Column("velho_photo_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("themes", "velho_photo_url")
