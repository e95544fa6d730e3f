"""The graph in Graphviz's DOT language (``dot -Tsvg`` or ``-Tpng`` draws it)."""

from __future__ import annotations

from kubegen.graph import Graph, GraphNode

_STYLE = {
    "outside": 'shape=box, style="rounded,filled", fillcolor="#fefcbf"',
    "ingress": 'shape=box, style="rounded,filled", fillcolor="#e6fffa"',
    "entry": 'shape=box, style="rounded,filled", fillcolor="#e6fffa"',
    "service": 'shape=box, style="rounded,filled", fillcolor="#ebf8ff"',
    "workload": 'shape=box, style="filled", fillcolor="#faf5ff"',
    "pod": 'shape=box, style="rounded"',
    "missing": 'shape=box, style="dashed", color="#c53030", fontcolor="#c53030"',
}
_BROKEN = 'color="#c53030", fontcolor="#c53030", style=dashed, penwidth=1.6'


def quote(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node(node: GraphNode, ident: str) -> str:
    style = _STYLE[node.kind] if not node.broken or node.kind == "missing" else _STYLE["missing"]
    return f"{ident} [label={quote(chr(10).join(node.lines))}, {style}];"


def to_dot(graph: Graph) -> str:
    """A ``digraph`` laid out left to right; one cluster per node, broken edges red and dashed."""
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
    lines = [
        "digraph kubegen {",
        "  rankdir=LR;",
        '  graph [fontname="monospace", fontsize=11, nodesep=0.25, ranksep=0.9];',
        '  node [fontname="monospace", fontsize=10];',
        '  edge [fontname="monospace", fontsize=9];',
    ]
    lines += [f"  {_node(n, ids[n.id])}" for n in graph.nodes if n.column == 0]
    lines.append("  subgraph cluster_k8s {")
    lines.append(f'    label={quote(graph.title)}; style=dashed; color="#8a94a6";')
    lines += [f"    {_node(n, ids[n.id])}" for n in graph.nodes if n.column != 0 and n.group is None]
    for i, group in enumerate(graph.groups):
        lines.append(f"    subgraph cluster_node{i} {{")
        lines.append(f'      label={quote(group.title)}; style=filled; fillcolor="#eef3fb"; color="#8a94a6";')
        lines += [f"      {_node(n, ids[n.id])}" for n in graph.nodes if n.group == group.id]
        lines.append("    }")
    lines.append("  }")
    for e in graph.edges:
        attrs = [f"label={quote(e.label)}"] if e.label else []
        if e.broken:
            attrs.append(_BROKEN)
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {ids[e.source]} -> {ids[e.target]}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
