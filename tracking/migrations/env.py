"""Alembic environment. Run through ``tidtam db upgrade`` (tracking.migrate), not alembic.ini."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import tracking.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from tracking.db import make_engine
from tracking.reads.staff.search import modelled

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        compare_type=True,
        include_name=modelled,  # the search's FTS table and trigram indexes are not models
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
