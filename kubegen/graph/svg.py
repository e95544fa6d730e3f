"""A self-contained SVG of the graph: laid out by :mod:`kubegen.graph.layout`, written
through the ``graph.svg.j2`` jinja2 template (no Graphviz needed)."""

from __future__ import annotations

import jinja2

from kubegen.graph import Graph
from kubegen.graph.layout import FONT_SIZE, LINE_H, PAD, layout


def load_template(name: str) -> jinja2.Template:
    """A template from kubegen's templates directory (the one ``kubegen import`` and
    ``kubegen init`` use: inside the installed package, else the source checkout's),
    XML-escaping every value."""
    from kubegen.importer.templates import templates_dir

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )
    return env.get_template(name)


def to_svg(graph: Graph) -> str:
    """The SVG document (deterministic bytes for the same graph)."""
    placed = layout(graph)
    text = load_template("graph.svg.j2").render(
        title=graph.title, width=placed.width, height=placed.height, frames=placed.frames,
        paths=placed.paths, boxes=placed.boxes, labels=placed.labels,
        font_size=FONT_SIZE, line_h=LINE_H, pad=PAD,
    )
    return text if text.endswith("\n") else text + "\n"
