"""Suppression and k-anonymity, attacked."""

from __future__ import annotations

import random

import pytest

from casework.sharing.disclosure import Table, k_anonymise, min_class_size, protect
from tests.casework.sharing.attacker import Attack


def _attack(cells):
    attack = Attack()
    attack.add_grid("t", cells)
    return attack


def test_small_counts_and_totals_are_hidden():
    t = Table("t", "T", "area", ["a", "b", "c"], ["x", "y"], [[3, 10], [7, 12], [0, 9]])
    p = protect(t, 4)
    assert p.cells[0][0] is None
    flat = [v for row in p.cells for v in row]
    assert all(v is None or v == 0 or v >= 5 for v in flat)
    assert _attack(p.cells).recovered() == []


def test_a_row_of_zeros_and_one_small_cell_hides_the_row_total():
    t = Table("t", "T", "area", ["a", "b", "c"], ["x", "y"], [[2, 0], [7, 12], [6, 9]])
    p = protect(t, 4)
    assert p.cells[0][0] is None and p.cells[0][2] is None
    assert _attack(p.cells).recovered() == []


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_cannot_be_solved(seed):
    rng = random.Random(seed)
    n_rows, n_cols = rng.randint(2, 9), rng.randint(2, 6)
    counts = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30]) for _ in range(n_cols)]
              for _ in range(n_rows)]
    p = protect(Table("t", "T", "r", [str(i) for i in range(n_rows)],
                      [str(j) for j in range(n_cols)], counts), 4)
    grid = Table("t", "T", "r", [], [], counts).grid()
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            if 1 <= v <= 4:
                assert p.cells[i][j] is None
            if p.cells[i][j] is not None:
                assert p.cells[i][j] == v
    assert _attack(p.cells).recovered() == []


def test_k_anonymity_generalises_then_withholds():
    rows = [["asb", "E01", "18-24"] for _ in range(6)]
    rows += [["asb", "E01b", "18-24"] for _ in range(3)]
    rows += [["asb", "E01c", "18-24"] for _ in range(3)]
    rows += [["mart", "E01", "65+"]]
    msoa = {"E01": "E02x", "E01b": "E02x", "E01c": "E02x"}
    res = k_anonymise([list(r) for r in rows], [0, 1, 2],
                      [(1, lambda v: msoa.get(v, v)), (2, lambda v: "any")], 5)
    assert res.withheld == 1
    assert res.generalised == 6
    assert min_class_size(res.rows, [0, 1, 2]) >= 5
    assert sum(1 for r in res.rows if r[1] == "E02x") == 6
