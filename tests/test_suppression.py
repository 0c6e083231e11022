"""Primary and complementary suppression (metrics.md, Privacy), cases worked out by hand."""

import pytest

from pipelines.defs.publish.suppression import suppressed_units


def test_nothing_small_nothing_withheld():
    headcount = {"P": 20, "A": 10, "B": 10}
    parent = {"P": None, "A": "P", "B": "P"}
    assert suppressed_units(headcount, parent, k=5) == set()


def test_one_small_child_would_be_recoverable_so_the_smallest_published_sibling_goes_too():
    # P=20 = A 10 + B 7 + C 3 (no direct members). Withholding C alone leaves C = P - A - B.
    headcount = {"P": 20, "A": 10, "B": 7, "C": 3}
    parent = {"P": None, "A": "P", "B": "P", "C": "P"}
    assert suppressed_units(headcount, parent, k=5) == {"C", "B"}


def test_small_direct_members_count_as_a_withheld_cell():
    # P=20 = A 10 + B 8 + 2 direct members: the implicit cell of 2 would be P - A - B.
    headcount = {"P": 20, "A": 10, "B": 8}
    parent = {"P": None, "A": "P", "B": "P"}
    assert suppressed_units(headcount, parent, k=5) == {"B"}


def test_two_small_cells_protect_each_other():
    # P=20 = A 15 + B 3 + 2 direct members: two withheld cells, nothing more to do.
    headcount = {"P": 20, "A": 15, "B": 3}
    parent = {"P": None, "A": "P", "B": "P"}
    assert suppressed_units(headcount, parent, k=5) == {"B"}


def test_no_sibling_left_so_the_parent_is_withheld_and_that_cascades_upwards():
    # M=30 = P 12 + Q 18. P=12 = A 3 + 9 direct members: A is withheld, the only other cell
    # is P's own direct members, so P must go; then M's family has one withheld cell (P),
    # and Q, the smallest published sibling, goes too.
    headcount = {"M": 30, "P": 12, "A": 3, "Q": 18}
    parent = {"M": None, "P": "M", "A": "P", "Q": "M"}
    assert suppressed_units(headcount, parent, k=5) == {"A", "P", "Q"}


def test_ties_pick_the_smaller_code_so_the_result_is_deterministic():
    headcount = {"P": 23, "A": 7, "B": 7, "C": 9}
    parent = {"P": None, "A": "P", "B": "P", "C": "P"}
    # direct members = 0; no withheld cell at all
    assert suppressed_units(headcount, parent, k=5) == set()
    headcount = {"P": 17, "A": 7, "B": 7, "C": 3}
    assert suppressed_units(headcount, parent, k=5) == {"A", "C"}


@pytest.mark.parametrize("k", [5, 10])
def test_k_is_a_strict_lower_bound(k):
    headcount = {"P": 40, "A": k, "B": 40 - k}
    parent = {"P": None, "A": "P", "B": "P"}
    assert suppressed_units(headcount, parent, k=k) == set()
    headcount = {"P": 40, "A": k - 1, "B": 41 - k}
    assert suppressed_units(headcount, parent, k=k) == {"A", "B"}
