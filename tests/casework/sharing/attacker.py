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
from scipy import sparse
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
        elif name in self._index:  # hidden somewhere, published here
            self.learn(name, value)
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

    def bounds(self, only: Sequence[Hashable] | None = None, width: float | None = None
               ) -> dict[Hashable, tuple[float, float]]:
        """The smallest and largest value of each hidden number (of those in ``only``, or
        all) given everything published.

        With ``width``, a number is left alone once solutions already found show it
        moving by ``width`` (feasible solutions: its true range is at least as wide); the
        figures returned for it are then inner bounds. Without it the ranges are exact."""
        n = len(self.unknown)
        if n == 0:
            return {}
        data, row_i, col_j, rhs = [], [], [], []
        for terms in self.equations:
            coefs: dict[int, float] = {}
            const = 0.0
            for name, coef in terms:
                if name in self._index:
                    k = self._index[name]
                    coefs[k] = coefs.get(k, 0.0) + coef
                else:
                    const += coef * self.known[name]
            coefs = {k: v for k, v in coefs.items() if v}
            if coefs:
                for k, v in coefs.items():
                    data.append(v)
                    row_i.append(len(rhs))
                    col_j.append(k)
                rhs.append(-const)
            else:
                assert abs(const) < 1e-9, "the published numbers must be consistent"
        a_eq = sparse.csr_matrix((data, (row_i, col_j)), shape=(len(rhs), n)) if rhs else None
        b_eq = np.array(rhs) if rhs else None
        chosen = None if only is None else set(only)
        wanted = [k for k, name in enumerate(self.unknown) if chosen is None or name in chosen]
        lo = np.full(n, np.inf)
        hi = np.full(n, -np.inf)
        unbounded: set[int] = set()

        def solve(c: np.ndarray) -> bool:
            res = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            if res.status == 3:
                return False
            assert res.status == 0, "the published numbers must be consistent"
            np.minimum(lo, res.x, out=lo)
            np.maximum(hi, res.x, out=hi)
            return True

        def open_(k: int) -> bool:
            return width is None or k not in unbounded and hi[k] - lo[k] < width - 1e-6

        if width is not None:
            rng = np.random.default_rng(1)
            for r in range(8):
                c = np.zeros(n)
                todo = [k for k in wanted if open_(k)]
                if not todo:
                    break
                c[todo] = (1.0 if r == 0 else -1.0) if r < 2 else rng.choice((-1.0, 1.0),
                                                                           len(todo))
                if not solve(c):  # something is unbounded above: settle it one by one
                    break
        for k in wanted:
            for sign in (1.0, -1.0):
                if not open_(k):
                    break
                c = np.zeros(n)
                c[k] = sign
                if not solve(c):
                    unbounded.add(k)
        return {self.unknown[k]: (round(float(lo[k]), 6),
                                  float("inf") if k in unbounded else round(float(hi[k]), 6))
                for k in wanted}

    def recovered(self) -> list[Hashable]:
        """Hidden numbers the attacker pins down exactly."""
        return [n for n, (lo, hi) in self.bounds().items() if hi - lo < 0.5]
