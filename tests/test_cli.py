from __future__ import annotations

from sqlalchemy import Engine, text
from typer.testing import CliRunner

from tracking import auth
from tracking.cli import app
from tracking.db import unit_of_work

runner = CliRunner()


def test_staff_add_with_password_on_stdin(engine: Engine, env_database: str) -> None:
    result = runner.invoke(
        app,
        [
            "staff",
            "add",
            "somsak",
            "--role",
            "officer",
            "--department",
            "public-works",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "added somsak (officer, public-works)" in result.output
    with unit_of_work(engine) as session:
        staff = auth.login(
            session, username="somsak", password="a long enough password", client="test"
        )
        assert staff.password_hash.startswith("$argon2")


def test_staff_add_prompts_and_refuses_bad_input(engine: Engine, env_database: str) -> None:
    result = runner.invoke(
        app,
        ["staff", "add", "boss", "--role", "manager"],
        input="another long password\nanother long password\n",
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        app,
        ["staff", "add", "boss", "--role", "manager", "--password-stdin"],
        input="another long password\n",
    )
    assert again.exit_code == 1
    assert "taken" in again.output
    for args in (
        ["--role", "wizard"],
        ["--role", "clerk", "--department", "nowhere"],
        ["--role", "clerk"],
    ):
        bad = runner.invoke(
            app, ["staff", "add", "x", *args, "--password-stdin"], input="a long enough password\n"
        )
        assert bad.exit_code == 1, args
    short = runner.invoke(
        app, ["staff", "add", "y", "--role", "admin", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1
    assert "at least" in short.output


def test_demo_command_adds_walked_applications(engine: Engine, env_database: str) -> None:
    result = runner.invoke(app, ["demo", "--applications", "22", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "added 22 demo applications" in result.output
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0
    with engine.begin() as connection:
        counted = connection.execute(text("SELECT SUM(count) FROM compliance_tally")).scalar()
        connection.execute(text("DELETE FROM compliance_tally"))
    rebuilt = runner.invoke(app, ["db", "rebuild-tallies"])
    assert rebuilt.exit_code == 0, rebuilt.output
    with engine.connect() as connection:
        again = connection.execute(text("SELECT SUM(count) FROM compliance_tally")).scalar()
    assert counted
    assert again == counted
