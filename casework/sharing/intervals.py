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
RANDOM_ROUNDS = 6


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


def _components(a_eq: np.ndarray) -> list[np.ndarray]:
    """Groups of unknowns that share no equation with another group (solved apart)."""
    n = a_eq.shape[1]
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for row in a_eq:
        cols = np.flatnonzero(row)
        for c in cols[1:]:
            ra, rb = find(int(cols[0])), find(int(c))
            if ra != rb:
                parent[ra] = rb
    groups: dict[int, list[int]] = {}
    for x in range(n):
        groups.setdefault(find(x), []).append(x)
    return [np.array(g) for g in groups.values()]


def bounds(grids: Sequence[KeyGrid], values: Mapping[Hashable, int], hidden: set[Hashable],
           width: float | None = None, only: set[Hashable] | None = None) -> Bounds:
    """The range of values each hidden key can take given everything else published.

    With ``width``, a key is left alone once the solutions already found show it moving by
    ``width`` (its interval is at least that wide; the figures are then lower bounds of
    the true range): far fewer programs to solve. Without it the ranges are exact.
    ``only`` limits the answer to those keys (the programs still use every equation)."""
    present = {k for grid in grids for row in grid for k in row}
    unknown = sorted(hidden & present, key=repr)
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
    unbounded: set[int] = set()
    free = set(range(len(unknown)))  # in no equation: anything goes
    if rows:
        a_eq, b_eq = np.array(rows), np.array(rhs)
        free -= set(np.flatnonzero(np.any(a_eq != 0, axis=0)).tolist())
        wanted = None if only is None else {index[k] for k in only if k in index}
        groups = [[int(x) for x in g if (wanted is None or int(x) in wanted)
                   and int(x) not in free] for g in _components(a_eq)]
        _solve(a_eq, b_eq, [g for g in groups if g], lo, hi, unbounded, width)
    unbounded |= free
    return {k: (round(float(lo[n]), 6), float("inf") if n in unbounded else
                round(float(hi[n]), 6)) for n, k in enumerate(unknown)
            if only is None or k in only}


def _solve(a_eq: np.ndarray, b_eq: np.ndarray, groups: list[list[int]], lo: np.ndarray,
           hi: np.ndarray, unbounded: set[int], width: float | None) -> None:
    """Bound the unknowns of ``groups`` in place (``lo``/``hi`` start at the truth).

    Unknowns of different groups share no equation, so one program maximising one unknown
    of every group at once finds each one's maximum: a round costs one program, not one
    per group."""
    # Loaded here, when there is something to bound: scipy is slow to import.
    from scipy.optimize import linprog  # type: ignore[import-untyped]

    n_all = a_eq.shape[1]

    def solve(c: np.ndarray) -> bool:
        res = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if res.status != 0:
            return False
        x = np.asarray(res.x)
        np.minimum(lo, x, out=lo)
        np.maximum(hi, x, out=hi)
        return True

    def settled(n: int) -> bool:
        return n in unbounded or (width is not None and hi[n] - lo[n] >= width - _EPS)

    members = [n for g in groups for n in g]
    if width is not None:
        # Push every open cell up together, then down, then in mixed directions: most
        # settle at once, and only the rest need a program of their own.
        rng = np.random.default_rng(len(members))
        for r in range(RANDOM_ROUNDS + 2):
            open_now = [n for n in members if not settled(n)]
            if not open_now:
                break
            c = np.zeros(n_all)
            c[open_now] = (-1.0 if r == 0 else 1.0) if r < 2 else \
                rng.choice((-1.0, 1.0), size=len(open_now))
            solve(c)
    todo = {"max": {n for n in members}, "min": {n for n in members}}
    while True:
        progressed = False
        for way, sign in (("max", -1.0), ("min", 1.0)):
            picks = []
            for g in groups:
                pick = next((n for n in g if n in todo[way] and not settled(n)), None)
                if pick is not None:
                    picks.append(pick)
            if not picks:
                continue
            progressed = True
            todo[way] -= set(picks)
            c = np.zeros(n_all)
            c[picks] = sign
            if solve(c):
                continue
            for n in picks:  # one of them is unbounded above: find which, one by one
                c = np.zeros(n_all)
                c[n] = sign
                if not solve(c):
                    unbounded.add(n)
        if not progressed:
            return


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
    wide: set[Hashable] = set()  # hiding more only widens an interval: never re-checked
    while True:
        found = bounds(grids, values, hidden, width, only=hidden - wide)
        narrow = [k for k, (lo, hi) in found.items() if hi - lo < width - _EPS]
        wide |= set(found) - set(narrow)
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
