"""The attacker: recover suppressed cells from what a table publishes, by linear programming.

Every published number and every equation linking them (row sums, column sums, the grand
total, a table that repeats another's figures, MSOAs as sums of their LSOAs) is a
constraint; each hidden number is a non-negative unknown. For each unknown we minimise and
maximise it: if the two agree the attacker has recovered it. The constraint matrices here
are network matrices, so the LP bounds are integers reached by integer solutions.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
from scipy.optimize import linprog

Term = tuple[Hashable, int]


class Attack:
    """Linear equations over published numbers and hidden unknowns."""

    def __init__(self) -> None:
        self.known: dict[Hashable, int] = {}
        self.unknown: list[Hashable] = []
        self._index: dict[Hashable, int] = {}
        self.equations: list[list[Term]] = []

    def learn(self, name: Hashable, value: int) -> None:
        """A number the attacker knows from elsewhere (a public source): never unknown."""
        self.known[name] = value
        if name in self._index:
            self.unknown.remove(name)
            self._index = {n: i for i, n in enumerate(self.unknown)}

    def publish(self, name: Hashable, value: int | None) -> None:
        """A published number, or None for a hidden one (known from elsewhere: ignored)."""
        if value is None:
            if name not in self._index and name not in self.known:
                self._index[name] = len(self.unknown)
                self.unknown.append(name)
        else:
            self.known[name] = value

    def equation(self, terms: Sequence[Term]) -> None:
        """sum(coefficient * quantity) == 0; a quantity never published is an unknown."""
        for name, _coef in terms:
            self.publish(name, None) if name not in self.known else None
        self.equations.append(list(terms))

    def add_grid(self, prefix: Hashable, cells: Sequence[Sequence[int | None]],
                 names: Sequence[Sequence[Hashable]] | None = None) -> list[list[Hashable]]:
        """A table with totals (last row and column): its numbers and its equations."""
        grid = names or [[(prefix, i, j) for j in range(len(r))] for i, r in enumerate(cells)]
        for i, row in enumerate(cells):
            for j, v in enumerate(row):
                self.publish(grid[i][j], v)
        n_rows, n_cols = len(cells), len(cells[0])
        for i in range(n_rows):
            self.equation([(grid[i][j], 1) for j in range(n_cols - 1)] + [(grid[i][-1], -1)])
        for j in range(n_cols):
            self.equation([(grid[i][j], 1) for i in range(n_rows - 1)] + [(grid[-1][j], -1)])
        return grid

    def bounds(self, only: Sequence[Hashable] | None = None
               ) -> dict[Hashable, tuple[float, float]]:
        """The smallest and largest value of each hidden number (of those in ``only``, or
        all) given everything published."""
        n = len(self.unknown)
        if n == 0:
            return {}
        rows, rhs = [], []
        for terms in self.equations:
            row = np.zeros(n)
            const = 0.0
            for name, coef in terms:
                if name in self._index:
                    row[self._index[name]] += coef
                else:
                    const += coef * self.known[name]
            if np.any(row):
                rows.append(row)
                rhs.append(-const)
        a_eq = np.array(rows) if rows else None
        b_eq = np.array(rhs) if rows else None
        out = {}
        wanted = set(self.unknown) if only is None else set(only)
        for k, name in enumerate(self.unknown):
            if name not in wanted:
                continue
            c = np.zeros(n)
            c[k] = 1
            lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            assert lo.status == 0, "the published numbers must be consistent"
            upper = float("inf") if hi.status == 3 else -hi.fun
            out[name] = (round(lo.fun, 6), round(upper, 6))
        return out

    def recovered(self) -> list[Hashable]:
        """Hidden numbers the attacker pins down exactly."""
        return [n for n, (lo, hi) in self.bounds().items() if hi - lo < 0.5]
