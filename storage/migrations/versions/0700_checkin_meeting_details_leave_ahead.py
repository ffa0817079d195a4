"""check-in meeting details (地点/主持人/记录人/议题) and leave asked ahead

Revision ID: 0700
Revises: 0610
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0700"
down_revision: str | Sequence[str] | None = "0610"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("place", sa.String(length=128), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("host", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("recorder", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("topic", sa.String(length=200), nullable=False, server_default="")
        )
    op.create_table(
        "checkin_leave_ahead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("asked_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_checkin_leave_ahead_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_leave_ahead")),
        sa.UniqueConstraint(
            "meeting_id",
            "day",
            "person_id",
            name=op.f("uq_checkin_leave_ahead_meeting_id_day_person_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("checkin_leave_ahead")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_column("topic")
        batch_op.drop_column("recorder")
        batch_op.drop_column("host")
        batch_op.drop_column("place")
