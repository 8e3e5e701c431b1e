"""Disclosure control: small-number and secondary suppression, rounding, k-anonymity.

Aggregate tables are protected on the table *with* its totals. Write the table as an
(R+1) x (C+1) grid whose last row and column are the totals: every row and every column of
that grid is one linear equation an attacker can use. Hidden entries form a bipartite graph
(grid rows against grid columns, one edge per hidden entry); after a change of sign of the
total variables the equations are the graph's incidence matrix, so a hidden entry can be
solved for exactly when its edge is a bridge (lies on no cycle). Secondary suppression
therefore adds hidden entries until no hidden entry is a bridge, choosing small non-zero
cells; with every hidden value at least 1 each cycle can move by one in both directions,
so every hidden cell has at least two values consistent with what is published.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Entry = tuple[int, int]


@dataclass
class Table:
    """Counts by row and column; totals are added when the table is protected."""

    name: str
    title: str
    row_label: str
    rows: list[str]
    cols: list[str]
    counts: list[list[int]]
    notes: list[str] = field(default_factory=list)

    def grid(self) -> list[list[int]]:
        """The counts with a total column, a total row and the grand total."""
        body = [list(r) + [sum(r)] for r in self.counts]
        totals = [sum(r[j] for r in body) for j in range(len(self.cols) + 1)]
        return body + [totals]


@dataclass
class ProtectedTable:
    """A table ready to publish: None marks a suppressed entry (totals included)."""

    name: str
    title: str
    row_label: str
    rows: list[str]
    cols: list[str]
    cells: list[list[int | None]]
    primary: int
    secondary: int
    marker: str
    notes: list[str] = field(default_factory=list)


def primary_entries(grid: Sequence[Sequence[int]], max_small: int) -> set[Entry]:
    """Every entry, totals included, from 1 to ``max_small``."""
    return {(i, j) for i, row in enumerate(grid) for j, v in enumerate(row)
            if 1 <= v <= max_small}


def _bridges(entries: set[Entry], n_rows: int) -> list[Entry]:
    """Hidden entries that lie on no cycle of the row/column graph (Tarjan, iterative)."""
    adj: dict[int, list[tuple[int, Entry]]] = {}
    for i, j in entries:
        a, b = i, n_rows + j
        adj.setdefault(a, []).append((b, (i, j)))
        adj.setdefault(b, []).append((a, (i, j)))
    disc: dict[int, int] = {}
    low: dict[int, int] = {}
    found: list[Entry] = []
    counter = 0
    for root in sorted(adj):
        if root in disc:
            continue
        disc[root] = low[root] = counter
        counter += 1
        stack: list[tuple[int, Entry | None, int]] = [(root, None, 0)]
        while stack:
            v, via, k = stack[-1]
            if k < len(adj[v]):
                stack[-1] = (v, via, k + 1)
                w, e = adj[v][k]
                if e == via:
                    continue
                if w not in disc:
                    disc[w] = low[w] = counter
                    counter += 1
                    stack.append((w, e, 0))
                else:
                    low[v] = min(low[v], disc[w])
            else:
                stack.pop()
                if stack and via is not None:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[v])
                    if low[v] > disc[parent]:
                        found.append(via)
    return sorted(found)


def _component(entries: set[Entry], n_rows: int, start: int) -> set[int]:
    adj: dict[int, list[int]] = {}
    for i, j in entries:
        adj.setdefault(i, []).append(n_rows + j)
        adj.setdefault(n_rows + j, []).append(i)
    seen = {start}
    todo = [start]
    while todo:
        for w in adj.get(todo.pop(), []):
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen


def _cheapest(grid: Sequence[Sequence[int]], candidates: list[Entry]) -> Entry | None:
    """The smallest non-zero candidate, interior cells before totals; zeros last."""
    last_i, last_j = len(grid) - 1, len(grid[0]) - 1

    def cost(e: Entry) -> tuple[int, int, int, Entry]:
        v = grid[e[0]][e[1]]
        return (v == 0, e[0] == last_i or e[1] == last_j, v, e)
    return min(candidates, key=cost) if candidates else None


def secondary_entries(grid: Sequence[Sequence[int]], hidden: set[Entry],
                      known: frozenset[Entry] = frozenset()) -> set[Entry]:
    """Hide more entries until no hidden entry can be derived from the published ones.

    ``known`` entries are public elsewhere (police.uk counts): hiding them would protect
    nothing, so they are never chosen."""
    hidden = set(hidden)
    n_rows, n_cols = len(grid), len(grid[0])
    while True:
        bridges = _bridges(hidden, n_rows)
        if not bridges:
            return hidden
        i, j = bridges[0]
        rest = hidden - {(i, j)}
        side_a = _component(rest, n_rows, i)
        side_b = _component(rest, n_rows, n_rows + j)
        # An entry joining the two sides closes a cycle through the bridge.
        cross = [(r, c) for r in range(n_rows) for c in range(n_cols)
                 if (r, c) not in hidden and (r, c) not in known
                 and ((r in side_a and n_rows + c in side_b)
                      or (r in side_b and n_rows + c in side_a))]
        pick = _cheapest(grid, cross)
        if pick is None:
            # Nothing joins them directly: grow from the bridge's row and column first.
            grow = [(i, c) for c in range(n_cols) if (i, c) not in hidden | known]
            grow += [(r, j) for r in range(n_rows) if (r, j) not in hidden | known]
            pick = _cheapest(grid, grow)
        if pick is None:  # every entry is hidden already
            return hidden
        hidden.add(pick)


def round_to(value: int, base: int) -> int:
    """Round half up to a multiple of ``base`` (0 or 1: unchanged)."""
    if base <= 1:
        return value
    return ((value + base // 2) // base) * base


KeyGrid = Sequence[Sequence[Hashable]]


def protect_linked(grids: Sequence[KeyGrid], values: Mapping[Hashable, int],
                   max_small: int, public: frozenset[Hashable] = frozenset(),
                   hidden: set[Hashable] | None = None) -> set[Hashable]:
    """Suppression for tables that share entries or add up to one another.

    Each grid is a table with its totals (last row and column), written as the keys of
    the quantities in it: the same key in two grids is the same published number (the
    council's ASB cases in an MSOA appear in two tables), and a grid may also be a
    hierarchy (an MSOA's LSOAs as rows and the MSOA as their total row). Primary
    suppression hides every key from 1 to ``max_small``; each grid is then made safe on its
    own, and a key hidden in one grid is hidden in every grid, until nothing changes.

    ``public`` keys are counts anyone can get elsewhere (police.uk): they are treated as
    published whatever the table shows, so they are never hidden and never relied on to
    protect another entry. ``hidden`` starts from entries already hidden (a widening pass).
    """
    if hidden is None:
        hidden = set()
    hidden = set(hidden) | ({k for k, v in values.items()
                             if 1 <= v <= max_small and k not in public}
                            if max_small > 0 else set())
    changed = True
    while changed:
        changed = False
        for grid in grids:
            local = {(i, j) for i, row in enumerate(grid) for j, key in enumerate(row)
                     if key in hidden}
            if not local:
                continue
            numbers = [[values[key] for key in row] for row in grid]
            known = frozenset((i, j) for i, row in enumerate(grid)
                              for j, key in enumerate(row) if key in public)
            for i, j in secondary_entries(numbers, local, known) - local:
                hidden.add(grid[i][j])
                changed = True
    return hidden


def publish(table: Table, keys: KeyGrid, values: Mapping[Hashable, int],
            hidden: set[Hashable], primary: set[Hashable], rounding: int,
            marker: str) -> ProtectedTable:
    """The published form of a table protected by ``protect_linked``."""
    cells: list[list[int | None]] = [
        [None if k in hidden else round_to(values[k], rounding) for k in row] for row in keys
    ]
    mine = {k for row in keys for k in row}
    n_primary = len(mine & primary)
    return ProtectedTable(table.name, table.title, table.row_label, list(table.rows),
                          list(table.cols) + ["Total"], cells, n_primary,
                          len(mine & hidden) - n_primary, marker, list(table.notes))


def protect(table: Table, max_small: int, rounding: int = 0, marker: str = "[c]") -> ProtectedTable:
    """Primary suppression of 1..max_small, secondary suppression, then optional rounding."""
    grid = table.grid()
    keys: list[list[Hashable]] = [[(i, j) for j in range(len(row))]
                                  for i, row in enumerate(grid)]
    values: dict[Hashable, int] = {(i, j): v for i, row in enumerate(grid)
                                   for j, v in enumerate(row)}
    hidden = protect_linked([keys], values, max_small)
    primary: set[Hashable] = ({k for k, v in values.items() if 1 <= v <= max_small}
                              if max_small > 0 else set())
    return publish(table, keys, values, hidden, primary, rounding, marker)


# -- k-anonymity -----------------------------------------------------------------------

Step = tuple[int, Callable[[str], str]]


@dataclass(frozen=True)
class KResult:
    """Record-level rows after the k-anonymity check."""

    rows: list[list[str]]
    generalised: int
    withheld: int
    k: int


def k_anonymise(rows: list[list[str]], qi: Sequence[int], steps: Sequence[Step],
                k: int) -> KResult:
    """Generalise rows whose quasi-identifier combination occurs fewer than k times.

    Each step generalises one quasi-identifier of the rows still failing (area to MSOA, a
    quarter to its year...), in the protocol's order; rows failing after every step are
    withheld. A class that passes is never changed, and later steps only move whole failing
    classes, so every combination published occurs at least k times.
    """
    # Work on classes, not rows: every member of a class shares its quasi-identifiers, and
    # each step is idempotent on values it has already generalised, so a class is
    # generalised once and its rows are rewritten only at the end.
    pos = {c: n for n, c in enumerate(qi)}
    classes: dict[tuple[Any, ...], list[int]] = {}
    get = operator.itemgetter(*qi)
    single = len(qi) == 1
    for i, r in enumerate(rows):
        key = (get(r),) if single else get(r)
        members_of = classes.get(key)
        if members_of is None:
            classes[key] = [i]
        else:
            members_of.append(i)
    level: dict[tuple[Any, ...], int] = dict.fromkeys(classes, 0)
    for s in range(1, len(steps) + 1):
        failing = [key for key, members in classes.items() if len(members) < k]
        if not failing:
            break
        for key in failing:
            members = classes.pop(key)
            new = list(key)
            for t in range(level.pop(key), s):
                c, f = steps[t]
                new[pos[c]] = f(new[pos[c]])
            new_key = tuple(new)
            classes.setdefault(new_key, []).extend(members)
            level[new_key] = min(level.get(new_key, s), s)
    kept_rows: list[list[str]] = []
    generalised = 0
    for key, members in classes.items():
        if len(members) < k:
            continue
        if level[key] > 0:
            generalised += len(members)
            for i in members:
                row = rows[i]
                for c, n in pos.items():
                    row[c] = key[n]
        kept_rows.extend(rows[i] for i in members)
    return KResult(kept_rows, generalised, len(rows) - len(kept_rows), k)


def min_class_size(rows: Sequence[Sequence[str]], qi: Sequence[int]) -> int:
    """The size of the smallest quasi-identifier class (0 for no rows)."""
    counts = Counter(tuple(r[c] for c in qi) for r in rows)
    return min(counts.values()) if counts else 0
