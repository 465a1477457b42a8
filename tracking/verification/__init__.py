"""``tidtam audit verify``: the trail proves the whole file.

For every application, in id order (``trails``): its events form one unbroken keyed chain
from an intake at the type's first step; each transition is one the permit type's machine has,
from the step the file was then at; the stored application row equals the facts its last event
made true (state, outcome, due and decided dates, the clock, the applicant's deadline, a digest
of the applicant and subject); its checklist rows are the type's items, each at the status its
last checklist event set; its event count and head match, and so do its delay notices. Then the
anchors (``tracking.trail.anchors``) must still hold, and the compliance tallies, cases and
open-file counts must equal a recount of the trails read (``tracking.trail.recount``).

The files are read in runs of ``BATCH`` ids. With several workers, each forked process takes
every n-th run and recounts its share; this process meanwhile checks the anchors and reads the
stored tallies, then merges the recounts and compares.
"""

from __future__ import annotations

import gc
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from sqlalchemy import Connection, Engine

from tracking.db import make_engine
from tracking.trail import anchors, recount
from tracking.trail.audit import Finding, audit_key
from tracking.trail.rows import rows
from tracking.verification import trails

BATCH = 5000
NO_FINDING = 2**62


@dataclass(frozen=True)
class VerifyResult:
    applications: int
    events: int
    broken: Finding | None


@dataclass
class Share:
    """What one process found in its runs: per run checked (run, applications, events), the
    first finding with its run, and the recount of the files that passed."""

    runs: list[tuple[int, int, int]] = field(default_factory=list)
    found: tuple[int, Finding] | None = None
    counted: recount.Recount = field(default_factory=recount.Recount)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector: a scan makes millions of small objects that form
    no cycles, and each collection would walk the growing recount again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_share(
    connection: Connection,
    key: bytes,
    runs: Sequence[tuple[int, int, int]],
    report: Callable[[int], None],
    first_finding: Synchronized,  # type: ignore[type-arg]
) -> Share:
    """Check ``runs`` ((run, first id, last id), in order), stopping at a finding or at a run
    past the first one found by any process (``first_finding``, a shared run number)."""
    share = Share()
    with _no_cycle_collection():
        for run, first, last in runs:
            if run >= first_finding.value:
                break
            applications, events, found = trails.check(connection, key, first, last, share.counted)
            share.runs.append((run, applications, events))
            report(applications)
            if found:
                share.found = (run, found)
                with first_finding.get_lock():
                    first_finding.value = min(first_finding.value, run)
                break
    share.counted.close()
    return share


def _runs(connection: Connection) -> list[tuple[int, int, int]]:
    """The application ids in runs of ``BATCH`` ids: (run, first id, last id)."""
    ((low, high),) = rows(connection, "SELECT MIN(id), MAX(id) FROM application")
    if low is None:
        return []
    return [
        (n, first, min(first + BATCH - 1, high))
        for n, first in enumerate(range(low, high + 1, BATCH))
    ]


_worker: dict[str, Any] = {}


def _start_worker(url: str, key: bytes, progress: Any, first_finding: Any) -> None:
    _worker.update(engine=make_engine(url), key=key, progress=progress, first=first_finding)


def _share_in_worker(runs: list[tuple[int, int, int]]) -> Share:
    with _worker["engine"].connect() as connection:
        return _check_share(
            connection, _worker["key"], runs, _worker["progress"].put, _worker["first"]
        )


def verify(
    engine: Engine,
    *,
    anchor: str | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = 1,
) -> VerifyResult:
    """Check every trail, the anchors and the tallies; report the first finding (trails in id
    order first). ``anchor``: a digest an auditor kept, which must still hold. ``progress``
    is called with the number of applications checked as each run is done. Each process
    reads its own snapshot: verify an office at rest, or expect files changed meanwhile to be
    reported."""
    key = audit_key()
    report = progress or (lambda _n: None)
    with engine.connect() as connection:
        runs = _runs(connection)
    trails.prepare()
    office: list[Any] = []
    checker = threading.Thread(target=lambda: office.extend(_office(engine, anchor)))
    # This process too: it reads the stored tallies and takes in the recounts, as many objects.
    with _no_cycle_collection():
        if workers > 1 and len(runs) > 1:
            shares = _in_workers(engine, key, runs, workers, report, checker.start)
        else:
            checker.start()
            first_finding = get_context().Value("q", NO_FINDING)
            with engine.connect() as connection:
                shares = [_check_share(connection, key, runs, report, first_finding)]
        checker.join()
        return _result(shares, *office)


def _in_workers(
    engine: Engine,
    key: bytes,
    runs: list[tuple[int, int, int]],
    workers: int,
    report: Callable[[int], None],
    started: Callable[[], None],
) -> list[Share]:
    """Each of ``workers`` forked processes checks every n-th run; ``started`` is called
    once they all run (a thread started before the fork would not be in them). They inherit
    the catalogue and machines already built, and no open connection (the engine's pool is
    emptied first): each opens its own."""
    context = get_context("fork")
    done: Any = context.Queue()
    first_finding = context.Value("q", NO_FINDING)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(url, key, done, first_finding),
    ) as pool:
        futures = [pool.submit(_share_in_worker, runs[n::workers]) for n in range(workers)]
        started()
        while not all(f.done() for f in futures):
            try:
                report(done.get(timeout=0.2))
            except queue.Empty:
                continue
        wait(futures)
        while not done.empty():
            report(done.get())
        return [f.result() for f in futures]


def _result(shares: list[Share], anchored: Finding | None, kept: Any) -> VerifyResult:
    found = min((s.found for s in shares if s.found), key=lambda f: f[0], default=None)
    limit = found[0] if found else NO_FINDING
    checked = [r for s in shares for r in s.runs if r[0] < limit or (found and r[0] == limit)]
    applications = sum(r[1] for r in checked)
    events = sum(r[2] for r in checked)
    if found:
        return VerifyResult(applications, events, found[1])
    if anchored:
        return VerifyResult(applications, events, anchored)
    if recount.add_up(kept, [share.counted for share in shares]):
        return VerifyResult(applications, events, None)
    counted, *others = (share.counted for share in shares)
    for other in others:
        counted.merge(other)
    return VerifyResult(applications, events, recount.difference(kept, counted.tables()))


def _office(engine: Engine, anchor: str | None) -> tuple[Finding | None, Any]:
    """The anchors' finding, and the stored tallies to compare with the recount."""
    with engine.begin() as connection:
        return anchors.check(connection, anchor), recount.stored(connection)
