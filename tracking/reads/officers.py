"""Officers compared with the peers of their department and role, for the dashboard: approval
rate, median days per step and deficiency-request rate, each flagged for review when its robust
z-score is over 3 (and only where the officer has enough cases for it to say anything)."""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from tracking.reads.selection import TOTAL, Filters, T, percentile, tally_rows

OUTLIER_Z = 3.0
MIN_CASES = 3


def _robust_z(values: dict[str, float]) -> dict[str, float]:
    """Modified z-scores (median and median absolute deviation); the mean absolute
    deviation stands in when more than half the peers share one value."""
    if len(values) < 3:
        return {}
    centre = median(values.values())
    deviations = [abs(v - centre) for v in values.values()]
    mad = median(deviations)
    if mad:
        return {k: 0.6745 * (v - centre) / mad for k, v in values.items()}
    mean_ad = sum(deviations) / len(deviations)
    if not mean_ad:
        return dict.fromkeys(values, 0.0)
    return {k: (v - centre) / (1.253314 * mean_ad) for k, v in values.items()}


def officers(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Per officer, against the peers of the same department and role: approval rate,
    median days per step, deficiency-request rate; |robust z| > 3 is flagged for review."""
    peers = tally_rows(
        f, "approve", "refuse", "step", "deficiency_request", "received", by_officer=False
    )
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    histograms: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for dept, actor, measure, days, count in session.execute(
        select(col(T.department), col(T.actor), col(T.measure), col(T.days), TOTAL)
        .where(*peers)
        .group_by(col(T.department), col(T.actor), col(T.measure), col(T.days))
    ).all():
        counts[(dept, actor)][measure] += int(count)
        if measure == "step":
            histograms[(dept, actor)].append((int(days), int(count)))

    people: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for key, n in counts.items():
        if decided := n["approve"] + n["refuse"]:
            people[key].update(decisions=decided, approval_rate=round(n["approve"] / decided, 4))
        if key in histograms:
            people[key].update(
                steps=sum(c for _, c in histograms[key]),
                median_step_days=percentile(histograms[key], 0.5),
            )
        if n["received"]:
            people[key].update(
                intakes=n["received"],
                deficiency_rate=round(n["deficiency_request"] / n["received"], 4),
            )
    # Each measure with the count it rests on: too few cases say nothing about a person.
    measures = {
        "approval_rate": "decisions",
        "median_step_days": "steps",
        "deficiency_rate": "intakes",
    }
    flags: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for measure, basis in measures.items():
        by_dept: dict[str, dict[str, float]] = defaultdict(dict)
        for (dept, actor), values in people.items():
            if values.get(measure) is not None and values.get(basis, 0) >= MIN_CASES:
                by_dept[dept][actor] = float(values[measure])
        for dept, values in by_dept.items():
            for actor, z in _robust_z(values).items():
                people[(dept, actor)].setdefault("z", {})[measure] = round(z, 2)
                if abs(z) > OUTLIER_Z:
                    flags[(dept, actor)].append({"measure": measure, "z": round(z, 2)})
    rows = []
    for (dept, actor), values in sorted(people.items()):
        if f.officer and actor != f.officer:
            continue
        rows.append(
            {
                "department": dept,
                "officer": actor,
                **values,
                "flagged": bool(flags.get((dept, actor))),
                "flags": flags.get((dept, actor), []),
            }
        )
    return rows
