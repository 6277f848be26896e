"""The privacy gate of stories, the append-only audit trail, admin-edited site texts, and
events with a time and a place per language.

Revision ID: staff_gate
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "staff_gate"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Entries younger than this cannot be deleted at all, whatever the configured retention: a
# floor that keeps a mistaken `purge --audit-days 0` from wiping the trail of recent actions.
AUDIT_MIN_AGE_DAYS = 365

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'the audit trail is append-only: entries cannot be changed';
  END IF;
  IF OLD.at > now() - interval '{AUDIT_MIN_AGE_DAYS} days' THEN
    RAISE EXCEPTION 'the audit trail is append-only: entries younger than {AUDIT_MIN_AGE_DAYS} days cannot be deleted';
  END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "story_privacy",
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("dismissed", sa.JSON(), nullable=False),
        sa.Column("manually_flagged", sa.Boolean(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("override_by", sa.String(length=100), nullable=True),
        sa.Column("override_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_story_privacy_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_story_privacy")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "site_texts",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("lang", sa.String(length=2), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("key", "lang", name=op.f("pk_site_texts")),
    )
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("start_time", sa.Time(), nullable=True))
        batch.add_column(sa.Column("end_time", sa.Time(), nullable=True))
        batch.add_column(
            sa.Column("location_sv", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("location_en", sa.String(length=200), nullable=False, server_default="")
        )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor", "at"])
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN "
            "SELECT RAISE(ABORT, 'the audit trail is append-only: entries cannot be changed'); "
            "END"
        )
        # SQLAlchemy stores aware datetimes on SQLite as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC,
        # which compares as text with datetime('now', ...).
        op.execute(
            "CREATE TRIGGER audit_log_no_early_delete BEFORE DELETE ON audit_log "
            f"WHEN old.at > datetime('now', '-{AUDIT_MIN_AGE_DAYS} days') BEGIN "
            "SELECT RAISE(ABORT, 'the audit trail is append-only: entries younger than "
            f"{AUDIT_MIN_AGE_DAYS} days cannot be deleted'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_index("ix_audit_log_action_at", table_name="audit_log")
    op.drop_index("ix_audit_log_actor_at", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("site_texts")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("location_en")
        batch.drop_column("location_sv")
        batch.drop_column("end_time")
        batch.drop_column("start_time")
    op.drop_table("story_privacy")
