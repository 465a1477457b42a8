"""``tidtam office``: the district offices a database serves.

``list`` prints one line per office (its slug first); ``add`` writes offices from their files in
``checklists/districts/`` (``tidtam catalogue check`` checks those files too); ``update``
rewrites an office's row from its edited file and says what changed. The rules are in
``tracking.offices``; bad input ends the command with one line and exit 2.
"""

from __future__ import annotations

from typing import Annotated

import typer

from checklists.loader import CatalogueError
from checklists.offices import OfficeFile, default_offices
from tracking import migrate, offices
from tracking.config import KeyProblem, Settings
from tracking.db import make_engine, unit_of_work
from tracking.errors import DomainError

office_app = typer.Typer(no_args_is_help=True, help="District offices.")

Slugs = Annotated[list[str] | None, typer.Argument(help="Office slugs (see checklists/districts).")]


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


def _profiles(slugs: list[str], every: bool) -> list[OfficeFile]:
    """The office files named (all of them with ``every``); exit 2 on a broken or unknown one."""
    try:
        known = default_offices()
    except CatalogueError as exc:
        raise _fail(str(exc)) from exc
    if every:
        return list(known.values())
    if not slugs:
        raise _fail("name one or more offices, or give --all")
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise _fail(f"no office file for {', '.join(unknown)}; the offices are: {', '.join(known)}")
    return [known[slug] for slug in dict.fromkeys(slugs)]


def _write(action: str, slugs: list[str], every: bool) -> list[tuple[str, list[str]]]:
    """Add or update the offices named; each slug with what changed (add: every column)."""
    done: list[tuple[str, list[str]]] = []
    engine = make_engine(Settings().database_url)
    try:
        migrate.upgrade(engine)
        with unit_of_work(engine) as session:
            for profile in _profiles(slugs, every):
                if action == "add":
                    if every and profile.slug in {o.slug for o in offices.lines(session)}:
                        continue  # --all adds the offices not here yet
                    offices.add(session, profile)
                    done.append((profile.slug, []))
                else:
                    done.append((profile.slug, offices.update(session, profile)))
    except DomainError as exc:
        raise _fail(f"{exc.en} / {exc.th}") from exc
    except KeyProblem as exc:
        raise _fail(str(exc)) from exc
    finally:
        engine.dispose()
    return done


@office_app.command("list")
def office_list() -> None:
    """One line per office of the database: slug, BMA code, names, active staff, open files,
    the permit types it does not offer and the facts not yet checked with it."""
    engine = make_engine(Settings().database_url)
    try:
        migrate.upgrade(engine)
        with unit_of_work(engine) as session:
            found = offices.lines(session)
    except KeyProblem as exc:
        raise _fail(str(exc)) from exc
    finally:
        engine.dispose()
    for line in found:
        parts = [
            line.slug,
            line.bma_code,
            line.name_th,
            line.name_en,
            f"staff={line.staff}",
            f"open={line.open_files}",
        ]
        if line.not_offered:
            parts.append(f"not-offered={','.join(line.not_offered)}")
        if line.unconfirmed:
            parts.append(f"unconfirmed={','.join(line.unconfirmed)}")
        typer.echo("\t".join(parts))


@office_app.command("add")
def office_add(
    slugs: Slugs = None,
    every: Annotated[bool, typer.Option("--all", help="Every office file not yet added.")] = False,
) -> None:
    """Add offices from their files."""
    done = _write("add", slugs or [], every)
    for slug, _ in done:
        typer.echo(f"added {slug}")
    if not done:
        typer.echo("every office is here already")


@office_app.command("update")
def office_update(
    slugs: Slugs = None,
    every: Annotated[bool, typer.Option("--all", help="Every office file.")] = False,
) -> None:
    """Rewrite offices from their edited files; prints what changed."""
    for slug, changed in _write("update", slugs or [], every):
        typer.echo(f"updated {slug}: {', '.join(changed)}" if changed else f"{slug}: unchanged")
