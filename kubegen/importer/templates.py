"""The jinja2 templates ``kubegen import`` and ``kubegen init`` write through.

They live in the top-level ``templates/`` directory of the source tree and are
installed as ``kubegen/templates/`` inside the package (see ``setup.py``).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from kubegen.errors import KubegenError


def templates_dir() -> Path:
    """Where the templates are: inside the installed package, else the source checkout's."""
    packaged = Path(str(resources.files("kubegen"))) / "templates"
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parents[2] / "templates"
    if source.is_dir():
        return source
    raise KubegenError(
        f"kubegen's templates are missing (looked in {packaged} and {source}); reinstall kubegen"
    )


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Plain-text templates: undefined names fail loudly, nothing is HTML-escaped."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(template_name: str, /, **context: Any) -> str:
    """Render template ``template_name`` with ``context``."""
    try:
        template = environment().get_template(template_name)
    except jinja2.TemplateNotFound as exc:
        raise KubegenError(
            f"kubegen's template {template_name!r} is missing from {templates_dir()}; reinstall kubegen"
        ) from exc
    return template.render(**context)
