"""Sign-in limits and tokens, through ``auth.login`` and ``auth.actor_from_token`` on the test
database (a SQLite file, or PostgreSQL with ``TIDTAM_TEST_DATABASE_URL``)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from tracking import auth
from tracking.db import DomainSession, unit_of_work
from tracking.errors import RateLimited

from .test_ratelimit import at_once

PASSWORD = "correct horse battery"
OFFICER = "somsak"
# Inside one 15-minute window and one hour window: every attempt of a test shares them.
NOW = datetime(2026, 3, 2, 3, 1, tzinfo=UTC)
# The limits (``tracking.auth``): failed checks for one username from one client per 15 minutes,
# for one client per 15 minutes, and for one username per hour.
PAIR, PER_CLIENT, PER_USERNAME = 5, 30, 30
CLIENT = "198.51.100.7"
CURRENT_KEY = "the key of this year"


class CountingHasher(PasswordHasher):
    """A hasher for the module that counts the passwords it checks."""

    def __init__(self, *, cheap: bool) -> None:
        if cheap:
            super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        else:  # the cost of production
            super().__init__()
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.checks += 1
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    """A cheap hasher, so that the tests can afford many sign-ins (the accounts' hashes, and
    the one unknown usernames are checked against, are made with it: a check costs what its
    hash says)."""
    counting = CountingHasher(cheap=True)
    monkeypatch.setattr(auth, "_hasher", counting)
    monkeypatch.setattr(auth, "_DUMMY_HASH", counting.hash("no account has this password"))
    return counting


def add_staff(engine: Engine, username: str) -> str:
    with unit_of_work(engine) as session:
        auth.create_staff(
            session,
            office_slug="pathumwan",
            username=username,
            role="officer",
            department="public-works",
            password=PASSWORD,
        )
    return username


@pytest.fixture
def officer(engine: Engine, hasher: CountingHasher) -> str:
    return add_staff(engine, OFFICER)


def attempt(
    engine: Engine,
    password: str,
    client: str = CLIENT,
    username: str = OFFICER,
    now: datetime = NOW,
) -> str:
    """One sign-in as the web routes make it (the session is committed even on a refusal):
    ``ok``, ``wrong`` (Unauthorized) or ``limited`` (RateLimited)."""
    with DomainSession(engine, expire_on_commit=False) as session:
        try:
            auth.login(session, username=username, password=password, client=client, now=now)
        except RateLimited:
            outcome = "limited"
        except auth.Unauthorized:
            outcome = "wrong"
        else:
            outcome = "ok"
        session.commit()
    return outcome


def test_concurrent_guesses_check_the_password_at_most_five_times(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cost of production here: the guesses overlap for as long as they do there.
    hasher = CountingHasher(cheap=False)
    monkeypatch.setattr(auth, "_hasher", hasher)
    monkeypatch.setattr(auth, "_DUMMY_HASH", hasher.hash("no account has this password"))
    username = add_staff(engine, "somchai")
    guesses = 30
    outcomes = at_once(guesses, lambda n: attempt(engine, f"guess number {n}", username=username))
    assert Counter(outcomes) == {"wrong": PAIR, "limited": guesses - PAIR}
    assert hasher.checks == PAIR
    # The right password is refused at this client now, unchecked.
    assert attempt(engine, PASSWORD, username=username) == "limited"
    assert hasher.checks == PAIR


def test_the_right_password_signs_in_from_another_client_while_one_is_locked_out(
    engine: Engine, officer: str
) -> None:
    for _ in range(PAIR):
        assert attempt(engine, "wrong guess") == "wrong"
    assert attempt(engine, PASSWORD) == "limited"
    assert attempt(engine, PASSWORD, client="203.0.113.9") == "ok"
    # Hammering the locked address does not add up to a lockout elsewhere either.
    for _ in range(3 * PER_USERNAME):
        assert attempt(engine, "wrong guess") == "limited"
    assert attempt(engine, PASSWORD, client="203.0.113.9") == "ok"


def test_one_client_cannot_reach_the_username_ceiling_within_the_hour(
    engine: Engine, officer: str
) -> None:
    hour = NOW.replace(minute=0)
    for quarter in range(4):
        now = hour + timedelta(minutes=15 * quarter + 1)
        outcomes = [attempt(engine, "wrong guess", now=now) for _ in range(PAIR + 2)]
        assert outcomes == ["wrong"] * PAIR + ["limited"] * 2
    assert attempt(engine, PASSWORD, client="203.0.113.9", now=hour + timedelta(minutes=59)) == "ok"


def test_the_username_ceiling_locks_every_client(engine: Engine, officer: str) -> None:
    clients = [f"192.0.2.{n}" for n in range(PER_USERNAME // PAIR)]
    for client in clients:
        for _ in range(PAIR):
            assert attempt(engine, "distributed guess", client=client) == "wrong"
    # The ceiling is reached: the right password is refused from a new address too ...
    with DomainSession(engine) as session, pytest.raises(RateLimited) as refused:
        auth.login(session, username=OFFICER, password=PASSWORD, client="203.0.113.9", now=NOW)
    hour_ends = NOW.replace(minute=0) + timedelta(hours=1)
    assert refused.value.retry_after == (hour_ends - NOW).total_seconds()
    # ... but only for this username: its refused attempts cost the address nothing, which
    # keeps all of its budget for other accounts ...
    for _ in range(PAIR):
        assert attempt(engine, PASSWORD, client="203.0.113.9") == "limited"
    for n in range(PER_CLIENT):
        assert attempt(engine, "nope", username=f"someone-{n}", client="203.0.113.9") == "wrong"
    # ... and only until the hour is over.
    assert attempt(engine, PASSWORD, client="203.0.113.9", now=hour_ends) == "ok"


def test_successes_do_not_use_the_budget_and_failures_stay_counted(
    engine: Engine, officer: str
) -> None:
    for _ in range(2 * PAIR):
        assert attempt(engine, PASSWORD) == "ok"
    for _ in range(PAIR):
        assert attempt(engine, "wrong guess") == "wrong"
    assert attempt(engine, PASSWORD) == "limited"


def test_a_failure_stays_counted_when_the_caller_rolls_back(engine: Engine, officer: str) -> None:
    for _ in range(PAIR):
        with pytest.raises(auth.Unauthorized), unit_of_work(engine) as session:
            auth.login(session, username=OFFICER, password="wrong", client=CLIENT, now=NOW)
    assert attempt(engine, PASSWORD) == "limited"


def test_unknown_and_known_usernames_get_the_same_answers(engine: Engine, officer: str) -> None:
    def errors(username: str) -> list[dict[str, Any]]:
        found = []
        for _ in range(PAIR + 1):
            with DomainSession(engine) as session:
                try:
                    auth.login(session, username=username, password="wrong", client=CLIENT, now=NOW)
                except (auth.Unauthorized, RateLimited) as exc:
                    found.append(exc.as_dict())
        return found

    known, unknown = errors(OFFICER), errors("nobody-by-this-name")
    assert known == unknown
    assert [e["error"] for e in known] == ["unauthorized"] * PAIR + ["rate_limited"]


# --- tokens ---------------------------------------------------------------------------------


def _token(engine: Engine, secret: str, *, now: datetime | None = None) -> str:
    with DomainSession(engine) as session:
        staff = auth.staff_by_username(session, OFFICER)
        assert staff is not None
        return auth.issue_token(staff, secret, now=now).access_token


def _accepted(engine: Engine, token: str, secret: str, previous: Any = ()) -> bool:
    with DomainSession(engine) as session:
        try:
            staff, actor = auth.actor_from_token(session, token, secret, previous=previous)
        except auth.Unauthorized:
            return False
        assert staff.username == actor.username == OFFICER
        return True


def test_a_token_signed_with_a_previous_key_is_accepted(engine: Engine, officer: str) -> None:
    old = _token(engine, "the key of last year")
    assert _accepted(engine, old, CURRENT_KEY, previous=["the key of last year"])
    # As the environment variable gives them: a comma-separated list.
    assert _accepted(engine, old, CURRENT_KEY, previous="older key, the key of last year")
    assert not _accepted(engine, old, CURRENT_KEY)
    # The call without previous keys keeps working for the current key.
    current = _token(engine, CURRENT_KEY)
    with DomainSession(engine) as session:
        assert auth.actor_from_token(session, current, CURRENT_KEY)[0].username == OFFICER


def test_a_token_signed_with_an_unknown_key_is_refused(engine: Engine, officer: str) -> None:
    forged = _token(engine, "a key nobody configured")
    assert not _accepted(engine, forged, CURRENT_KEY, previous=["the key of last year"])
    # A blank entry is no key: a token signed with the empty key stays refused.
    blank = _token(engine, "")
    assert not _accepted(engine, blank, CURRENT_KEY, previous=["", " "])
    assert not _accepted(engine, blank, CURRENT_KEY, previous=",")


def test_an_expired_token_of_a_previous_key_is_refused(engine: Engine, officer: str) -> None:
    expired = _token(engine, "the key of last year", now=datetime.now(UTC) - timedelta(days=1))
    assert not _accepted(engine, expired, CURRENT_KEY, previous=["the key of last year"])
