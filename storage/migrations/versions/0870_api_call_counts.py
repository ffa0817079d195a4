"""api call counts: a platform's metered calls per month, for its monthly quota

Revision ID: 0870
Revises: 0800
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0870"
down_revision: str | Sequence[str] | None = "0800"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_call_counts",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "month", name=op.f("pk_api_call_counts")),
    )


def downgrade() -> None:
    op.drop_table("api_call_counts")
