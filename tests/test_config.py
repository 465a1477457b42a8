"""Settings from the environment, and the keys ``with_keys`` lets a serving process start with."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tracking.config import KeyProblem, Settings, export_keys, follow_port, with_keys

SECRET = "s" * 32
AUDIT = "a" * 32


@pytest.fixture(autouse=True)
def _no_tidtam_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("TIDTAM_")]:
        monkeypatch.delenv(name)


def _problem(settings: Settings) -> str:
    with pytest.raises(KeyProblem) as caught:
        with_keys(settings)
    return str(caught.value)


def test_lists_are_comma_separated_and_proxies_none_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().trusted_proxies == ()
    assert Settings().env == "production"
    monkeypatch.setenv("TIDTAM_PREVIOUS_SECRET_KEYS", f" {'o' * 32}, {'p' * 32} ,")
    monkeypatch.setenv("TIDTAM_TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8")
    settings = Settings()
    assert settings.previous_secret_keys == ("o" * 32, "p" * 32)
    assert settings.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")


def test_production_needs_both_keys_and_says_how_to_make_them() -> None:
    said = _problem(Settings())
    assert "TIDTAM_SECRET_KEY is not set" in said
    assert "TIDTAM_AUDIT_KEY is not set" in said
    assert 'python -c "import secrets; print(secrets.token_urlsafe(48))"' in said
    assert with_keys(Settings(secret_key=SECRET, audit_key=AUDIT)).secret_key == SECRET
    thai = "ก" * 11  # 11 characters, 33 bytes: the length counted is in bytes
    assert with_keys(Settings(secret_key=thai, audit_key=AUDIT)).secret_key == thai


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"secret_key": "dev-only-change-me"}, "TIDTAM_SECRET_KEY is the development default"),
        ({"secret_key": "x" * 31}, "TIDTAM_SECRET_KEY is 31 bytes"),
        ({"audit_key": SECRET}, "TIDTAM_AUDIT_KEY must differ"),
        ({"previous_secret_keys": (AUDIT,)}, "TIDTAM_AUDIT_KEY must differ"),
        ({"previous_secret_keys": ("old",)}, "TIDTAM_PREVIOUS_SECRET_KEYS (one of them) is 3"),
    ],
)
def test_weak_or_shared_keys_are_refused(changes: dict[str, object], said: str) -> None:
    settings = Settings(secret_key=SECRET, audit_key=AUDIT).model_copy(update=changes)
    assert said in _problem(settings)


def test_development_keeps_two_keys_beside_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    first = with_keys(Settings(env="development", database_url=url))
    secret, audit = tmp_path / "office.db.secret", tmp_path / "office.db.audit-key"
    assert first.secret_key == secret.read_text().strip()
    assert first.audit_key == audit.read_text().strip()
    assert first.secret_key != first.audit_key
    assert len(first.secret_key) >= 32
    for path in (secret, audit):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["office.db.audit-key", "office.db.secret"]
    again = with_keys(Settings(env="development", database_url=url))
    assert (again.secret_key, again.audit_key) == (first.secret_key, first.audit_key)
    given = with_keys(Settings(env="development", database_url=url, secret_key="g" * 40))
    assert (given.secret_key, given.audit_key) == ("g" * 40, first.audit_key)


def test_development_keys_need_a_sqlite_file() -> None:
    for url in ("postgresql+psycopg://tidtam:hunter2@db/tidtam", "sqlite://"):
        said = _problem(Settings(env="development", database_url=url))
        assert "TIDTAM_SECRET_KEY is not set" in said
        assert "hunter2" not in said


def test_keys_from_files_reach_the_workers_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TIDTAM_SECRET_KEY", "TIDTAM_AUDIT_KEY"):  # restored after ``export_keys``
        monkeypatch.setenv(name, "")
    (tmp_path / "secret").write_text(SECRET + "\n")
    (tmp_path / "audit").write_text(AUDIT)
    monkeypatch.setenv("TIDTAM_SECRET_KEY_FILE", str(tmp_path / "secret"))
    monkeypatch.setenv("TIDTAM_AUDIT_KEY_FILE", str(tmp_path / "audit"))
    both = Settings(secret_key=SECRET, secret_key_file=tmp_path / "secret", audit_key=AUDIT)
    assert "set TIDTAM_SECRET_KEY or TIDTAM_SECRET_KEY_FILE, not both" in _problem(both)
    missing = Settings(secret_key_file=tmp_path / "nowhere")
    assert "TIDTAM_SECRET_KEY_FILE: cannot read" in _problem(missing)
    settings = with_keys(Settings())
    assert (settings.secret_key, settings.audit_key) == (SECRET, AUDIT)
    export_keys(settings)
    assert "TIDTAM_SECRET_KEY_FILE" not in os.environ
    worker = with_keys(Settings())
    assert (worker.secret_key, worker.audit_key) == (SECRET, AUDIT)


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 18150, "http://127.0.0.1:18150"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),
        ("::", 9000, "http://127.0.0.1:9000"),
        ("::1", 9000, "http://[::1]:9000"),
        ("tidtam.local", 8000, "http://tidtam.local:8000"),
    ],
)
def test_the_base_url_follows_the_port_serve_listens_on(
    monkeypatch: pytest.MonkeyPatch, host: str, port: int, url: str
) -> None:
    monkeypatch.setenv("TIDTAM_BASE_URL", "")  # not set (and put back afterwards)
    assert follow_port(host, port) == url
    assert Settings().base_url == url  # what the workers `serve` starts read


def test_a_base_url_that_is_set_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDTAM_BASE_URL", "https://tidtam.example.go.th")
    assert follow_port("0.0.0.0", 18150) == "https://tidtam.example.go.th"
    assert Settings().base_url == "https://tidtam.example.go.th"
