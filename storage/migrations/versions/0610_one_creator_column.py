"""one creator column: creator_id, a person who may vanish without taking their work along

Revision ID: 0610
Revises: 0100, 0300, 0600
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0610"
down_revision: str | Sequence[str] | None = ("0100", "0300", "0600")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_constraint("fk_checkins_opened_by_people", type_="foreignkey")
        batch_op.alter_column("opened_by", new_column_name="creator_id")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_checkins_creator_id_people"),
            "people",
            ["creator_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # A call outlives its creator's removal from the roster: its answers are a ledger.
    with op.batch_alter_table("feedback_calls", schema=None) as batch_op:
        batch_op.drop_constraint("fk_feedback_calls_created_by_people", type_="foreignkey")
        batch_op.alter_column("created_by", new_column_name="creator_id", nullable=True)
    with op.batch_alter_table("feedback_calls", schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_feedback_calls_creator_id_people"),
            "people",
            ["creator_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("creator_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_meetings_creator_id_people"),
            "people",
            ["creator_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE meetings SET creator_id = (SELECT people.id FROM people "
        "WHERE people.platform || ':' || people.platform_user_id = meetings.created_by)"
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("created_by")


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.String(length=160), nullable=True))
    op.execute(
        "UPDATE meetings SET created_by = COALESCE((SELECT people.platform || ':' || "
        "people.platform_user_id FROM people WHERE people.id = meetings.creator_id), '')"
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.alter_column("created_by", nullable=False)
        batch_op.drop_constraint(op.f("fk_meetings_creator_id_people"), type_="foreignkey")
        batch_op.drop_column("creator_id")
    with op.batch_alter_table("feedback_calls", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_feedback_calls_creator_id_people"), type_="foreignkey")
        batch_op.alter_column("creator_id", new_column_name="created_by", nullable=False)
        batch_op.create_foreign_key(
            "fk_feedback_calls_created_by_people",
            "people",
            ["created_by"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_checkins_creator_id_people"), type_="foreignkey")
        batch_op.alter_column("creator_id", new_column_name="opened_by")
        batch_op.create_foreign_key(
            "fk_checkins_opened_by_people", "people", ["opened_by"], ["id"], ondelete="SET NULL"
        )
