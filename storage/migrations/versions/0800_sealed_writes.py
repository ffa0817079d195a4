"""sealed writes: anonymous content applied apart from its author; no restamp marks

Revision ID: 0800
Revises: 0610
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0800"
down_revision: str | Sequence[str] | None = "0610"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RESTAMPED = ("feedback_opinions", "suggestions", "suggestion_messages")


def upgrade() -> None:
    op.create_table(
        "sealed_writes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("blob", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_writes")),
    )
    # Anonymous rows are written in a transaction of their own now: nothing to restamp.
    for table in _RESTAMPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("restamped")


def downgrade() -> None:
    for table in _RESTAMPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("restamped", sa.Boolean(), nullable=False, server_default=sa.true())
            )
    op.drop_table("sealed_writes")
