"""The ``tidtam`` command."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import func, select
from sqlmodel import Session

from checklists.loader import (
    CatalogueError,
    catalogue_dir,
    check_catalogue,
    default_catalogue,
    load_catalogue,
)
from checklists.offices import check_offices, districts_dir
from tracking import auth, demo, demo_cli, migrate, notices, offices, verification
from tracking.access import CITY_WIDE_ROLES
from tracking.calendar_cli import calendar_app
from tracking.clock import bangkok_date
from tracking.commands import command_engine
from tracking.config import KeyProblem, Settings, export_keys, follow_port, with_keys
from tracking.db import unit_of_work
from tracking.errors import DomainError
from tracking.models import Application, utcnow
from tracking.office_cli import office_app
from tracking.reads import reports
from tracking.trail import anchors, rebuild
from tracking.workflow.machines import build_machines

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Tidtam permit tracking.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
catalogue_app = typer.Typer(no_args_is_help=True, help="Permit-type catalogue.")
audit_app = typer.Typer(no_args_is_help=True, help="Audit trail.")
app.add_typer(db_app, name="db")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(audit_app, name="audit")
app.add_typer(calendar_app, name="calendar")
app.add_typer(office_app, name="office")

out = Console()
err = Console(stderr=True)


_engine = command_engine


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to TIDTAM_DATABASE_URL."""
    with _engine() as engine:
        migrate.upgrade(engine)
    out.print("database is up to date")


@db_app.command("rebuild-tallies")
def db_rebuild_tallies() -> None:
    """Recompute the compliance tallies and cases from the audit trail (after a bulk import,
    or after the catalogue's review items change)."""
    with _engine() as engine, engine.begin() as connection:
        rebuild.rebuild(connection)
    out.print("compliance tallies rebuilt from the trail")


@catalogue_app.command("check")
def catalogue_check(
    path: Annotated[
        Path | None, typer.Argument(help="A permit-type file or folder (default: the catalogue).")
    ] = None,
) -> None:
    """Validate permit-type files (and, for the configured catalogue, the office files that
    run it): one line per problem as `file: field: problem`."""
    path = path or catalogue_dir()
    types, problems = check_catalogue(path)
    if not problems:
        try:
            build_machines(load_catalogue(path))
        except Exception as exc:  # noqa: BLE001 - any failure to build is a catalogue problem
            problems_text = f"{path.name}: machine: {exc}"
            typer.echo(problems_text)
            raise typer.Exit(1) from exc
    offices_found = 0
    if not problems and path == catalogue_dir():  # the offices run the configured catalogue
        found, problems = check_offices(districts_dir(), types)
        offices_found = len(found)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        raise typer.Exit(1)
    offices_ok = f", {offices_found} offices OK" if offices_found else ""
    typer.echo(f"{len(types)} permit types OK{offices_ok}")


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        str | None, typer.Option(help="A digest kept from `tidtam audit anchor`: it must hold.")
    ] = None,
) -> None:
    """Prove every file from its trail: keyed chains, moves of the machine, the stored rows,
    the tallies and the anchors; exit 1 naming the first application, event and field."""
    with _engine() as engine:
        with engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(Application)).scalar()
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("verifying trails", total=total)
            result = verification.verify(
                engine,
                anchor=anchor,
                progress=lambda n: bar.advance(task, n),
                workers=os.cpu_count() or 1,
            )
    if result.broken:
        typer.echo(f"BROKEN: {result.broken}", err=True)
        raise typer.Exit(1)
    kept = f", anchor {anchor} holds" if anchor else ""
    typer.echo(f"verified {result.events} events in {result.applications} applications{kept}")


