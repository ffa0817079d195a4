"""Which columns may hold a person, and whether some hook handles each.

A column that points at people.id, or is named the way columns naming a person
are (`…_by`, `…_by_name`, `host`, `recorder`, `creator_id`, `…person_id`,
`…user_id`, `display_name`), must be in the `covers=` of a feature's
`person_data` hook or in the core's (bot.person_data.core.COVERS): its hook
exports it and erases it. tests/bot/test_person_data_coverage.py runs this
over every feature, so a new table that names a person fails there until a
hook takes it in, instead of outliving an erasure unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, MetaData
from sqlalchemy.orm import QueryableAttribute

from bot.person_data import core
from bot.schema import metadata

if TYPE_CHECKING:
    from bot.feature import Feature

PERSON_TABLE = "people"
NAMING = re.compile(
    r"(?:^|_)(?:by|host|recorder)$|_by_name$|(?:^|_)(?:creator_id|person_id|user_id)$"
    r"|^display_name$"
)


def column_key(attr: QueryableAttribute[Any]) -> str:
    """`table.column` of a mapped attribute (`LeaveAhead.person_id`)."""
    column = attr.expression
    if not isinstance(column, Column):
        raise TypeError(f"not a table's column: {attr}")
    return f"{column.table.name}.{column.name}"


def personal_columns(schema: MetaData) -> set[str]:
    """`table.column` of every column that points at a person or is named as one naming them."""
    found = set()
    for table in schema.tables.values():
        for column in table.columns:
            points = any(fk.column.table.name == PERSON_TABLE for fk in column.foreign_keys)
            if points or NAMING.search(column.name):
                found.add(f"{table.name}.{column.name}")
    return found


def declared(features: Iterable[Feature]) -> set[str]:
    """The columns the core's hook and these features' hooks say they handle."""
    covers: list[QueryableAttribute[Any]] = [*core.COVERS]
    for feature in features:
        for holding in feature.holdings:
            covers += holding.covers
    return {column_key(c) for c in covers}


def uncovered(features: Sequence[Feature]) -> list[str]:
    """Columns of the schema that may hold a person and that no hook handles."""
    return sorted(personal_columns(metadata(features)) - declared(features))


def unknown(features: Sequence[Feature]) -> list[str]:
    """Columns a hook declares that the schema of these features does not have."""
    schema = metadata(features)
    present = {f"{t.name}.{c.name}" for t in schema.tables.values() for c in t.columns}
    return sorted(declared(features) - present)
