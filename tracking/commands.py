"""What every ``tidtam`` command shares: the database engine, and how a missing key ends it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy import Engine

from tracking.config import KeyProblem, Settings
from tracking.db import make_engine


@contextmanager
def command_engine() -> Iterator[Engine]:
    """The database engine of a command; a missing or weak audit key ends the command with
    the message and exit 2 (every command that writes or checks the trail needs it)."""
    engine = make_engine(Settings().database_url)
    try:
        yield engine
    except KeyProblem as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
