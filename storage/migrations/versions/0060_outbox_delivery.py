"""outbox: lease owner, expiry, uncertain attempts, failure and alert times

Revision ID: 0060
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0060"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", storage.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("lease_owner", sa.String(length=32), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("uncertain", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("uncertain_since", storage.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("failed_at", storage.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("alerted_at", storage.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("alerted_at")
        batch_op.drop_column("failed_at")
        batch_op.drop_column("uncertain_since")
        batch_op.drop_column("uncertain")
        batch_op.drop_column("lease_owner")
        batch_op.drop_column("expires_at")
