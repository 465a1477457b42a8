"""Staff accounts, passwords (argon2) and bearer tokens.

A failed login says the same thing, and takes about as long, whether or not the username
exists: an unknown username is checked against a dummy hash. Failures are counted per username
and per client in the shared rate counters, so guessing is slowed across every app process.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from checklists.schema import DEPARTMENTS, ROLES
from tracking import ratelimit
from tracking.access import OFFICE_WIDE_ROLES, Actor
from tracking.errors import DomainError, InvalidInput, RateLimited
from tracking.models import Staff, utcnow
from tracking.workflow.intake import office_by_slug

TOKEN_LIFETIME = timedelta(hours=8)
ALGORITHM = "HS256"
USERNAME_FAILURES = ratelimit.Limit(hits=5, seconds=15 * 60)
CLIENT_FAILURES = ratelimit.Limit(hits=30, seconds=15 * 60)
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
    office_slug: str,
) -> Staff:
    """Add a staff account. Raises ``InvalidInput`` for an unknown role or department, a
    department on an office-wide role (or none on a departmental one), a short password or a
    username already taken."""
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
    office = office_by_slug(session, office_slug)
    assert office.id is not None
    staff = Staff(
        office_id=office.id,
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


def staff_by_username(session: Session, username: str) -> Staff | None:
    return session.exec(select(Staff).where(col(Staff.username) == username)).first()


def login(
    session: Session, *, username: str, password: str, client: str, now: datetime | None = None
) -> Staff:
    """The active staff member with these credentials.

    Raises ``RateLimited`` while the username or the client is over its failure limit
    (even with the right password), else ``Unauthorized``. Failures are counted in
    ``session``: the caller commits them even when it reports the error.
    """
    if "\x00" in username or "\x00" in password or len(username) > 64:
        raise Unauthorized(*BAD_LOGIN)  # never a valid account; not worth a counter
    keys = [
        (f"login-user:{username.lower()}", USERNAME_FAILURES),
        (f"login-client:{client}", CLIENT_FAILURES),
    ]
    for key, limit in keys:
        decision = ratelimit.peek(session, key, limit, now=now)
        if not decision.allowed:
            raise RateLimited(*TOO_MANY_ATTEMPTS, retry_after=decision.retry_after)
    staff = staff_by_username(session, username)
    try:
        _hasher.verify(staff.password_hash if staff else _DUMMY_HASH, password)
        ok = staff is not None and staff.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or staff is None:
        for key, limit in keys:
            ratelimit.hit(session, key, limit, now=now)
        raise Unauthorized(*BAD_LOGIN)
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
        session.add(staff)
    return staff


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


def actor_from_token(session: Session, token: str, secret: str) -> tuple[Staff, Actor]:
    """The staff member a bearer token names, if it is valid and the account still active.

    The role and department come from the account, not the token, so a change of role
    applies at once; a token issued before the account last signed out is refused.
    Raises ``Unauthorized``.
    """
    try:
        claims = jwt.decode(
            token, _signing_key(secret), algorithms=[ALGORITHM], options={"require": ["exp"]}
        )
    except jwt.PyJWTError:
        raise Unauthorized(*BAD_TOKEN) from None
    staff = staff_by_username(session, str(claims.get("sub", "")))
    if staff is None or not staff.active or claims.get("gen") != staff.token_generation:
        raise Unauthorized(*BAD_TOKEN)
    return staff, Actor(staff.username, staff.role, staff.department, staff.office_id)


def sign_out(session: Session, staff: Staff) -> None:
    """End every session of ``staff``: tokens issued so far are refused from now on."""
    staff.token_generation += 1
    session.add(staff)
