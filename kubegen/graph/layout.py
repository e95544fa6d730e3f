"""Geometry for the SVG: columns of boxes, edge labels in their own lanes.

Between two columns the gap is split in two: a *label lane* right of the source
column, where every labelled edge runs horizontally at its own slot (one slot per
outgoing edge, inside the source box's height) with its label just above it, and a
*routing lane*, where edges run straight to their target. Labels therefore never
overlap each other, a box, or any edge; boxes are stacked with a gap, so they never
overlap either. All coordinates are integers (deterministic bytes). Text width is
estimated for a monospace font (:data:`CHAR_W` pixels per character).
"""

from __future__ import annotations

import math
from collections import defaultdict

import attrs

from kubegen.graph import Graph, GraphEdge, GraphNode

FONT_SIZE = 12
CHAR_W = 7.3  # advance of a 12px monospace glyph (DejaVu Sans Mono, Menlo, Consolas: 0.60em)
LINE_H = 16
PAD = 8
SLOT_H = 20
V_GAP = 14
ROUTE_W = 80
BUS_STEP = 8  # workload -> pod edges run down their own vertical "bus", this far apart
MARGIN = 20
FRAME_PAD = 12
TITLE_H = 24


@attrs.frozen
class Rect:
    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def overlaps(self, other: Rect) -> bool:
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom

    def contains(self, other: Rect) -> bool:
        return self.x <= other.x and self.y <= other.y and other.right <= self.right and other.bottom <= self.bottom


@attrs.frozen
class Box:
    node: GraphNode
    rect: Rect


@attrs.frozen
class Label:
    text: str
    rect: Rect  # the text's extent; the baseline is rect.bottom - 3
    broken: bool


@attrs.frozen
class Path:
    edge: GraphEdge
    points: tuple[tuple[int, int], ...]


@attrs.frozen
class Frame:
    kind: str  # "cluster" or "node"
    title: str
    rect: Rect
    title_rect: Rect


@attrs.define
class Layout:
    width: int
    height: int
    boxes: list[Box]
    labels: list[Label]
    paths: list[Path]
    frames: list[Frame]


def text_width(text: str) -> int:
    return math.ceil(len(text) * CHAR_W)


def _size(node: GraphNode, slots: int) -> tuple[int, int]:
    width = max(text_width(line) for line in node.lines) + 2 * PAD
    height = max(len(node.lines) * LINE_H + 2 * PAD, slots * SLOT_H + 2 * PAD)
    return width, height


def _order(graph: Graph) -> dict[int, list[GraphNode]]:
    """Entry points in graph order; every later column sorted by the first box that
    points at it in the column before (stable), so edges mostly run parallel."""
    columns: dict[int, list[GraphNode]] = defaultdict(list)
    for node in graph.nodes:
        columns[node.column].append(node)
    big = len(graph.nodes) + 1
    groups = {g.id: i for i, g in enumerate(graph.groups)}
    for col in (2, 3, 4):
        rank = {n.id: i for i, n in enumerate(columns.get(col - 1, []))}
        sources: dict[str, int] = {}
        for e in graph.edges:
            if e.source in rank:
                sources[e.target] = min(sources.get(e.target, big), rank[e.source])
        columns[col].sort(key=lambda n: (groups.get(n.group or "", 0), sources.get(n.id, big)))
    return {c: nodes for c, nodes in sorted(columns.items()) if nodes}


