"""firings: one table for timers and planned reminders

Revision ID: 0600
Revises: 0400
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0600"
down_revision: str | Sequence[str] | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "source, occurrence, offset_minutes, event_at, due_at, push, state, attempts, last_error, fired_at, data"


def upgrade() -> None:
    op.create_table(
        "firings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=96), nullable=False),
        sa.Column("occurrence", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("event_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("push", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("fired_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firings")),
        sa.UniqueConstraint(
            "source",
            "occurrence",
            "offset_minutes",
            name=op.f("uq_firings_source_occurrence_offset_minutes"),
        ),
    )
    with op.batch_alter_table("firings", schema=None) as batch_op:
        batch_op.create_index("ix_firings_due", ["state", "due_at"], unique=False)
    # Planned reminders keep their rows; timers become rows of their kind
    # ("poll.close:12"), fired ones as sent.
    op.execute(
        f"INSERT INTO firings ({_COLUMNS}) "
        "SELECT source, occurrence, offset_minutes, event_at, due_at, push, state, 0, '', "
        "fired_at, data FROM reminder_occurrences"
    )
    op.execute(
        f"INSERT INTO firings ({_COLUMNS}) "
        "SELECT event || ':' || ref, due_at, 0, due_at, due_at, FALSE, "
        "CASE WHEN state = 'fired' THEN 'sent' ELSE state END, 0, '', fired_at, '{}' "
        "FROM timers"
    )
    with op.batch_alter_table("reminder_occurrences", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_occurrences_due")
    op.drop_table("reminder_occurrences")
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index("ix_timers_due")
    op.drop_table("timers")


def downgrade() -> None:
    # Timer kinds are dotted ("poll.close"), planned reminder kinds are not ("meeting").
    op.create_table(
        "timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=128), nullable=False),
        sa.Column("due_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("fired_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
        sa.UniqueConstraint("event", "ref", "due_at", name=op.f("uq_timers_event_ref_due_at")),
    )
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.create_index("ix_timers_due", ["state", "due_at"], unique=False)
    op.create_table(
        "reminder_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=96), nullable=False),
        sa.Column("occurrence", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("event_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("push", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("fired_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_occurrences")),
        sa.UniqueConstraint(
            "source",
            "occurrence",
            "offset_minutes",
            name=op.f("uq_reminder_occurrences_source_occurrence_offset_minutes"),
        ),
    )
    with op.batch_alter_table("reminder_occurrences", schema=None) as batch_op:
        batch_op.create_index("ix_reminder_occurrences_due", ["state", "due_at"], unique=False)
    timer = "substr(source, 1, instr(source, ':') - 1) LIKE '%.%'"
    if op.get_bind().dialect.name == "postgresql":
        timer = "split_part(source, ':', 1) LIKE '%.%'"
    op.execute(
        "INSERT INTO reminder_occurrences (source, occurrence, offset_minutes, event_at, "
        "due_at, push, state, fired_at, data) SELECT source, occurrence, offset_minutes, "
        f"event_at, due_at, push, state, fired_at, data FROM firings WHERE NOT ({timer})"
    )
    key, ref = (
        "split_part(source, ':', 1)",
        "substr(source, length(split_part(source, ':', 1)) + 2)",
    )
    if op.get_bind().dialect.name != "postgresql":
        key, ref = (
            "substr(source, 1, instr(source, ':') - 1)",
            "substr(source, instr(source, ':') + 1)",
        )
    op.execute(
        "INSERT INTO timers (event, ref, due_at, state, fired_at) "
        f"SELECT {key}, {ref}, due_at, CASE WHEN state = 'sent' THEN 'fired' ELSE state END, "
        f"fired_at FROM firings WHERE {timer}"
    )
    with op.batch_alter_table("firings", schema=None) as batch_op:
        batch_op.drop_index("ix_firings_due")
    op.drop_table("firings")
