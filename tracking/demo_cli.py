"""``tidtam demo``: demo data at one or more district offices, walked through the real
workflows (``tracking.demo``), with the demo staff's sign-in names printed."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import track
from rich.table import Table

from tracking import demo, migrate
from tracking.commands import command_engine
from tracking.config import Settings
from tracking.db import unit_of_work

out = Console()
err = Console(stderr=True)


def demo_command(
    applications: Annotated[int, typer.Option(help="How many applications per office.")] = 44,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 2568,
    office_count: Annotated[
        int,
        typer.Option(
            "--offices",
            min=1,
            max=50,
            help="How many district offices: TIDTAM_OFFICE, then the next by BMA code.",
        ),
    ] = 1,
) -> None:
    """Add demo applications of every permit type, walked through their workflows, at one or
    more offices, with their demo staff (and, for several offices, the city's auditor); each
    further office works more slowly, so the city comparison has something to show."""
    per_type = max(1, applications // 11)
    added = 0
    created: list[tuple[str, str]] = []
    with command_engine() as engine:
        migrate.upgrade(engine)
        with unit_of_work(engine) as session:
            chosen = demo.demo_offices(session, office_count, Settings().office)
            for slug, prefix in chosen:
                created += demo.seed_staff(session, slug, prefix)
            if len(chosen) > 1:
                created += demo.seed_city_auditor(session)
        steps = [(n, slug, prefix) for n, (slug, prefix) in enumerate(chosen)]
        work = [(place, batch) for place in steps for batch in range(per_type)]
        for (n, slug, prefix), batch in track(work, description="demo applications", console=err):
            with unit_of_work(engine) as session:
                added += demo.seed(
                    session,
                    slug,
                    per_type=1,
                    seed=seed + 1000 * n + batch,
                    prefix=prefix,
                    pace=1 + n,
                    first=batch,
                )
    print_logins(created, quiet=True)
    out.print(f"added {added} demo applications at {', '.join(s for s, _ in chosen)}")


def print_logins(created: list[tuple[str, str]], *, quiet: bool = False) -> None:
    if not created:
        if not quiet:
            out.print("demo staff accounts already exist")
        return
    table = Table(title=f"Demo staff (password for all: {demo.DEMO_PASSWORD})")
    table.add_column("username")
    table.add_column("role")
    for username, role in created:
        table.add_row(username, role)
    out.print(table)
