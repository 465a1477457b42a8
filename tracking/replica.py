"""Reads that may be answered by a PostgreSQL read replica (``TIDTAM_READ_DATABASE_URL``).

The public lookups (the status page, its JSON, the QR codes:
``tracking.reads.public.lookup_at_least``) and the dashboards (``/stats``, ``/manager``, the
compliance summary) read from the replica when one is set; everything else, every write and
every sign-in check among them, goes to the primary. Without the setting the "replica" is the
primary itself and nothing changes.

A streaming replica lags the primary by a moment, and a citizen must never be shown an older
state of their file than the receipt in their hand. So the receipt carries what it printed:
the tracking link and its QR code end in ``?v=N``, the application's ``version`` (bumped by
compare-and-set on every change of the file: ``tracking.workflow.transitions.claim``). The
lag rule of a lookup with that marker:

- the replica is read first; if it has the file at version ``N`` or later, its answer stands
  (a replica replays whole transactions in commit order, so the file's checklist, events and
  step are at least as new as that version);
- if the replica does not have the file yet, or has it at an older version, the primary
  answers instead.

A lookup without the marker (a code typed by hand, an old link) reads the replica as it is,
except that a file the replica does not know yet is looked up on the primary: a receipt's code
typed in right after intake must not be "unknown". A replica that fails (unreachable, or a
query cancelled by replay) is logged, the primary answers, and the replica is left alone for
``REST_SECONDS`` so that a dead one does not cost every lookup a connection timeout.

Why the version and not the primary's WAL position (LSN): the version is the file's own,
read in the same row as the state the page shows, so the check costs no extra query and no
replication-admin function; it means the same on SQLite, on the primary and on any replica
(a rebuilt or promoted one too); and the URL stays short on paper. Its limit: what changes a
file without bumping its version (the delay letters of ``tidtam notices run``) is not part of
what the receipt printed and may appear on the replica a moment after the primary.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from tracking.config import Settings
from tracking.db import make_engine
from tracking.errors import NotFound

log = logging.getLogger("tidtam.replica")

# A replica that does not answer must not hold up a lookup the primary can answer.
CONNECT_TIMEOUT_SECONDS = 3
REST_SECONDS = 5.0
_resting_until: dict[Engine, float] = {}
T = TypeVar("T")


def read_engine(settings: Settings, primary: Engine) -> Engine:
    """The engine of the replica named by ``read_database_url``; ``primary`` when none is."""
    url = settings.read_database_url
    if not url:
        return primary
    if make_url(url).get_backend_name() != "postgresql":
        return make_engine(url)
    return make_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading only; nothing it holds is ever committed."""
    with Session(engine, autoflush=False) as session:
        try:
            yield session
        finally:
            session.rollback()


def prefer_replica(
    primary: Engine,
    replica: Engine,
    read: Callable[[Connection], T],
    fresh: Callable[[T], bool] = lambda _: True,
) -> T:
    """``read`` on ``replica`` if what it reads there is ``fresh``; else ``read`` on
    ``primary``: also when the replica raises ``NotFound`` (it may not have the row yet) or
    fails (then it rests for ``REST_SECONDS``). Raises what ``read`` raises on the primary."""
    if replica is not primary and _resting_until.get(replica, 0.0) <= time.monotonic():
        try:
            with replica.connect() as connection:
                found = read(connection)
            if fresh(found):
                return found
        except NotFound:
            pass
        except OperationalError:
            log.warning("read replica failed; reading the primary", exc_info=True)
            _resting_until[replica] = time.monotonic() + REST_SECONDS
    with primary.connect() as connection:
        return read(connection)
