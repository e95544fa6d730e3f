"""``kubegen init``: a starter app.py and README.md from the templates."""

from __future__ import annotations

import os
import re

from kubegen import facts
from kubegen.errors import KubegenError, UsageError
from kubegen.importer.templates import render_template
from kubegen.output import write_text

FILES = (("app.py", "init_app.py.j2"), ("README.md", "init_README.md.j2"))
DEFAULT_NAME = "hello"


def app_name(directory: str) -> str:
    """A Service-safe name (DNS-1035 label) from the directory's name, else ``hello``."""
    base = os.path.basename(os.path.abspath(directory))
    name = re.sub(r"[^a-z0-9-]+", "-", base.lower()).strip("-")[: facts.LABEL_MAX].rstrip("-")
    return name if name and not facts.dns1035_label_problems(name) else DEFAULT_NAME


def scaffold(directory: str, *, name: str | None = None, force: bool = False) -> list[str]:
    """Write the starter files into ``directory``; returns their paths.

    Raises :class:`KubegenError` (naming the file) if one exists and ``force`` is
    false, before anything is written.
    """
    if name is not None:
        problems = facts.dns1035_label_problems(name)
        if problems:
            raise UsageError(f"--name {name!r} {'; '.join(problems)}")
    name = name or app_name(directory)
    paths = [os.path.join(directory, file) for file, _ in FILES]
    if not force:
        for path in paths:
            if os.path.exists(path):
                raise KubegenError(f"{path} already exists; kubegen init never overwrites files (use --force)")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise KubegenError(f"cannot create directory {directory}: {exc.strerror or exc}") from None
    context = {"name": name, "image": "nginx:1.27", "port": 80}
    texts = [render_template(template, **context) for _, template in FILES]
    for path, text in zip(paths, texts, strict=True):
        write_text(path, text)
    return paths
