"""Small-group suppression for everything published (metrics.md, Privacy).

Primary: a unit of fewer than k people is withheld. Complementary, until nothing changes:

1. Under every published parent, the cells (its child units plus its own direct members as an
   implicit cell) hold either no withheld cell or at least two, so no withheld figure can be
   recovered by subtracting the published ones from the parent. A direct-members cell of 1 to
   k-1 people counts as withheld; an empty one does not exist. When a second cell must be
   withheld, the smallest published sibling is; if no sibling is left, the parent itself is.
2. A withheld unit with child units keeps at least one of its cells withheld: otherwise its
   figures are the sum of its published children (plus its published direct members), and
   it could be recovered by addition. The smallest published child is withheld.

Counts are additive over disjoint subtrees (distinct people never sit in two cells), which is
what makes both subtraction and addition possible, and both rules necessary."""

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
    while changed:  # withholding a unit can leave its parent's or its own family short
        changed = False
        for unit in sorted(children):
            kids = children[unit]
            direct = headcount[unit] - sum(headcount[c] for c in kids)
            withheld_cells = sum(c in withheld for c in kids) + (0 < direct < k)
            published = [c for c in kids if c not in withheld]
            if unit not in withheld and withheld_cells == 1:  # rule 1: recoverable by subtraction
                victim = min(published, key=lambda c: (headcount[c], c)) if published else unit
            elif unit in withheld and withheld_cells == 0 and published:  # rule 2: by addition
                victim = min(published, key=lambda c: (headcount[c], c))
            else:
                continue
            withheld.add(victim)
            changed = True
    return withheld
