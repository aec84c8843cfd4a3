"""The order state machine drawn as an SVG graph: its ASL definition laid out in rows, with the path one
execution took and the state it waits in marked."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

NODE_WIDTH, NODE_HEIGHT = 180, 44
GAP_X, GAP_Y = 36, 46
MARGIN = 24
BACK_LANE = 44  # room on the left for edges that go back up (a loop)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # "next", "choice", "default" or "catch"


def edges(definition: dict[str, Any]) -> list[Edge]:
    """Every transition the top-level states declare, in their order."""
    found: list[Edge] = []
    for name, state in definition["States"].items():
        if "Next" in state:
            found.append(Edge(name, state["Next"], "next"))
        found += [Edge(name, choice["Next"], "choice") for choice in state.get("Choices", []) if "Next" in choice]
        if "Default" in state:
            found.append(Edge(name, state["Default"], "default"))
        found += [Edge(name, catch["Next"], "catch") for catch in state.get("Catch", []) if "Next" in catch]
    return [edge for edge in found if edge.target in definition["States"]]


def ranks(definition: dict[str, Any]) -> dict[str, int]:
    """Each state's row: the longest path to it from StartAt, loops left out (an edge back to a state on the
    current walk does not push that state down)."""
    outgoing: dict[str, list[str]] = {name: [] for name in definition["States"]}
    for edge in edges(definition):
        outgoing[edge.source].append(edge.target)
    back: set[tuple[str, str]] = set()
    done: set[str] = set()

    def walk(name: str, trail: set[str]) -> None:
        trail.add(name)
        for target in outgoing[name]:
            if target in trail:
                back.add((name, target))
            elif target not in done:
                walk(target, trail)
        trail.discard(name)
        done.add(name)

    start = definition["StartAt"]
    walk(start, set())
    for name in definition["States"]:  # states nothing reaches still get a row
        if name not in done:
            walk(name, set())
    rank = {name: 0 for name in definition["States"]}
    order = _topological(outgoing, back, start, list(definition["States"]))
    for name in order:
        for target in outgoing[name]:
            if (name, target) not in back:
                rank[target] = max(rank[target], rank[name] + 1)
    return rank


def _topological(outgoing: dict[str, list[str]], back: set[tuple[str, str]], start: str, names: list[str]) -> list[str]:
    seen: set[str] = set()
    order: list[str] = []

    def visit(name: str) -> None:
        seen.add(name)
        for target in outgoing[name]:
            if (name, target) not in back and target not in seen:
                visit(target)
        order.append(name)

    for name in [start, *names]:
        if name not in seen:
            visit(name)
    return order[::-1]


def _rows(definition: dict[str, Any], row: dict[str, int]) -> dict[int, list[str]]:
    """The states of each row, ordered by where the states leading to them sit (fewer crossing edges)."""
    rows: dict[int, list[str]] = {}
    for name in definition["States"]:
        rows.setdefault(row[name], []).append(name)
    column: dict[str, float] = {}
    incoming: dict[str, list[str]] = {}
    for edge in edges(definition):
        if row[edge.source] < row[edge.target]:
            incoming.setdefault(edge.target, []).append(edge.source)
    for r in sorted(rows):
        placed = [column[s] for name in rows[r] for s in incoming.get(name, []) if s in column]
        fallback = sum(placed) / len(placed) if placed else 0.0

        def mean(name: str, fallback: float = fallback) -> float:
            seen = [column[s] for s in incoming.get(name, []) if s in column]
            return sum(seen) / len(seen) if seen else fallback

        rows[r] = sorted(rows[r], key=mean)  # stable: the definition's order breaks ties
        column.update({name: float(c) for c, name in enumerate(rows[r])})
    return rows


def taken(states: list[str], definition: dict[str, Any]) -> set[tuple[str, str]]:
    """The transitions an execution made: consecutive states it entered that an edge joins."""
    declared = {(edge.source, edge.target) for edge in edges(definition)}
    return {pair for pair in zip(states, states[1:], strict=False) if pair in declared}


def svg(definition: dict[str, Any], states: list[str], waiting: str | None, title: str) -> str:
    """The definition drawn as SVG: `states` are the states the execution entered, in order (the path is
    marked), `waiting` the one it waits in now (None once it ended)."""
    row = ranks(definition)
    rows = _rows(definition, row)
    columns = max(len(names) for names in rows.values())
    width = BACK_LANE + MARGIN * 2 + columns * NODE_WIDTH + (columns - 1) * GAP_X
    height = MARGIN * 2 + len(rows) * NODE_HEIGHT + (len(rows) - 1) * GAP_Y
    box: dict[str, tuple[int, int]] = {}
    for r, names in rows.items():
        for c, name in enumerate(names):
            box[name] = (BACK_LANE + MARGIN + c * (NODE_WIDTH + GAP_X), MARGIN + r * (NODE_HEIGHT + GAP_Y))
    visited, path = set(states), taken(states, definition)
    path_text = " → ".join(states) if states else "not started"
    described = f"Path taken: {path_text}." + (f" Waiting in {waiting}." if waiting else "")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="machine" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="machine-title machine-desc">',
        f'<title id="machine-title">{escape(title)}</title><desc id="machine-desc">{escape(described)}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>',
    ]
    for edge in edges(definition):
        parts.append(_edge(edge, box, row, (edge.source, edge.target) in path))
    for name, state in definition["States"].items():
        x, y = box[name]
        classes = ["state", f"type-{state['Type'].lower()}"]
        if name in visited:
            classes.append("visited")
        if name == waiting:
            classes.append("waiting")
        label = f"{name} ({state['Type']})" + (", waiting here" if name == waiting else "")
        parts.append(
            f'<g class="{" ".join(classes)}" data-state="{escape(name)}" aria-label="{escape(label)}">'
            f'<rect x="{x}" y="{y}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="10"/>'
            f'<text x="{x + NODE_WIDTH // 2}" y="{y + 19}" class="name">{escape(name)}</text>'
            f'<text x="{x + NODE_WIDTH // 2}" y="{y + 34}" class="kind">{escape(state["Type"])}'
            f"{' · waiting' if name == waiting else ''}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _edge(edge: Edge, box: dict[str, tuple[int, int]], row: dict[str, int], on_path: bool) -> str:
    (sx, sy), (tx, ty) = box[edge.source], box[edge.target]
    if row[edge.target] > row[edge.source]:
        x1, y1 = sx + NODE_WIDTH // 2, sy + NODE_HEIGHT
        x2, y2 = tx + NODE_WIDTH // 2, ty
        bend = (y2 - y1) / 2
        d = f"M{x1},{y1} C{x1},{y1 + bend} {x2},{y2 - bend} {x2},{y2}"
    else:  # back up to an earlier row: round the left side
        lane = BACK_LANE // 2 + (0 if edge.kind != "catch" else 8)
        x1, y1 = sx, sy + NODE_HEIGHT // 2
        x2, y2 = tx, ty + NODE_HEIGHT // 2
        d = f"M{x1},{y1} C{lane},{y1} {lane},{y2} {x2},{y2}"
    classes = f"edge {edge.kind}" + (" taken" if on_path else "")
    return (
        f'<path class="{classes}" data-edge="{escape(f"{edge.source}>{edge.target}")}" d="{d}" '
        'fill="none" marker-end="url(#arrow)"/>'
    )
