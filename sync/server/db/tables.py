"""The central server's tables, as SQLAlchemy Core metadata.

One schema for SQLite (the default, one city) and PostgreSQL (a region or a country). Alembic
migrations under ``sync/server/db/migrations/`` create and evolve it; this module is what the
code queries against. Times are timezone-aware UTC; ids chosen by kiosks are text UUIDs, so a
record's own id is its primary key and a resend can never store it twice.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    false,
)

__all__ = [
    "audit_log",
    "batches",
    "enrollment_codes",
    "event_kiosks",
    "events",
    "kiosks",
    "login_attempts",
    "metadata",
    "record_themes",
    "records",
    "site_texts",
    "staff_sessions",
    "staff_users",
    "story_privacy",
    "theme_steps",
    "theme_updates",
    "theme_update_stories",
    "themes",
]

# Stable constraint names, so migrations behave the same on both engines.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

UTC_TIME = DateTime(timezone=True)

kiosks = Table(
    "kiosks",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("site", String(200), nullable=False),
    # The HMAC key must be readable to verify signatures; it never leaves the server again.
    Column("secret", String(128), nullable=False),
    Column("created_at", UTC_TIME, nullable=False),
    Column("disabled_at", UTC_TIME),
    Column("last_seen_at", UTC_TIME),
    # As reported by the kiosk in its signed requests (X-Kiosk-Pending), for metrics and alerts.
    Column("reported_pending", Integer),
)

batches = Table(
    "batches",
    metadata,
    Column("batch_id", String(36), primary_key=True),
    Column("kiosk_id", String(128), ForeignKey("kiosks.id"), nullable=False),
    Column("received_at", UTC_TIME, nullable=False),
    # SHA-256 of the canonical JSON of the records: the same batch_id with other content is a 409.
    Column("content_sha256", String(64), nullable=False),
    Column("record_count", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("source", String(16), nullable=False, default="network"),  # network | usb
    Index("ix_batches_kiosk_received", "kiosk_id", "received_at"),
)

records = Table(
    "records",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("batch_id", String(36), ForeignKey("batches.batch_id"), nullable=False),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("created_at", UTC_TIME, nullable=False),
    Column("received_at", UTC_TIME, nullable=False),
    Column("kiosk_id", String(128), ForeignKey("kiosks.id"), nullable=False),
    Column("event_id", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("rating", SmallInteger),
    Column("theme_ids", JSON, nullable=False),
    Column("story", Text),
    Column("lang", String(2), nullable=False),
    Column("age_group", String(32)),
    Column("district", String(64)),
    Column("follow_up_token", String(64), nullable=False, index=True),
    # The visit's short code (K7QM4-PX2RT) for /k/<code>; a key like the token, never exported.
    Column("short_code", String(11), index=True),
    Column("flags", JSON, nullable=False),
    # Moderation of stories: pending -> approved | hidden; withdrawn by the visitor erases the text.
    Column("story_status", String(16)),
    Column("story_redacted", Text),  # the text as shown after staff redacted a passage
    Column("personal_data_suspected", Boolean, nullable=False, default=False),
    Column("moderated_at", UTC_TIME),
    Column("moderated_by", String(100)),
    Index("ix_records_event_created", "event_id", "created_at"),
    Index("ix_records_kiosk_created", "kiosk_id", "created_at"),
)

# The theme choices of records, one row each, so charts can count them in SQL on both engines.
record_themes = Table(
    "record_themes",
    metadata,
    Column("record_id", String(36), ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", String(64), primary_key=True),
    Index("ix_record_themes_theme", "theme_id"),
)

themes = Table(
    "themes",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name_fi", String(200), nullable=False),
    Column("name_sv", String(200), nullable=False, default=""),
    Column("name_en", String(200), nullable=False, default=""),
    Column("velho_name", String(200)),
    Column("velho_role_fi", String(200)),
    Column("velho_role_sv", String(200)),
    Column("velho_role_en", String(200)),
    Column("velho_contact", String(200)),
    Column("velho_contact_public", Boolean, nullable=False, default=False),
    Column("sort_order", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    Column("updated_at", UTC_TIME, nullable=False),
    # A new theme is a draft (on no kiosk and no public page) until staff publish it.
    Column("draft", Boolean, nullable=False, default=False, server_default=false()),
    # The site (a kiosk's ``site`` text) the theme belongs to; NULL: region-wide (roles).
    Column("site", String(200)),
    # An https address of the velho's photo, shown on the kiosk's attract card (optional).
    Column("velho_photo_url", String(500)),
)

theme_steps = Table(
    "theme_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("theme_id", String(64), ForeignKey("themes.id", ondelete="CASCADE"), nullable=False),
    Column("step_date", Date, nullable=False),
    Column("title_fi", String(300), nullable=False),
    Column("title_sv", String(300), nullable=False, default=""),
    Column("title_en", String(300), nullable=False, default=""),
    Column("done", Boolean, nullable=False, default=False),
    Index("ix_theme_steps_theme_date", "theme_id", "step_date"),
)

theme_updates = Table(
    "theme_updates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("theme_id", String(64), ForeignKey("themes.id", ondelete="CASCADE"), nullable=False),
    Column("update_date", Date, nullable=False),
    Column("text_fi", Text, nullable=False),
    Column("text_sv", Text, nullable=False, default=""),
    Column("text_en", Text, nullable=False, default=""),
    Column("created_at", UTC_TIME, nullable=False),
    Column("created_by", String(100)),
    Index("ix_theme_updates_theme_date", "theme_id", "update_date"),
)

events = Table(
    "events",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("name_fi", String(200), nullable=False),
    Column("name_sv", String(200), nullable=False, default=""),
    Column("name_en", String(200), nullable=False, default=""),
    Column("event_date", Date, nullable=False),
    Column("location", String(200), nullable=False, default=""),
    Column("question_fi", String(300), nullable=False),
    Column("question_sv", String(300), nullable=False, default=""),
    Column("question_en", String(300), nullable=False, default=""),
    # The four answer labels set with the question: [{"fi","sv","en"} x 4], NULL for the defaults.
    Column("answer_labels", JSON),
    # Active events reach their kiosks through kiosk-config; no kiosk has two (db/events.py).
    Column("active", Boolean, nullable=False, default=False),
    # When the meeting itself is held (local time; none: an all-day entry) and its place in
    # Swedish and English (``location`` is the Finnish one).
    Column("start_time", Time),
    Column("end_time", Time),
    Column("location_sv", String(200), nullable=False, default=""),
    Column("location_en", String(200), nullable=False, default=""),
    # The site (a kiosk's ``site`` text) the event belongs to; NULL: region-wide (roles).
    Column("site", String(200)),
)

event_kiosks = Table(
    "event_kiosks",
    metadata,
    Column("event_id", String(128), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("kiosk_id", String(128), ForeignKey("kiosks.id", ondelete="CASCADE"), primary_key=True),
)

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False),
    Column("password_hash", String(200), nullable=False),  # argon2id
    Column("created_at", UTC_TIME, nullable=False),
    Column("disabled_at", UTC_TIME),
    # admin (everything) | staff (the sites in staff_user_sites) | viewer (pictures only).
    Column("role", String(16), nullable=False, default="admin", server_default="admin"),
    UniqueConstraint("username"),
)

# Kept in the database, not in process memory, so several server processes throttle together.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False),
    Column("address", String(64), nullable=False),
    Column("attempted_at", UTC_TIME, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_login_attempts_user_time", "username", "attempted_at"),
    Index("ix_login_attempts_address_time", "address", "attempted_at"),
)

# One-time codes with which a terminal fetches its credentials (kiosk setup --code).
enrollment_codes = Table(
    "enrollment_codes",
    metadata,
    Column("code_sha256", String(64), primary_key=True),
    Column("kiosk_id", String(128), ForeignKey("kiosks.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTC_TIME, nullable=False),
    Column("expires_at", UTC_TIME, nullable=False),
    Column("used_at", UTC_TIME),
)

# The privacy gate of stories (sync.server.domain.privacy_gate): dismissed findings by kind and
# text, a moderator's own "holds personal data" flag, and the written reason when staff
# published a story despite open findings. Kept beside the record, one row per story.
story_privacy = Table(
    "story_privacy",
    metadata,
    Column("record_id", String(36), ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Column("dismissed", JSON, nullable=False),
    Column("manually_flagged", Boolean, nullable=False, default=False),
    Column("override_reason", Text),
    Column("override_by", String(100)),
    Column("override_at", UTC_TIME),
)

# The audit trail: who did what, when and from where. Append-only in the database (triggers
# refuse UPDATE, and DELETE of entries younger than a year; see the migration), so neither a
# bug nor a staff account can rewrite history; `kiosk-server purge` removes entries past the
# configured retention.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTC_TIME, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("address", String(64), nullable=False, default=""),
    Column("action", String(64), nullable=False),
    Column("target", String(200), nullable=False, default=""),
    Column("details", JSON, nullable=False),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_actor_at", "actor", "at"),
    Index("ix_audit_log_action_at", "action", "at"),
)

# Texts admins edit on the staff web and the public reads: the privacy notice, the
# accessibility statement. One row per text and language; no row means the built-in default.
site_texts = Table(
    "site_texts",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("lang", String(2), primary_key=True),
    Column("body", Text, nullable=False),
    Column("updated_at", UTC_TIME, nullable=False),
    Column("updated_by", String(100), nullable=False),
)

# Staff sign-in sessions (issue 10, hard_auth). The cookie carries a random token; only its
# SHA-256 is stored, so a copy of the database signs nobody in. Kept in the database so every
# server process behind a balancer agrees on logout, revocation and timeouts.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTC_TIME, nullable=False),
    Column("last_seen_at", UTC_TIME, nullable=False),
    Column("revoked_at", UTC_TIME),
    Index("ix_staff_sessions_user", "user_id"),
)

# "You said – we did": the stories a status update answers, picked by staff when writing it. The
# follow-up page of such a story says it was taken into account in that update.
theme_update_stories = Table(
    "theme_update_stories",
    metadata,
    Column(
        "update_id",
        Integer,
        ForeignKey("theme_updates.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("record_id", String(36), ForeignKey("records.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_theme_update_stories_record", "record_id"),
)

# The sites (a kiosk's ``site`` text) a ``staff`` account works for (roles).
staff_user_sites = Table(
    "staff_user_sites",
    metadata,
    Column("user_id", Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    Column("site", String(200), primary_key=True),
)
