"""Initial schema: every table of sync/server/db/tables.py as of the skeleton.

Written out in full (not create_all) so later changes to tables.py need their own revision.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("name_fi", sa.String(length=200), nullable=False),
        sa.Column("name_sv", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("question_fi", sa.String(length=300), nullable=False),
        sa.Column("question_sv", sa.String(length=300), nullable=False),
        sa.Column("question_en", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_table(
        "kiosks",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_pending", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosks")),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index(
        "ix_login_attempts_address_time",
        "login_attempts",
        ["address", "attempted_at"],
        unique=False,
    )
    op.create_index(
        "ix_login_attempts_user_time", "login_attempts", ["username", "attempted_at"], unique=False
    )

    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "themes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name_fi", sa.String(length=200), nullable=False),
        sa.Column("name_sv", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("velho_name", sa.String(length=200), nullable=True),
        sa.Column("velho_role_fi", sa.String(length=200), nullable=True),
        sa.Column("velho_role_sv", sa.String(length=200), nullable=True),
        sa.Column("velho_role_en", sa.String(length=200), nullable=True),
        sa.Column("velho_contact", sa.String(length=200), nullable=True),
        sa.Column("velho_contact_public", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
    )
    op.create_table(
        "batches",
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("kiosk_id", sa.String(length=128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["kiosk_id"], ["kiosks.id"], name=op.f("fk_batches_kiosk_id_kiosks")
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_batches")),
    )
    op.create_index(
        "ix_batches_kiosk_received", "batches", ["kiosk_id", "received_at"], unique=False
    )

    op.create_table(
        "enrollment_codes",
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("kiosk_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["kiosk_id"],
            ["kiosks.id"],
            name=op.f("fk_enrollment_codes_kiosk_id_kiosks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_sha256", name=op.f("pk_enrollment_codes")),
    )
    op.create_table(
        "event_kiosks",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("kiosk_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_kiosks_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kiosk_id"],
            ["kiosks.id"],
            name=op.f("fk_event_kiosks_kiosk_id_kiosks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "kiosk_id", name=op.f("pk_event_kiosks")),
    )
    op.create_table(
        "theme_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("theme_id", sa.String(length=64), nullable=False),
        sa.Column("step_date", sa.Date(), nullable=False),
        sa.Column("title_fi", sa.String(length=300), nullable=False),
        sa.Column("title_sv", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_theme_steps_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_steps")),
    )
    op.create_index(
        "ix_theme_steps_theme_date", "theme_steps", ["theme_id", "step_date"], unique=False
    )

    op.create_table(
        "theme_updates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("theme_id", sa.String(length=64), nullable=False),
        sa.Column("update_date", sa.Date(), nullable=False),
        sa.Column("text_fi", sa.Text(), nullable=False),
        sa.Column("text_sv", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_theme_updates_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_updates")),
    )
    op.create_index(
        "ix_theme_updates_theme_date", "theme_updates", ["theme_id", "update_date"], unique=False
    )

    op.create_table(
        "records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("visit_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kiosk_id", sa.String(length=128), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("theme_ids", sa.JSON(), nullable=False),
        sa.Column("story", sa.Text(), nullable=True),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("age_group", sa.String(length=32), nullable=True),
        sa.Column("district", sa.String(length=64), nullable=True),
        sa.Column("follow_up_token", sa.String(length=64), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("story_status", sa.String(length=16), nullable=True),
        sa.Column("story_redacted", sa.Text(), nullable=True),
        sa.Column("personal_data_suspected", sa.Boolean(), nullable=False),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderated_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.batch_id"], name=op.f("fk_records_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["kiosk_id"], ["kiosks.id"], name=op.f("fk_records_kiosk_id_kiosks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    op.create_index("ix_records_event_created", "records", ["event_id", "created_at"], unique=False)
    op.create_index(
        op.f("ix_records_follow_up_token"), "records", ["follow_up_token"], unique=False
    )
    op.create_index("ix_records_kiosk_created", "records", ["kiosk_id", "created_at"], unique=False)
    op.create_index(op.f("ix_records_visit_id"), "records", ["visit_id"], unique=False)

    op.create_table(
        "record_themes",
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("theme_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_record_themes_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", "theme_id", name=op.f("pk_record_themes")),
    )
    op.create_index("ix_record_themes_theme", "record_themes", ["theme_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_record_themes_theme", table_name="record_themes")

    op.drop_table("record_themes")
    op.drop_index(op.f("ix_records_visit_id"), table_name="records")
    op.drop_index("ix_records_kiosk_created", table_name="records")
    op.drop_index(op.f("ix_records_follow_up_token"), table_name="records")
    op.drop_index("ix_records_event_created", table_name="records")

    op.drop_table("records")
    op.drop_index("ix_theme_updates_theme_date", table_name="theme_updates")

    op.drop_table("theme_updates")
    op.drop_index("ix_theme_steps_theme_date", table_name="theme_steps")

    op.drop_table("theme_steps")
    op.drop_table("event_kiosks")
    op.drop_table("enrollment_codes")
    op.drop_index("ix_batches_kiosk_received", table_name="batches")

    op.drop_table("batches")
    op.drop_table("themes")
    op.drop_table("staff_users")
    op.drop_index("ix_login_attempts_user_time", table_name="login_attempts")
    op.drop_index("ix_login_attempts_address_time", table_name="login_attempts")

    op.drop_table("login_attempts")
    op.drop_table("kiosks")
    op.drop_table("events")
