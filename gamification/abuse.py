"""Reciprocal reward rings: pairs and small groups who mostly reward each other. Pure.

Input is who caused points for whom (a kudos, a reaction on someone's post) and how often.
A ring is a strongly connected group of 2 to `max_size` people, linked by edges of at
least `min_count` rewards, in which every member sends at least `share` of what they
give to the others in the group and gets at least `share` of what they receive from them.
That is the pattern of colleagues farming points; real teams thank many people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ring:
    members: tuple[int, ...]
    rewards: int  # rewards exchanged inside the group
    given_share: float  # the smallest share of a member's giving that stays inside
    received_share: float  # the smallest share of a member's receiving from inside


def rings(
    edges: Iterable[tuple[int, int, int]],
    *,
    min_count: int = 3,
    share: float = 0.6,
    max_size: int = 5,
) -> list[Ring]:
    given: dict[int, int] = defaultdict(int)
    received: dict[int, int] = defaultdict(int)
    weight: dict[tuple[int, int], int] = defaultdict(int)
    graph: dict[int, set[int]] = defaultdict(set)
    for giver, receiver, count in edges:
        if giver == receiver or count <= 0:
            continue
        given[giver] += count
        received[receiver] += count
        weight[(giver, receiver)] += count
    for (giver, receiver), count in weight.items():
        if count >= min_count:
            graph[giver].add(receiver)
    found = []
    for group in _components(graph):
        if not 2 <= len(group) <= max_size:
            continue
        members = set(group)
        inside_given = {m: sum(weight[(m, o)] for o in members if o != m) for m in members}
        inside_received = {m: sum(weight[(o, m)] for o in members if o != m) for m in members}
        g = min(inside_given[m] / given[m] for m in members)
        r = min(inside_received[m] / received[m] for m in members)
        if g >= share and r >= share:
            total = sum(inside_given.values())
            found.append(Ring(tuple(sorted(members)), total, round(g, 3), round(r, 3)))
    found.sort(key=lambda ring: (-ring.rewards, ring.members))
    return found


def _components(graph: dict[int, set[int]]) -> list[list[int]]:
    """Strongly connected components (Tarjan, iterative)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    nodes = set(graph) | {n for targets in graph.values() for n in targets}
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))
    return out
