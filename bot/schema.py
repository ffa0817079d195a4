"""The whole schema: the core's tables (storage.schema) and those each feature declares.

A feature lists the modules of its tables (`Feature(models=…)`) and may keep
its migrations in its own `migrations/versions/` folder; migrating gathers
both, so a new feature needs no registration outside its own package.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType

from sqlalchemy import MetaData, Table, inspect

from bot.feature import Feature
from storage.base import NAMING, Base
from storage.db import Database
from storage.migrate import recreate, revision, upgrade
from storage.schema import CORE_MODULES


def _tables(module: ModuleType) -> Iterable[Table]:
    for value in vars(module).values():
        declared = isinstance(value, type) and issubclass(value, Base) and value is not Base
        if declared and value.__module__ == module.__name__:
            table = value.__dict__.get("__table__")
            if isinstance(table, Table):
                yield table


def modules(features: Sequence[Feature]) -> list[ModuleType]:
    found = list(CORE_MODULES)
    for feature in features:
        found += [m for m in feature.models if m not in found]
    return found


def metadata(features: Sequence[Feature]) -> MetaData:
    """The tables of the core and of these features (and no others), as Alembic compares them."""
    gathered = MetaData(naming_convention=NAMING)
    for module in modules(features):
        for table in _tables(module):
            table.to_metadata(gathered)
    return gathered


def locations(features: Sequence[Feature]) -> list[Path]:
    return [folder / "versions" for f in features if (folder := f.migrations) is not None]


async def migrate(db: Database, features: Sequence[Feature]) -> None:
    """Bring the database to the newest schema of the core and of these features."""
    await upgrade(db, locations=locations(features))


async def new_revision(
    db: Database,
    features: Sequence[Feature],
    message: str,
    rev_id: str,
    down: str | None,
    into: str,
) -> None:
    """Autogenerate a migration; `into` names a feature to keep it in that feature's folder."""
    home = next((f for f in features if f.name == into), None) if into else None
    if into and (home is None or home.migrations is None):
        raise LookupError(into)
    version_path = home.migrations / "versions" if home and home.migrations else None
    await revision(
        db,
        message,
        rev_id,
        down,
        locations(features),
        version_path=version_path,
        metadata=metadata(features),
    )


async def rebuild(db: Database, features: Sequence[Feature]) -> None:
    """Drop everything and migrate from scratch: throwaway databases only (tests, benches)."""
    await recreate(db, locations(features))


async def missing_tables(db: Database, features: Sequence[Feature]) -> list[str]:
    """Tables of the core and these features that the database does not have yet."""
    wanted = set(metadata(features).tables)
    async with db.engine.connect() as conn:
        present = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    return sorted(wanted - present)
