"""Every column that may hold a person has a hook that exports and erases it: a new
table naming a person fails here until its feature declares it (bot.person_data.coverage)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

from bot.feature import Feature
from bot.person_data.coverage import personal_columns, uncovered, unknown
from handlers import FEATURES
from tests.bot import notes
from tests.bot.notes import models as notes_models
from tests.bot.notes import person_data as notes_hook


def test_every_column_naming_a_person_has_a_hook() -> None:
    assert uncovered(FEATURES) == []
    assert unknown(FEATURES) == []
    assert uncovered([*FEATURES, notes.feature]) == []


def test_a_table_no_hook_declares_is_caught() -> None:
    # The notes table, brought by a feature that says nothing about people.
    silent = Feature("silent", models=(notes_models,))
    assert uncovered([*FEATURES, silent]) == ["notes.person_id"]
    # A hook naming a column the schema does not have is caught too.
    stale = Feature("stale")
    stale.person_data(
        export=notes_hook.export, erase=notes_hook.erase, covers=(notes_models.Note.person_id,)
    )
    assert unknown([*FEATURES, stale]) == ["notes.person_id"]


def test_columns_are_found_by_reference_and_by_name() -> None:
    schema = MetaData()
    Table("people", schema, Column("id", Integer, primary_key=True))
    Table(
        "duty_swaps",
        schema,
        Column("id", Integer, primary_key=True),
        Column("colleague", ForeignKey("people.id")),
        Column("approved_by", String(160)),
        Column("approved_by_name", String(64)),
        Column("host", String(64)),
        Column("recorder", String(64)),
        Column("creator_id", Integer),
        Column("asker_person_id", Integer),
        Column("user_id", String(128)),
        Column("title", String(64)),
        Column("bystander", String(64)),
        Column("hostname", String(64)),
    )
    assert personal_columns(schema) == {
        f"duty_swaps.{name}"
        for name in (
            "colleague",
            "approved_by",
            "approved_by_name",
            "host",
            "recorder",
            "creator_id",
            "asker_person_id",
            "user_id",
        )
    }
