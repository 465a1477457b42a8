"""Settings, read once from the environment (prefix ``TIDTAM_``), and the two keys a serving
process must hold: ``secret_key`` signs staff tokens, ``audit_key`` keys the audit trail's hash
chain. ``with_keys`` is the one place that checks them and, in development, makes them."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite:///tidtam.db"
MIN_KEY_BYTES = 32
# Once the built-in signing key: it is in the source, so it is refused wherever it turns up.
PUBLISHED_KEYS = frozenset({"dev-only-change-me"})
GENERATE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


# ``a, b`` in the environment (not JSON): the parts, stripped, empty ones dropped.
CommaSeparated = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_separated)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIDTAM_", extra="ignore")

    # development: keys not given are made on first start and kept beside the SQLite database.
    env: Literal["production", "development"] = "production"
    database_url: str = DEFAULT_DATABASE_URL
    # A read replica of it (PostgreSQL): public lookups and dashboards read there, by the lag
    # rule of ``tracking.replica``; empty: everything reads the primary.
    read_database_url: str = ""
    base_url: str = "http://127.0.0.1:8000"
    # Each key: the value, or a file holding it (``..._FILE``, e.g. a Docker secret).
    secret_key: str = ""
    secret_key_file: Path | None = None
    # Older token keys, still accepted on tokens signed before a key change.
    previous_secret_keys: CommaSeparated = ()
    audit_key: str = ""
    audit_key_file: Path | None = None
    # Addresses (or networks, or ``*``) whose X-Forwarded-For/-Proto are believed; none by default.
    trusted_proxies: CommaSeparated = ()
    office: str = "pathumwan"
    # Public lookups per client per minute, counted in the database for every process.
    track_rate_limit: int = 60
    # Outgoing mail for delay notices; empty host: notices are recorded, not e-mailed.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "no-reply@pathumwan.example"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False


WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


def listening_base_url(host: str, port: int) -> str:
    """The base URL of QR codes and links when ``TIDTAM_BASE_URL`` is not set: where
    ``tidtam serve`` listens (this machine's loopback for a wildcard address)."""
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{port}"


def follow_port(host: str, port: int) -> str:
    """Point ``TIDTAM_BASE_URL`` at where ``serve`` listens unless it is set: in this
    process's environment, which the workers it starts read. The base URL in force."""
    if not os.environ.get("TIDTAM_BASE_URL"):
        os.environ["TIDTAM_BASE_URL"] = listening_base_url(host, port)
        get_settings.cache_clear()
    return os.environ["TIDTAM_BASE_URL"]


class KeyProblem(Exception):
    """A key the app must not serve with; the message says what to set."""


@dataclass(frozen=True)
class Key:
    field: str
    suffix: str  # of the development file beside the database

    @property
    def env(self) -> str:
        return f"TIDTAM_{self.field.upper()}"


KEYS = (Key("secret_key", ".secret"), Key("audit_key", ".audit-key"))


def with_keys(settings: Settings) -> Settings:
    """``settings`` with both keys present and checked: each from ``TIDTAM_<KEY>``, else the
    file ``TIDTAM_<KEY>_FILE`` names, else (``env`` development only) the file beside the SQLite
    database, made with a random key (mode 0600) on first start. A key must be at least
    ``MIN_KEY_BYTES`` long and not a published one; the two keys must differ.
    Raises ``KeyProblem`` listing every problem."""
    found: dict[str, str] = {}
    problems: list[str] = []
    for key in KEYS:
        try:
            found[key.field] = _check(*_key(settings, key))
        except KeyProblem as exc:
            problems.append(str(exc))
    for old in settings.previous_secret_keys:
        try:
            _check(old, "TIDTAM_PREVIOUS_SECRET_KEYS (one of them)")
        except KeyProblem as exc:
            problems.append(str(exc))
    audit = found.get("audit_key")
    if audit is not None and audit in {found.get("secret_key"), *settings.previous_secret_keys}:
        problems.append("TIDTAM_AUDIT_KEY must differ from every token key (TIDTAM_SECRET_KEY)")
    if problems:
        raise KeyProblem(
            "\n".join(
                [
                    *problems,
                    f"Generate each key with: {GENERATE}",
                    "(For development only: `tidtam serve --demo`, or TIDTAM_ENV=development,"
                    " keeps generated keys beside the SQLite database.)",
                ]
            )
        )
    update = {**found, "secret_key_file": None, "audit_key_file": None}
    return settings.model_copy(update=update)


def audit_key(settings: Settings) -> str:
    """The audit key alone, for the commands that write or check the trail without serving:
    found and checked as ``with_keys`` finds it. Raises ``KeyProblem``."""
    key = next(k for k in KEYS if k.field == "audit_key")
    try:
        return _check(*_key(settings, key))
    except KeyProblem as exc:
        raise KeyProblem(
            f"{exc}\nGenerate it with: {GENERATE} (or, for a development database,"
            " set TIDTAM_ENV=development to use the key kept beside it)"
        ) from None


def export_keys(settings: Settings) -> None:
    """Put the keys of ``with_keys(settings)`` in this process's environment (instead of any
    ``..._FILE``), where the worker processes it starts read the very same keys."""
    for key in KEYS:
        os.environ.pop(f"{key.env}_FILE", None)
        os.environ[key.env] = getattr(settings, key.field)
    get_settings.cache_clear()


def _key(settings: Settings, key: Key) -> tuple[str, str]:
    """The key and where it came from."""
    value: str = getattr(settings, key.field)
    path: Path | None = getattr(settings, f"{key.field}_file")
    if value and path:
        raise KeyProblem(f"set {key.env} or {key.env}_FILE, not both")
    if path:
        return _read(path, f"{key.env}_FILE"), f"{key.env}_FILE ({path})"
    if not value and settings.env == "development":
        kept = _beside_database(settings.database_url, key)
        return _kept(kept, key.env), f"{key.env} (the development key file {kept})"
    return value, key.env


def _check(value: str, name: str) -> str:
    if not value:
        raise KeyProblem(f"{name} is not set")
    if value in PUBLISHED_KEYS:
        raise KeyProblem(f"{name} is the development default published in the source")
    if len(value.encode()) < MIN_KEY_BYTES:
        raise KeyProblem(f"{name} is {len(value.encode())} bytes; it needs {MIN_KEY_BYTES} or more")
    return value


def _beside_database(database_url: str, key: Key) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in {None, "", ":memory:"}:
        raise KeyProblem(
            f"{key.env} is not set, and a development key is kept beside a SQLite database"
            " file, which TIDTAM_DATABASE_URL does not name"
        )
    return Path(f"{url.database}{key.suffix}")


def _kept(path: Path, name: str) -> str:
    """The key in ``path``; a new one there if there is none. A new file is written whole
    under another name and linked into place, so processes starting together all read the
    one that was linked first."""
    if not path.exists():
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        try:
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        except OSError as exc:
            raise KeyProblem(f"{name}: cannot write the development key {path}: {exc}") from exc
    return _read(path, name)


def _read(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise KeyProblem(f"{name}: cannot read {path}: {exc.strerror}") from exc


@cache
def get_settings() -> Settings:
    """The settings as the environment gives them; a worker started by ``tidtam serve`` finds
    the keys ``with_keys`` checked there (``export_keys``)."""
    return Settings()
