"""Officers compared with the peers of their department and role, for the dashboard: approval
rate, median days per step, deficiency-request rate and the share of required items waived
rather than verified, each flagged for review when its robust z-score is over 3 (and only where
the officer has enough cases for it to say anything)."""

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


def _signoffs(session: Session, f: Filters) -> dict[tuple[str, str], dict[str, list[int]]]:
    """Per (department, officer) and the role they signed off as: [waived, signed off] of the
    items their files were taken in with as required."""
    signed: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    for dept, actor, role, waived, count in session.execute(
        select(col(T.department), col(T.actor), col(T.key), col(T.flag), TOTAL)
        .where(*tally_rows(f, "required_item", by_officer=False))
        .group_by(col(T.department), col(T.actor), col(T.key), col(T.flag))
    ).all():
        signed[(dept, actor)][role][0] += int(count) if waived else 0
        signed[(dept, actor)][role][1] += int(count)
    return signed


def officers(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Per officer, against the peers of the same department and role: approval rate,
    median days per step, deficiency-request rate, waiver rate of required items (against
    those who signed off as the same role); |robust z| > 3 is flagged for review."""
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
    # Waivers are compared among those who signed off as the same role (mostly).
    signed_as: dict[tuple[str, str], str] = {}
    for key, by_role in _signoffs(session, f).items():
        waived, total = (sum(v[i] for v in by_role.values()) for i in (0, 1))
        people[key].update(
            signoffs=total, waivers=waived, waiver_rate=round(waived / total, 4) if total else 0.0
        )
        signed_as[key] = max(by_role, key=lambda role: (by_role[role][1], role))
    # Each measure with the count it rests on: too few cases say nothing about a person.
    measures = {
        "approval_rate": "decisions",
        "median_step_days": "steps",
        "deficiency_rate": "intakes",
        "waiver_rate": "signoffs",
    }
    flags: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for measure, basis in measures.items():
        peers_of: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
        for (dept, actor), values in people.items():
            if values.get(measure) is not None and values.get(basis, 0) >= MIN_CASES:
                role = signed_as.get((dept, actor), "") if measure == "waiver_rate" else ""
                peers_of[(dept, role)][actor] = float(values[measure])
        for (dept, _role), values in peers_of.items():
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
