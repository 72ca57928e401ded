"""Graph helpers over sequence flows: back edges (loops), layers for a left-to-right layout, reachability.

Every function is deterministic: ties are broken by the order of `nodes` (document order).
"""
from __future__ import annotations

from collections.abc import Iterable


def back_edges(nodes: list[str], edges: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Edges that close a cycle in a depth-first walk started from the nodes nothing flows into."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    has_incoming = set()
    for u, v in edges:
        if u in succ and v in succ:
            succ[u].append(v)
            if u != v:
                has_incoming.add(v)
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    found: set[tuple[str, str]] = set()
    roots = [n for n in nodes if n not in has_incoming] + list(nodes)
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    found.add((node, child))
                elif child not in state:
                    state[child] = 1
                    stack.append((child, iter(succ[child])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return found


def layers(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layers on the graph without its back edges: every forward edge goes to a higher layer."""
    loops = back_edges(nodes, edges)
    forward = [(u, v) for u, v in edges if (u, v) not in loops and u != v and u in nodes and v in nodes]
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for u, v in forward:
        preds[v].append(u)
    order = topological(nodes, forward)
    layer: dict[str, int] = {}
    for node in order:
        layer[node] = max((layer[p] + 1 for p in preds[node]), default=0)
    return layer


def topological(nodes: list[str], edges: list[tuple[str, str]]) -> list[str]:
    """Kahn's order of an acyclic graph, the earliest node in `nodes` first among the ready ones."""
    position = {n: i for i, n in enumerate(nodes)}
    indegree = {n: 0 for n in nodes}
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for u, v in edges:
        succ[u].append(v)
        indegree[v] += 1
    ready = sorted((n for n in nodes if indegree[n] == 0), key=position.__getitem__)
    order = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for v in succ[node]:
            indegree[v] -= 1
            if indegree[v] == 0:
                ready.append(v)
                ready.sort(key=position.__getitem__)
    order += [n for n in nodes if n not in set(order)]  # only if edges had a cycle
    return order


def reachable(start: Iterable[str], succ: dict[str, list[str]]) -> set[str]:
    """Every node reachable from `start` (the start nodes themselves only when on a cycle or listed twice)."""
    seen: set[str] = set()
    todo = [v for s in start for v in succ.get(s, [])]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(succ.get(node, []))
    return seen