@audit_app.command("anchor")
def audit_anchor(
    today: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Record today's digest over every trail head of each office (once a day) and print this
    office's (``TIDTAM_OFFICE``): keep it. Every office's is listed on standard error."""
    day = date.fromisoformat(today) if today else bangkok_date(utcnow())
    with _engine() as engine:
        migrate.upgrade(engine)
        with engine.begin() as connection:
            made = anchors.anchor_every_office(connection, day)
    ours = [a for a in made if a.office == Settings().office] or made[:1]
    for each in ours:
        typer.echo(each.digest)
    for each in made:
        err.print(
            f"{each.office}: anchor of {each.day.isoformat()} {each.digest},"
            f" {each.heads} trail heads moved"
        )


app.command("demo")(demo_cli.demo_command)


notices_app = typer.Typer(no_args_is_help=True, help="Delay notices (s.10).")
app.add_typer(notices_app, name="notices")


@notices_app.command("run")
def notices_run(
    today: Annotated[
        str | None, typer.Option(help="The day to run for, YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Create the delay notices due (idempotent) and send queued e-mails; list the files
    whose applicant's deadline has passed (code, step, deadline, the lapse to fire) and those
    whose undecided period has run out (an objection deemed accepted)."""
    try:
        day = date.fromisoformat(today) if today else bangkok_date(utcnow())
    except ValueError as exc:
        typer.echo(f"--today must be YYYY-MM-DD, not {today!r}", err=True)
        raise typer.Exit(2) from exc
    settings = Settings()
    with _engine() as engine:
        migrate.upgrade(engine)
        result = notices.run(engine, settings, day)
        with Session(engine) as session:
            lapses = notices.lapses_due(session, day)
            windows = notices.windows_due(session, day)
    typer.echo(
        f"{day.isoformat()}: created {result.created} notices, queued {result.queued} e-mails,"
        f" sent {result.sent}, failed {result.failed}"
    )
    typer.echo(f"{len(lapses)} lapses due (code step deadline event):")
    for lapse in lapses:
        typer.echo(f"  {lapse}")
    typer.echo(f"{len(windows)} deemed decisions due (code step last-day event):")
    for window in windows:
        typer.echo(f"  {window}")


report_app = typer.Typer(no_args_is_help=True, help="Reports.")
app.add_typer(report_app, name="report")


@report_app.command("monthly")
def report_monthly(
    month: Annotated[str, typer.Option(help="YYYY-MM (Gregorian).")],
    output: Annotated[Path, typer.Option(help="File to write.")],
    format: Annotated[str, typer.Option(help="csv or xlsx.")] = "xlsx",  # noqa: A002
    office: Annotated[str, typer.Option(help="The office's slug (default TIDTAM_OFFICE).")] = "",
) -> None:
    """The month's figures of one office per permit type and department (Thai headers, BE
    month)."""
    if format not in {"csv", "xlsx"}:
        typer.echo("--format must be csv or xlsx", err=True)
        raise typer.Exit(2)
    try:
        period = reports.Month.parse(month)
    except DomainError as exc:
        typer.echo(exc.en, err=True)
        raise typer.Exit(2) from exc
    with _engine() as engine, unit_of_work(engine) as session:
        try:
            found = offices.office_by_slug(session, office or Settings().office)
        except DomainError as exc:
            typer.echo(f"{exc.en} / {exc.th}", err=True)
            raise typer.Exit(2) from exc
        rows = reports.monthly(session, period, found.id)
    write = reports.to_csv if format == "csv" else reports.to_xlsx
    data = write(rows, period, found)
    output.write_bytes(data)
    typer.echo(f"wrote {len(rows)} rows for {period.thai} to {output}")


staff_app = typer.Typer(no_args_is_help=True, help="Staff accounts.")
app.add_typer(staff_app, name="staff")


@staff_app.command("add")
def staff_add(
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Option(help="clerk, officer, approver, manager, admin or city.")],
    department: Annotated[
        str, typer.Option(help="Department slug (empty for manager, admin and city).")
    ] = "",
    office: Annotated[
        str,
        typer.Option(help="The office's slug (default TIDTAM_OFFICE; none for the city role)."),
    ] = "",
    display_name: Annotated[str, typer.Option(help="Name shown to colleagues.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a staff account (password hashed with argon2)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _engine() as engine:
        migrate.upgrade(engine)
        try:
            with unit_of_work(engine) as session:
                staff = auth.create_staff(
                    session,
                    username=username,
                    role=role,
                    department=department or None,
                    password=password,
                    display_name=display_name or None,
                    office_slug=None
                    if role in CITY_WIDE_ROLES and not office
                    else office or Settings().office,
                )
        except DomainError as exc:
            typer.echo(f"{exc.en} / {exc.th}", err=True)
            raise typer.Exit(1) from exc
    where = f", {staff.department}" if staff.department else ""
    typer.echo(f"added {staff.username} ({staff.role}{where})")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    demo_data: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Seed demo data into an empty database; development keys (TIDTAM_ENV).",
        ),
    ] = False,
) -> None:
    """Check the catalogue and the keys, apply migrations, then serve the web app."""
    import uvicorn

    try:  # refuse to start on a broken catalogue, before anything else
        build_machines(default_catalogue())
    except CatalogueError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo("the permit-type catalogue is invalid; not starting", err=True)
        raise typer.Exit(2) from exc
    base_url = follow_port(host, port)
    settings = _serving_settings(development=demo_data)
    with _engine() as engine:
        migrate.upgrade(engine)
        if demo_data:
            with unit_of_work(engine) as session:
                created = demo.seed_staff(session, settings.office)
                if demo.is_empty(session):
                    added = demo.seed(session, settings.office)
                    out.print(f"seeded {added} demo applications")
                else:
                    out.print("database already has applications; demo data not added")
            demo_cli.print_logins(created)
    out.print(f"QR codes and links point at {base_url} (TIDTAM_BASE_URL)")
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
        # A worker importing on a busy machine can take longer than uvicorn's 5 s to answer.
        timeout_worker_healthcheck=60,
        # X-Forwarded-For/-Proto only from TIDTAM_TRUSTED_PROXIES (uvicorn's own default
        # would believe 127.0.0.1), so the per-client limits see the address uvicorn resolved.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
    )


def _serving_settings(*, development: bool) -> Settings:
    """The settings with their keys checked (exit 2 saying what to set), the keys handed to
    every worker through the environment: resolved once here, so all workers sign alike."""
    settings = Settings(env="development") if development else Settings()
    try:
        settings = with_keys(settings)
    except KeyProblem as exc:
        typer.echo(f"{exc}\nnot starting", err=True)
        raise typer.Exit(2) from exc
    export_keys(settings)
    if settings.env == "development":
        out.print(
            "development: keys not set are kept beside the SQLite database;"
            " set TIDTAM_SECRET_KEY and TIDTAM_AUDIT_KEY in production"
        )
    return settings