def layout(graph: Graph) -> Layout:
    """Place every box, label, edge and frame of ``graph`` (see the module docstring)."""
    columns = _order(graph)
    position = {n.id: (c, i) for c, nodes in columns.items() for i, n in enumerate(nodes)}
    outgoing: dict[str, list[GraphEdge]] = defaultdict(list)
    plain: dict[str, list[GraphEdge]] = defaultdict(list)  # unlabelled edges start mid-box
    for e in graph.edges:
        (plain if e.label is None else outgoing)[e.source].append(e)
    for edges in outgoing.values():
        edges.sort(key=lambda e: position[e.target])
    size = {n.id: _size(n, len(outgoing[n.id])) for n in graph.nodes}
    group_titles = {g.id: g.title for g in graph.groups}
    width: dict[int, int] = {}
    lane: dict[int, int] = {}
    for c, nodes in columns.items():
        width[c] = max(size[n.id][0] for n in nodes)
        if c == 4:
            width[c] = max([width[c]] + [text_width(t) + 2 * PAD - 2 * FRAME_PAD for t in group_titles.values()])
        texts = [text_width(e.label or "") for n in nodes for e in outgoing[n.id]]
        lane[c] = max(texts) + 2 * PAD if texts else 0
    x: dict[int, int] = {}
    cursor = MARGIN if 0 in columns else MARGIN + 2 * FRAME_PAD
    for c in columns:
        x[c] = cursor
        route = max(ROUTE_W, 3 * BUS_STEP + BUS_STEP * len(columns[c])) if c == 3 else ROUTE_W
        cursor += width[c] + lane[c] + route
    top = MARGIN + TITLE_H + FRAME_PAD
    rects: dict[str, Rect] = {}
    anchors: dict[int, tuple[int, int]] = {}  # id(edge) -> start point
    incoming: dict[str, list[GraphEdge]] = defaultdict(list)
    for e in graph.edges:
        incoming[e.target].append(e)
    frames: list[Frame] = []
    for c, nodes in columns.items():
        if c == 0:
            continue
        y = top
        group: str | None = None
        frame_top = 0
        for n in nodes:
            w, h = size[n.id]
            if c == 4 and n.group != group:
                if group is not None:
                    frames.append(_group_frame(group_titles[group], x[c], width[c], frame_top, y - V_GAP))
                    y += FRAME_PAD
                group, frame_top = n.group, y
                y += TITLE_H
            elif c != 4:
                starts = [anchors[id(e)][1] for e in incoming[n.id] if id(e) in anchors]
                if starts:
                    y = max(y, sum(starts) // len(starts) - h // 2)
            rects[n.id] = rect = Rect(x[c], y, w, h)
            y = rect.bottom + V_GAP
            for j, e in enumerate(outgoing[n.id]):
                anchors[id(e)] = (rect.right, rect.y + PAD + j * SLOT_H + LINE_H)
            for e in plain[n.id]:
                anchors[id(e)] = (rect.right, rect.y + h // 2)
        if c == 4 and group is not None:
            frames.append(_group_frame(group_titles[group], x[c], width[c], frame_top, y - V_GAP))
    if 0 in columns:
        entries = [rects[n.id] for n in columns.get(1, [])]
        for n in columns[0]:
            w, h = size[n.id]
            middle = (entries[0].y + entries[-1].bottom) // 2 if entries else top
            rects[n.id] = Rect(x[0], max(top, middle - h // 2), w, h)
            for e in plain[n.id] + outgoing[n.id]:
                anchors[id(e)] = (rects[n.id].right, rects[n.id].y + h // 2)
    labels, paths = _edges(graph, columns, rects, anchors, incoming, x, width, lane)
    right = max([r.right for r in rects.values()] + [f.rect.right for f in frames], default=MARGIN)
    bottom = max([r.bottom for r in rects.values()] + [f.rect.bottom for f in frames], default=top)
    cluster_x = min((x[c] for c in x if c > 0), default=MARGIN + 2 * FRAME_PAD) - 2 * FRAME_PAD
    title = f"{graph.title}"
    title_rect = Rect(cluster_x + PAD, MARGIN + 4, text_width(title), LINE_H)
    right = max(right + FRAME_PAD, title_rect.right + PAD)
    cluster = Rect(cluster_x, MARGIN, right - cluster_x, bottom + FRAME_PAD - MARGIN)
    frames.insert(0, Frame("cluster", title, cluster, title_rect))
    boxes = [Box(n, rects[n.id]) for nodes in columns.values() for n in nodes]
    return Layout(cluster.right + MARGIN, cluster.bottom + MARGIN, boxes, labels, paths, frames)


def _group_frame(title: str, x: int, width: int, y: int, bottom: int) -> Frame:
    rect = Rect(x - FRAME_PAD, y, width + 2 * FRAME_PAD, bottom - y + FRAME_PAD)
    return Frame("node", title, rect, Rect(rect.x + PAD, y + 4, text_width(title), LINE_H))


def _edges(
    graph: Graph, columns: dict[int, list[GraphNode]], rects: dict[str, Rect],
    anchors: dict[int, tuple[int, int]], incoming: dict[str, list[GraphEdge]],
    x: dict[int, int], width: dict[int, int], lane: dict[int, int],
) -> tuple[list[Label], list[Path]]:
    column = {n.id: c for c, nodes in columns.items() for n in nodes}
    bus_index = {n.id: i for i, n in enumerate(columns.get(3, []))}
    order = {id(e): i for i, e in enumerate(graph.edges)}
    ends: dict[int, tuple[int, int]] = {}
    for target, edges in incoming.items():
        edges = sorted(edges, key=lambda e: (anchors[id(e)][1], order[id(e)]))
        rect = rects[target]
        for i, e in enumerate(edges):
            ends[id(e)] = (rect.x, rect.y + rect.h * (i + 1) // (len(edges) + 1))
    labels: list[Label] = []
    paths: list[Path] = []
    for e in graph.edges:
        start, end = anchors[id(e)], ends[id(e)]
        c = column[e.source]
        if e.label is None and c == 3:
            bus = x[c] + width[c] + BUS_STEP * (2 + bus_index[e.source])
            paths.append(Path(e, (start, (bus, start[1]), (bus, end[1]), end)))
            continue
        if e.label is None:
            paths.append(Path(e, (start, end)))
            continue
        lane_end = x[c] + width[c] + lane[c]
        labels.append(Label(e.label, Rect(x[c] + width[c] + PAD, start[1] - LINE_H + 1, text_width(e.label),
                                          LINE_H - 4), e.broken))
        paths.append(Path(e, (start, (lane_end, start[1]), end)))
    return labels, paths
