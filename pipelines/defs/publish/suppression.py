"""Small-group suppression for everything published (metrics.md, Privacy).

Primary: a unit of fewer than k people is withheld. Complementary: under every published
parent, the cells (its child units plus its own direct members as an implicit cell) hold
either no withheld cell or at least two, so no withheld figure can be recovered by
subtracting the published ones from the parent. A direct-members cell of 1 to k-1 people
counts as withheld; an empty one does not exist. When a second cell must be withheld, the
smallest published sibling is; if no sibling is left, the parent itself is."""

from __future__ import annotations

from collections.abc import Mapping


def suppressed_units(
    headcount: Mapping[str, int], parent: Mapping[str, str | None], k: int
) -> set[str]:
    """Units to withhold in one month's tree. `headcount` is each unit's subtree headcount;
    `parent` maps each unit to its parent (None for the root)."""
    children: dict[str, list[str]] = {}
    for unit, up in parent.items():
        if up is not None and up in headcount:
            children.setdefault(up, []).append(unit)

    withheld = {unit for unit, n in headcount.items() if n < k}
    changed = True
    while changed:  # withholding a unit can leave its own parent's family with one withheld cell
        changed = False
        for unit in sorted(children):
            if unit in withheld:
                continue
            kids = children[unit]
            direct = headcount[unit] - sum(headcount[c] for c in kids)
            withheld_cells = sum(c in withheld for c in kids) + (0 < direct < k)
            if withheld_cells != 1:
                continue
            published = [c for c in kids if c not in withheld]
            victim = min(published, key=lambda c: (headcount[c], c)) if published else unit
            withheld.add(victim)
            changed = True
    return withheld
