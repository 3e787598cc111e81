"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from archive.models import Base, CannedReason
from archive.runtime import Runtime


def test_the_migrated_schema_matches_the_models(runtime: Runtime) -> None:
    with runtime.db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_first_canned_reasons_are_there_for_admins_to_edit(runtime: Runtime) -> None:
    with runtime.db.session() as session:
        texts = list(session.scalars(select(CannedReason.text).order_by(CannedReason.position)))
    assert len(texts) >= 4 and texts[0].startswith("사진의 저작권")
