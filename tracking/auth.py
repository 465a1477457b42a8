"""Staff accounts, passwords (argon2) and bearer tokens.

A failed login says the same thing, and takes about as long, whether or not the username
exists: an unknown username is checked against a dummy hash.

Guessing is capped by three shared rate counters (every app process sees them), each counting
the password checks that failed in its fixed window:

- ``USER_CLIENT_FAILURES``, 5 per 15 minutes for one username from one client: the lockout. An
  attacker at one address locks the username out at that address only.
- ``CLIENT_FAILURES``, 30 per 15 minutes for one client over all usernames: spraying.
- ``USERNAME_FAILURES``, 30 per hour for one username over all clients: distributed guessing
  (at most 720 guesses a day on an account). One client adds at most 4 x 5 = 20 an hour to it
  (the windows are aligned), so no single address can lock an officer out everywhere; two or
  more working together can, until the hour is over: the price of the cap.

An attempt is counted on each of them in turn, atomically and before the password is checked,
and it is refused (``RateLimited``, even with the right password) at the first counter the
attempt takes over its limit; a refused attempt, like a successful one, is given back, so the
counters hold failed checks only (and the ones under way). Concurrent attempts therefore use
the budget one each: at most 5 passwords are checked in a window for a username from a client.

Tokens are signed with the current secret key only and accepted with it or any previous one,
so the key can be rotated without signing everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from checklists.schema import DEPARTMENTS, ROLES
from tracking import calendars, ratelimit
from tracking.access import CITY_WIDE_ROLES, OFFICE_WIDE_ROLES, Actor
from tracking.db import writer
from tracking.errors import DomainError, InvalidInput, RateLimited
from tracking.models import Staff, utcnow
from tracking.offices import office_by_slug

TOKEN_LIFETIME = timedelta(hours=8)
ALGORITHM = "HS256"
USER_CLIENT_FAILURES = ratelimit.Limit(hits=5, seconds=15 * 60)
CLIENT_FAILURES = ratelimit.Limit(hits=30, seconds=15 * 60)
USERNAME_FAILURES = ratelimit.Limit(hits=30, seconds=60 * 60)
MIN_PASSWORD = 10

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


TOO_MANY_ATTEMPTS = (
    "พยายามเข้าสู่ระบบหลายครั้งเกินไป กรุณารอสักครู่แล้วลองใหม่",
    "Too many sign-in attempts; wait a while and try again",
)
BAD_LOGIN = ("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "Wrong username or password")
BAD_TOKEN = ("กรุณาเข้าสู่ระบบใหม่", "Your sign-in is missing, invalid or expired; sign in again")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_staff(
    session: Session,
    *,
    username: str,
    role: str,
    department: str | None,
    password: str,
    display_name: str | None = None,
    office_slug: str | None,
) -> Staff:
    """Add a staff account of the office ``office_slug`` (none for the city-wide roles).
    Raises ``InvalidInput`` for an unknown role or department, a department on an office-wide
    role (or none on a departmental one), an office on a city-wide role (or none on another), a
    short password or a username already taken; ``NotFound`` for an unknown office."""
    if role not in ROLES:
        raise InvalidInput(f"ไม่รู้จักบทบาท {role!r}", f"Unknown role {role!r}", field="role")
    if role in OFFICE_WIDE_ROLES:
        if department:
            raise InvalidInput(
                "ผู้บริหารและผู้ดูแลระบบไม่สังกัดฝ่าย",
                f"The {role} role is office-wide; give no department",
                field="department",
            )
        department = None
    elif department not in DEPARTMENTS:
        raise InvalidInput(
            f"ไม่รู้จักฝ่าย {department!r}",
            f"Unknown department {department!r}; one of: {', '.join(DEPARTMENTS)}",
            field="department",
        )
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD} ตัวอักษร",
            f"The password must be at least {MIN_PASSWORD} characters",
            field="password",
        )
    staff = Staff(
        office_id=_office_id(session, role, office_slug),
        username=username,
        display_name=display_name or username,
        department=department,
        role=role,
        password_hash=hash_password(password),
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(staff)
    except IntegrityError:
        raise InvalidInput(
            f"มีชื่อผู้ใช้ {username!r} แล้ว", f"Username {username!r} is taken", field="username"
        ) from None
    return staff


def _office_id(session: Session, role: str, office_slug: str | None) -> int | None:
    """The office a new account of ``role`` belongs to: ``office_slug``'s, none for the
    city-wide roles."""
    if role in CITY_WIDE_ROLES:
        if office_slug:
            raise InvalidInput(
                "ผู้ตรวจสอบของกรุงเทพมหานครไม่สังกัดสำนักงานเขต",
                f"The {role} role reads every office; give no office",
                field="office",
            )
        return None
    if not office_slug:
        raise InvalidInput(
            "ระบุสำนักงานเขตของผู้ใช้", f"Give the office of the {role} account", field="office"
        )
    office = office_by_slug(session, office_slug)
    return office.id


def staff_by_username(session: Session, username: str) -> Staff | None:
    return session.exec(select(Staff).where(col(Staff.username) == username)).first()


def login(
    session: Session, *, username: str, password: str, client: str, now: datetime | None = None
) -> Staff:
    """The active staff member with these credentials.

    Raises ``RateLimited`` while the username, the client or the two together are over their
    failure limits (even with the right password), else ``Unauthorized``. The attempt is
    counted, and the account looked up, in a transaction of its own that is committed before
    the password is checked: no lock is held while argon2 runs and the count stands whether or
    not the caller commits; so is the giving back of a success's attempt. Call it before
    writing anything in ``session`` (on SQLite those transactions would wait for the
    session's). Only a rehashed password is left in ``session`` for the caller to commit.
    """
    if "\x00" in username or "\x00" in password or len(username) > 64:
        raise Unauthorized(*BAD_LOGIN)  # never a valid account; not worth a counter
    now = now or utcnow()
    limits = _login_limits(username, client)
    with _own_transaction(session) as connection:
        decision = ratelimit.hit_each(connection, limits, now=now)
        account = connection.execute(
            select_columns(col(Staff.id), col(Staff.password_hash), col(Staff.active)).where(
                col(Staff.username) == username
            )
        ).first()
    if not decision.allowed:
        raise RateLimited(*TOO_MANY_ATTEMPTS, retry_after=decision.retry_after)
    checked = account.password_hash if account else _DUMMY_HASH
    try:
        verified = _hasher.verify(checked, password) and account is not None and account.active
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified or account is None:
        raise Unauthorized(*BAD_LOGIN)  # the failure stays counted
    with _own_transaction(session) as connection:
        for key, limit in limits:
            ratelimit.give_back(connection, key, limit, now=now)
    staff = session.get(Staff, account.id)
    if staff is None or not staff.active or staff.password_hash != checked:
        raise Unauthorized(*BAD_LOGIN)  # deactivated or changed while the password was checked
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
        session.add(staff)
    return staff


def _login_limits(username: str, client: str) -> list[tuple[str, ratelimit.Limit]]:
    """The counters of a sign-in, in the order they are taken (see the module's docstring)."""
    user, place = _key_part(username.lower()), _key_part(client)
    return [
        (f"login-user-client:{len(user)}:{user}:{place}", USER_CLIENT_FAILURES),
        (f"login-client:{place}", CLIENT_FAILURES),
        (f"login-user:{user}", USERNAME_FAILURES),
    ]


def _key_part(text: str) -> str:
    # Counter keys have room for 64 characters of each part; a longer one goes by its digest.
    return text if len(text) <= 64 else hashlib.sha256(text.encode()).hexdigest()[:40]


@contextmanager
def _own_transaction(session: Session) -> Iterator[Connection]:
    """A transaction of its own on the session's engine, committed at the end; the session's
    connection if it is bound to one (a test's outer transaction, say)."""
    bind = session.get_bind()
    if isinstance(bind, Engine):
        with writer(bind).begin() as connection:
            yield connection
    else:
        yield session.connection()


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: datetime


def _signing_key(secret: str) -> bytes:
    # A fixed-length key derived from TIDTAM_SECRET_KEY, separate from its other uses.
    return hmac.new(secret.encode(), b"tidtam staff tokens", hashlib.sha256).digest()


def issue_token(staff: Staff, secret: str, *, now: datetime | None = None) -> Token:
    now = now or utcnow()
    expires = now + TOKEN_LIFETIME
    claims = {
        "sub": staff.username,
        "role": staff.role,
        "gen": staff.token_generation,
        "iat": now,
        "exp": expires,
    }
    return Token(jwt.encode(claims, _signing_key(secret), algorithm=ALGORITHM), expires)


class _Standing(Protocol):
    active: bool
    token_generation: int


_Account = TypeVar("_Account", bound=_Standing)


def actor_from_token(
    session: Session, token: str, secret: str, previous: Iterable[str] = ()
) -> tuple[Staff, Actor]:
    """The staff member a bearer token names, if it is valid and the account still active.

    The token may be signed with ``secret`` or with any of the ``previous`` keys (a string is
    taken as a comma-separated list, as ``TIDTAM_PREVIOUS_SECRET_KEYS`` would give it; blank
    entries are ignored). The role and department come from the account, not the token, so a
    change of role applies at once; a token issued before the account last signed out is
    refused. Raises ``Unauthorized``.
    """
    claims = _claims(token, secret, previous)
    staff = _current(staff_by_username(session, str(claims.get("sub", ""))), claims)
    return staff, Actor(staff.username, staff.role, staff.department, staff.office_id)


def _current(account: _Account | None, claims: dict[str, object]) -> _Account:
    """``account``, if it still takes a token with ``claims``: it exists, is active and has
    not signed out since the token was issued. Raises ``Unauthorized``."""
    if account is None or not account.active or claims.get("gen") != account.token_generation:
        raise Unauthorized(*BAD_TOKEN)
    return account


# Tokens already checked (signature and claims), for the rest of their lifetime: their claims
# and expiry by (token, keys). Whether the account still takes them is asked on each request.
_checked: dict[tuple[str, str, tuple[str, ...]], tuple[dict[str, object], float]] = {}
CHECKED_TOKENS = 10_000


def _claims(token: str, secret: str, previous: Iterable[str]) -> dict[str, object]:
    keys = _keys(previous)
    cache_key = (token, secret, tuple(keys))
    found = _checked.get(cache_key)
    if found is not None and found[1] > utcnow().timestamp():
        return found[0]
    claims = _decode(token, [secret, *keys])
    if len(_checked) >= CHECKED_TOKENS:
        _checked.clear()
    expires = claims.get("exp")
    if isinstance(expires, int | float):
        _checked[cache_key] = (claims, float(expires))
    return claims


def actor_for_token(
    session: Session, token: str, secret: str, previous: Iterable[str] = ()
) -> Actor:
    """The actor of ``actor_from_token``, in one query of the account's columns, which also
    reads the signature of the office's calendar days (``calendars.office_days_signature``: the
    calendar is then rebuilt only if they changed). A token's signature is checked once in
    its lifetime; whether the account is active, its role, department and sign-outs are read
    on every call, so a sign-out or a deactivation in any process applies to the next
    request. Raises ``Unauthorized``."""
    claims = _claims(token, secret, previous)
    office = col(Staff.office_id)
    row = session.execute(
        select_columns(
            col(Staff.username),
            col(Staff.role),
            col(Staff.department),
            office,
            col(Staff.active),
            col(Staff.token_generation),
            *calendars.office_days_signature(session, office),
        ).where(col(Staff.username) == str(claims.get("sub", "")))
    ).first()
    row = _current(row, claims)
    if row.office_id is not None:
        session.info.setdefault(calendars.DAYS_READ, {})[row.office_id] = tuple(row[6:])
    return Actor(row.username, row.role, row.department, row.office_id)


def _keys(previous: Iterable[str]) -> list[str]:
    listed = previous.split(",") if isinstance(previous, str) else previous
    return [key.strip() for key in listed if key.strip()]


def _decode(token: str, secrets: list[str]) -> dict[str, object]:
    # Signature first: a token that another key signed goes on to the next key; one that this
    # key signed but is expired or malformed is refused at once.
    for secret in secrets:
        try:
            claims: dict[str, object] = jwt.decode(
                token, _signing_key(secret), algorithms=[ALGORITHM], options={"require": ["exp"]}
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            break
        return claims
    raise Unauthorized(*BAD_TOKEN)


def sign_out(session: Session, staff: Staff) -> None:
    """End every session of ``staff``: tokens issued so far are refused from now on."""
    staff.token_generation += 1
    session.add(staff)
