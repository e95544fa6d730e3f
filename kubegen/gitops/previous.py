"""Reading the previous state of an object cheaply: only the fields a change check needs.

Comparing a render with the directory parses each replaced file. Parsing whole
files is most of the cost when many objects change at once (a new image tag on
every Deployment), yet a Deployment's only immutable field is ``spec.selector``.
For a file whose bytes are exactly what kubegen wrote (its sha256 is the one the
ownership record lists), the layout is kubegen's own block style: two-space
indents, list items at their key's indentation, flow style only for empty
collections. :func:`previous_object` then cuts out just the fields of
:data:`FIELDS` by indentation and parses those few lines; any other file (edited
by hand, written by another tool) is parsed whole.
"""

from __future__ import annotations

import re
from typing import Any

import yaml  # type: ignore[import-untyped]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "Deployment": (("spec", "selector"), ("spec", "replicas")),
    "DaemonSet": (("spec", "selector"),),
    "ReplicaSet": (("spec", "selector"), ("spec", "replicas")),
    "StatefulSet": (("spec",),),
    "Job": (("spec",),),
    "Pod": (("spec",),),
    "PersistentVolumeClaim": (("spec",),),
    "Service": (("spec",),),
    "ConfigMap": (("immutable",), ("data",), ("binaryData",)),
    "Secret": (("immutable",), ("type",), ("data",), ("stringData",)),
    "RoleBinding": (("roleRef",),),
    "ClusterRoleBinding": (("roleRef",),),
    "StorageClass": (("provisioner",), ("parameters",), ("reclaimPolicy",), ("volumeBindingMode",)),
}
"""Per kind, the paths :mod:`kubegen.gitops.immutable` compares."""


def previous_object(text: str, kind: str, canonical: bool) -> dict[str, Any] | None:
    """The previous object (``None``: not a mapping, or not YAML), whole or only :data:`FIELDS`.

    ``canonical`` says that kubegen wrote ``text`` byte for byte, so its layout can
    be trusted for cutting out fields.
    """
    paths = FIELDS.get(kind)
    if not canonical or paths is None:
        try:
            whole = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError:
            return None
        return whole if isinstance(whole, dict) else None
    partial: dict[str, Any] = {"kind": kind}
    for path in paths:
        span = _span(text, 0, len(text), path, 0)
        if span is None:
            continue
        try:
            value = yaml.load(text[span[0]:span[1]], Loader=_Loader)
        except yaml.YAMLError:  # pragma: no cover - kubegen's own output always parses
            return previous_object(text, kind, canonical=False)
        node = partial
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value.get(path[-1]) if isinstance(value, dict) else None
        if path == ("immutable",) and node[path[-1]] is not True and kind == "ConfigMap":
            break  # a mutable ConfigMap's data may change: nothing more to read
    return partial


def _span(text: str, start: int, end: int, path: tuple[str, ...], indent: int) -> tuple[int, int] | None:
    """Offsets ``[i, j)`` of the entry at ``path`` (its key line and its value) within
    ``text[start:end]``, whose keys of this level sit at column ``indent``."""
    key = re.compile(rf"(?:^|\n)({' ' * indent}{re.escape(path[0])}:)(?= |\n|$)")
    found = key.search(text, start, end)
    if found is None:
        return None
    i = found.start(1)
    after = _block_end(indent).search(text, found.end(1), end)
    j = after.start() + 1 if after is not None else end
    if len(path) == 1:
        return i, j
    return _span(text, i, j, path[1:], indent + 2)


_ENDS: dict[int, re.Pattern[str]] = {}


def _block_end(indent: int) -> re.Pattern[str]:
    """The first line that no longer belongs to a key at ``indent``: not blank, not
    deeper, not a list item at that column."""
    pattern = _ENDS.get(indent)
    if pattern is None:
        pattern = _ENDS[indent] = re.compile(rf"\n(?!\n| {{{indent + 1}}}|{' ' * indent}- |$)")
    return pattern
