"""A self-contained SVG of the graph: laid out by :mod:`kubegen.graph.layout`, written
through the ``graph.svg.j2`` jinja2 template (no Graphviz needed)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2

from kubegen.graph import Graph
from kubegen.graph.layout import FONT_SIZE, LINE_H, PAD, layout


def load_template(name: str) -> jinja2.Template:
    """A template shipped in ``kubegen/templates/``, or, in a source checkout where it
    has not moved there, the repository's top-level ``templates/``."""
    shipped = resources.files("kubegen").joinpath("templates", name)
    if shipped.is_file():
        text = shipped.read_text(encoding="utf-8")
    else:
        text = (Path(__file__).resolve().parents[2] / "templates" / name).read_text(encoding="utf-8")
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )
    return env.from_string(text)


def to_svg(graph: Graph) -> str:
    """The SVG document (deterministic bytes for the same graph)."""
    placed = layout(graph)
    text = load_template("graph.svg.j2").render(
        title=graph.title, width=placed.width, height=placed.height, frames=placed.frames,
        paths=placed.paths, boxes=placed.boxes, labels=placed.labels,
        font_size=FONT_SIZE, line_h=LINE_H, pad=PAD,
    )
    return text if text.endswith("\n") else text + "\n"
