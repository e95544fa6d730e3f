"""Values no manifest can hold, as ``schema`` findings: the checks' side of
:mod:`kubegen.values`, the admission rule the writer applies too.

A ``Raw`` dict or an escape hatch (``extra=``, ``spec_extra=``) may carry any Python
value, and a builder's string may carry any code point. What JSON (and so the API
server) cannot carry is reported here, at the user's line, naming the field, so that
render never writes what its own lint would reject, and never crashes writing it.
The other rules see only admitted objects (as they see only documents the reader
could read), so none of them has to guard against a set, a NaN or a surrogate.
Manifests read from YAML hold only admissible values (the reader guarantees it), so
the walk runs on the others only.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from kubegen.checks import Report
from kubegen.checks.yamlvalues import dotted
from kubegen.manifest import Manifest
from kubegen.values import admissible, text_problem, value_problems

# A broken value tends to repeat (a set in every item of a list): a few findings per
# object say enough.
_PER_OBJECT = 5


def is_admitted(m: Manifest) -> bool:
    """Whether every value of ``m`` is one JSON can carry (what the reader read is)."""
    reader = sys.modules.get("kubegen.reader_lines")  # not imported: nothing was read from YAML
    return (reader is not None and isinstance(m.origin, reader.YamlOrigin)) or admissible(m.obj)


def admitted(manifests: Sequence[Manifest]) -> list[Manifest]:
    """The manifests :func:`admit` lets through (for explain and graph, which model only
    what could reach a cluster; the checks report the rest)."""
    return [m for m in manifests if is_admitted(m)]


def admit(manifests: Sequence[Manifest], report: Report) -> list[Manifest]:
    """The manifests whose every value JSON can carry; ``schema`` for each value of the
    others."""
    admitted = []
    for m in manifests:
        if is_admitted(m):
            admitted.append(m)
            continue
        for path, problem in value_problems(m.obj, limit=_PER_OBJECT):
            report.add("schema", m, f"{_label(m)}: {_shown(path)} {problem}", path)
    return admitted


def _label(m: Manifest) -> str:
    return ascii(m.label) if text_problem(m.label) is not None else m.label


def _shown(path: tuple[Any, ...]) -> str:
    if len(path) > 12:  # a path as deep as the nesting limit: its start and its end
        return f"{dotted(path[:6])}...{dotted(path[-2:])} ({len(path)} levels down)"
    return dotted(path)
