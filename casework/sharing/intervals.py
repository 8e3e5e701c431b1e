"""What an attacker can still learn about suppressed cells, and widening until it is nothing.

Secondary suppression by cycles (``disclosure.secondary_entries``) stops a hidden cell being
worked out *exactly*; it does not stop it being narrowed (a council count of 1 that the
published totals pin to "1 or 2" is as good as disclosed). Here every hidden number of a set
of linked tables is bounded the way an attacker would: minimise and maximise it by linear
programming subject to every published total, every published cell and non-negativity
(integrality relaxed). A hidden cell whose interval is narrower than the suppression range
(``max_small``: "1 to 4" must leave at least 0 to 4 open) gets company: the smallest
published cell beside it is hidden too, the tables are made safe again by cycles, and the
bounds are computed again, until every hidden cell keeps its width.

Counts that are public elsewhere (police.uk) are never in the tables this protects: the
quarterly dataset keeps them in a table of their own.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

from casework.sharing.disclosure import KeyGrid, protect_linked

Bounds = dict[Hashable, tuple[float, float]]
_EPS = 1e-6


def _equations(grids: Sequence[KeyGrid]) -> list[list[tuple[Hashable, int]]]:
    """Each row and each column of each grid: its entries add up to its last one."""
    eqs: list[list[tuple[Hashable, int]]] = []
    for grid in grids:
        n_rows, n_cols = len(grid), len(grid[0])
        for i in range(n_rows):
            eqs.append([(grid[i][j], 1) for j in range(n_cols - 1)] + [(grid[i][-1], -1)])
        for j in range(n_cols):
            eqs.append([(grid[i][j], 1) for i in range(n_rows - 1)] + [(grid[-1][j], -1)])
    return eqs


def bounds(grids: Sequence[KeyGrid], values: Mapping[Hashable, int], hidden: set[Hashable],
           width: float | None = None) -> Bounds:
    """The range of values each hidden key can take given everything else published.

    With ``width``, a key is left alone once the solutions already found show it moving by
    ``width`` (its interval is at least that wide; the figures are then lower bounds of
    the true range): far fewer programs to solve. Without it the ranges are exact."""
    unknown = sorted(hidden, key=repr)
    if not unknown:
        return {}
    index = {k: n for n, k in enumerate(unknown)}
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    for terms in _equations(grids):
        row = np.zeros(len(unknown))
        const = 0.0
        for key, coef in terms:
            if key in index:
                row[index[key]] += coef
            else:
                const += coef * values[key]
        if np.any(row):
            rows.append(row)
            rhs.append(-const)
    truth = np.array([float(values[k]) for k in unknown])
    lo, hi = truth.copy(), truth.copy()
    if not rows:
        return {k: (0.0, float("inf")) for k in unknown}
    a_eq, b_eq = np.array(rows), np.array(rhs)
    # Loaded here, when there is something to bound: scipy is slow to import.
    from scipy.optimize import linprog  # type: ignore[import-untyped]

    def solve(c: np.ndarray) -> np.ndarray | None:
        res = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        return None if res.status != 0 else np.asarray(res.x)

    unbounded: set[int] = set()
    for n in range(len(unknown)):
        c = np.zeros(len(unknown))
        c[n] = 1.0
        if width is None or hi[n] - lo[n] < width - _EPS:
            x = solve(-c)
            if x is None:
                unbounded.add(n)  # the maximum is unbounded
            else:
                lo, hi = np.minimum(lo, x), np.maximum(hi, x)
        if n not in unbounded and (width is None or hi[n] - lo[n] < width - _EPS):
            x = solve(c)
            if x is not None:
                lo, hi = np.minimum(lo, x), np.maximum(hi, x)
    return {k: (round(float(lo[n]), 6), float("inf") if n in unbounded else
                round(float(hi[n]), 6)) for n, k in enumerate(unknown)}


def _neighbours(grids: Sequence[KeyGrid], key: Hashable) -> list[tuple[Hashable, bool]]:
    """(key, is a total) of every entry sharing a row or column with ``key``."""
    out: list[tuple[Hashable, bool]] = []
    for grid in grids:
        last_i, last_j = len(grid) - 1, len(grid[0]) - 1
        for i, row in enumerate(grid):
            for j, k in enumerate(row):
                if k != key:
                    continue
                out += [(grid[i][c], i == last_i or c == last_j) for c in range(last_j + 1)]
                out += [(grid[r][j], r == last_i or j == last_j) for r in range(last_i + 1)]
    return out


def widen(grids: Sequence[KeyGrid], values: Mapping[Hashable, int], hidden: set[Hashable],
          max_small: int, public: frozenset[Hashable] = frozenset()) -> set[Hashable]:
    """Hide more until no hidden key can be narrowed below ``max_small`` (see module)."""
    hidden = set(hidden)
    width = float(max_small)
    if width <= 0 or not hidden:
        return hidden
    while True:
        narrow = [k for k, (lo, hi) in bounds(grids, values, hidden, width).items()
                  if hi - lo < width - _EPS]
        if not narrow:
            return hidden
        added: set[Hashable] = set()
        for key in narrow:
            options = [(k, total) for k, total in _neighbours(grids, key)
                       if k not in hidden and k not in public and k not in added]
            if not options:
                continue
            # A neighbour able to move by the whole width, the smallest such, inner cells
            # before totals; zeros add nothing, so they come last.
            added.add(min(options, key=lambda o: (values[o[0]] == 0, o[1],
                                                  values[o[0]] < width, values[o[0]],
                                                  repr(o[0])))[0])
        if not added:
            return hidden  # every neighbour is hidden or public already
        hidden = protect_linked(grids, values, max_small, public, hidden | added)
