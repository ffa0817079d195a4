"""cadences, term dates, the 廉政 calendar's options and own occasions; 调休 for meetings

Revision ID: 0850
Revises: 0610

Quotas were all monthly: each existing one now takes the cadence its title
names (a 党员大会 duty becomes quarterly), and the months it recorded become
the periods they fall in (2026-11 of a quarterly duty is 2026-Q4), once each.
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

import storage.base
from schedules.cadences import cadence_for, period_of

revision: str = "0850"
down_revision: str | Sequence[str] | None = "0610"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("swapped_workdays", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("monthly_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cadence", sa.String(length=24), nullable=False, server_default="")
        )
    _cadences_of_existing_quotas()
    op.create_table(
        "school_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("set_by", sa.String(length=160), nullable=False),
        sa.Column("set_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_school_terms_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_terms")),
    )
    op.create_table(
        "lianzheng_options",
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=160), nullable=False),
        sa.Column("updated_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lianzheng_options")),
    )
    op.create_table(
        "lianzheng_occasions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("lunar", sa.Boolean(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("ahead", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=160), nullable=False),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lianzheng_occasions")),
    )


def _cadences_of_existing_quotas() -> None:
    conn = op.get_bind()
    items = conn.execute(sa.text("SELECT id, title FROM monthly_items")).all()
    for item_id, title in items:
        cadence = cadence_for(title)
        if cadence is None:
            continue
        conn.execute(
            sa.text("UPDATE monthly_items SET cadence = :c WHERE id = :i"),
            {"c": cadence.key, "i": item_id},
        )
        done = conn.execute(
            sa.text("SELECT id, month FROM monthly_done WHERE item_id = :i ORDER BY recorded_at"),
            {"i": item_id},
        ).all()
        kept: set[str] = set()
        for done_id, month in done:
            year, _, number = month.partition("-")
            period = period_of(cadence, date(int(year), int(number), 1)) if number else None
            if period is None:
                # A month outside the cadence's season counts for no period: kept as it was.
                continue
            if period.key in kept:
                conn.execute(sa.text("DELETE FROM monthly_done WHERE id = :d"), {"d": done_id})
                continue
            kept.add(period.key)
            conn.execute(
                sa.text("UPDATE monthly_done SET month = :k WHERE id = :d"),
                {"k": period.key, "d": done_id},
            )


def downgrade() -> None:
    op.drop_table("lianzheng_occasions")
    op.drop_table("lianzheng_options")
    op.drop_table("school_terms")
    with op.batch_alter_table("monthly_items", schema=None) as batch_op:
        batch_op.drop_column("cadence")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("swapped_workdays")
