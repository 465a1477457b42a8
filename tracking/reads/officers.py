"""Officers compared with the peers of their department and role, for the dashboard: approval
rate, median days per step, deficiency-request rate and the share of required items waived
rather than verified, each flagged for review when its robust z-score is over 3 (and only where
the officer has enough cases for it to say anything). Peers are counted by the tally columns
``by`` names too (``office_id``: each office's officers against their own office's peers)."""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from tracking.reads.selection import TOTAL, Filters, T, grouping, percentile, tally_rows

# An officer as counted: the values of the columns ``by`` names, department, username.
Who = tuple[Any, ...]

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


def _signoffs(session: Session, f: Filters, by: tuple[str, ...]) -> dict[Who, dict[str, list[int]]]:
    """Per (``by``..., department, officer) and the role they signed off as: [waived, signed
    off] of the items their files were taken in with as required."""
    signed: dict[Who, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    groups = [*grouping(T, by), col(T.department), col(T.actor), col(T.key), col(T.flag)]
    for *person, role, waived, count in session.execute(
        select(*groups, TOTAL)
        .where(*tally_rows(f, "required_item", by_officer=False))
        .group_by(*groups)
    ).all():
        signed[tuple(person)][role][0] += int(count) if waived else 0
        signed[tuple(person)][role][1] += int(count)
    return signed


def officers(session: Session, f: Filters) -> list[dict[str, Any]]:
    """Per officer, against the peers of the same department and role: approval rate,
    median days per step, deficiency-request rate, waiver rate of required items (against
    those who signed off as the same role); |robust z| > 3 is flagged for review."""
    return officers_by(session, f).get((), [])


def officers_by(
    session: Session, f: Filters, *by: str
) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    """``officers`` per group of ``by``, each group's officers against its own peers."""
    peers = tally_rows(
        f, "approve", "refuse", "step", "deficiency_request", "received", by_officer=False
    )
    counts: dict[Who, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    histograms: dict[Who, list[tuple[int, int]]] = defaultdict(list)
    groups = [*grouping(T, by), col(T.department), col(T.actor), col(T.measure), col(T.days)]
    # Grouped in the order of ix_compliance_tally_months (the measure first): the months'
    # rows are summed as the index gives them, never sorted.
    order = [groups[-2], *groups[:-2], groups[-1]]
    for *person, measure, days, count in session.execute(
        select(*groups, TOTAL).where(*peers).group_by(*order)
    ).all():
        counts[tuple(person)][measure] += int(count)
        if measure == "step":
            histograms[tuple(person)].append((int(days), int(count)))

    people: dict[Who, dict[str, Any]] = defaultdict(dict)
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
    signed_as: dict[Who, str] = {}
    for key, by_role in _signoffs(session, f, by).items():
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
    flags: dict[Who, list[dict[str, Any]]] = defaultdict(list)
    for measure, basis in measures.items():
        # Peers: the same group and department (for waivers, the same role as well).
        peers_of: dict[tuple[Any, ...], dict[str, float]] = defaultdict(dict)
        for who, values in people.items():
            if values.get(measure) is not None and values.get(basis, 0) >= MIN_CASES:
                role = signed_as.get(who, "") if measure == "waiver_rate" else ""
                peers_of[(*who[:-1], role)][who[-1]] = float(values[measure])
        for (*within, _role), values in peers_of.items():
            for actor, z in _robust_z(values).items():
                peer = (*within, actor)
                people[peer].setdefault("z", {})[measure] = round(z, 2)
                if abs(z) > OUTLIER_Z:
                    flags[peer].append({"measure": measure, "z": round(z, 2)})
    rows: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for who, values in sorted(people.items()):
        group, (dept, actor) = who[:-2], who[-2:]
        if f.officer and actor != f.officer:
            continue
        rows[group].append(
            {
                "department": dept,
                "officer": actor,
                **values,
                "flagged": bool(flags.get(who)),
                "flags": flags.get(who, []),
            }
        )
    return dict(rows)
