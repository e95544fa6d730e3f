"""The graph as a Mermaid flowchart (left to right, one subgraph per node)."""

from __future__ import annotations

from kubegen.graph import Graph, GraphNode

BROKEN_STYLE = "stroke:#c53030,stroke-width:2px,stroke-dasharray:5 3,color:#c53030"
_SHAPES = {"outside": ('(["', '"])'), "ingress": ('[/"', '"/]'), "entry": ('[/"', '"/]'),
           "service": ('(["', '"])'), "workload": ('[["', '"]]'), "pod": ('("', '")'), "missing": ('["', '"]')}


_ESCAPES = {"&": "#38;", '"': "#quot;", "<": "#60;", ">": "#62;", "#": "#35;"}


def _text(text: str) -> str:
    """Mermaid's entity codes for the characters that end or confuse a quoted label."""
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def _node(node: GraphNode, ident: str) -> str:
    opening, closing = _SHAPES[node.kind]
    label = "<br/>".join(_text(line) for line in node.lines)
    suffix = ":::broken" if node.broken else ""
    return f"{ident}{opening}{label}{closing}{suffix}"


def to_mermaid(graph: Graph) -> str:
    """A ``flowchart LR``; broken edges are dotted and red, broken boxes red."""
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes)}
    lines = ["flowchart LR", f"  classDef broken {BROKEN_STYLE}"]
    outside = [n for n in graph.nodes if n.column == 0]
    inside = [n for n in graph.nodes if n.column != 0 and n.group is None]
    lines += [f"  {_node(n, ids[n.id])}" for n in outside]
    lines.append(f'  subgraph cluster["{_text(graph.title)}"]')
    lines.append("    direction LR")
    lines += [f"    {_node(n, ids[n.id])}" for n in inside]
    for i, group in enumerate(graph.groups):
        lines.append(f'    subgraph node{i}["{_text(group.title)}"]')
        lines += [f"      {_node(n, ids[n.id])}" for n in graph.nodes if n.group == group.id]
        lines.append("    end")
    lines.append("  end")
    broken: list[int] = []
    for index, e in enumerate(graph.edges):
        arrow = "-.->" if e.broken else "-->"
        label = f'|"{_text(e.label)}"|' if e.label else ""
        lines.append(f"  {ids[e.source]} {arrow}{label} {ids[e.target]}")
        if e.broken:
            broken.append(index)
    if broken:
        lines.append(f"  linkStyle {','.join(map(str, broken))} stroke:#c53030,stroke-width:2px,color:#c53030")
    return "\n".join(lines) + "\n"
