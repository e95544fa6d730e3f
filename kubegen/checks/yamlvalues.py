"""The ``yaml-boolean`` rule's messages: values YAML 1.1 turned into a boolean or a
number where the API wants a string (``canary: yes``, ``version: 1.10``), and the
path wording the schema rules share.

A message quotes the scalar as the user wrote it when it can find it: from the
origin (an optional ``scalar_text(path)`` method) or from the source line the path
maps to; otherwise it explains the trap in general terms.
"""

from __future__ import annotations

import linecache
import re
from collections.abc import Sequence
from typing import Any

from kubegen.checks import Report
from kubegen.manifest import Manifest

Path = tuple[Any, ...]
"""A path into a manifest: keys and list indexes."""

# What to call the values of well-known string maps.
_MAP_WHAT = {
    "labels": "label values are strings",
    "matchLabels": "label values are strings",
    "selector": "label values are strings",
    "annotations": "annotation values are strings",
    "nodeSelector": "nodeSelector values are strings",
}


def report_yaml_value(
    report: Report, m: Manifest, value: Any, path: Path, key: Any, field_of: str | None, map_field: Any
) -> None:
    """Report ``value`` (a bool, int or float) found where the API wants a string.

    ``key`` is the field name or list index, ``field_of`` the title of the object
    type holding the field (``EnvVar``), ``map_field`` the name of the map holding
    the value (``labels``), if any.
    """
    if map_field is not None:
        if map_field in ("data", "stringData", "binaryData"):
            what = f"{m.kind} {map_field} values are strings"
        else:
            what = _MAP_WHAT.get(map_field, f"{map_field} values are strings")
    elif field_of == "EnvVar" and key == "value":
        what = "env values are strings"
    elif isinstance(key, int):
        what = f"{singular(path[-2]) if len(path) > 1 else 'item'} entries are strings"
    else:
        what = f"{key} must be a string"
    kind = "boolean" if isinstance(value, bool) else "number"
    shown = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    if m.locate(path).file.endswith(".py"):
        py = str(value) if isinstance(value, bool) else repr(value)
        fix = f"use a string such as {shown!r}" if isinstance(value, bool) else f"use the string {shown!r}"
        msg = f"{dotted(path)} is the {kind} {py}, but {what}; {fix}"
    else:
        written = _written(m, path, key, value)
        target = f"{key_text(key)}: " if not isinstance(key, int) else ""
        if written is not None:
            how = f"YAML{' 1.1' if kind == 'boolean' else ''} reads an unquoted {written} as "
            how += "a boolean" if kind == "boolean" else f"the number {shown}"
            msg = f"{dotted(path)} is the {kind} {shown}, but {what}: {how}; write {target}\"{written}\""
        elif kind == "boolean":
            alt = "yes" if value else "no"
            msg = (
                f"{dotted(path)} is the boolean {shown}, but {what}: YAML 1.1 reads unquoted yes/no, on/off and "
                f"true/false as booleans; quote the value you meant, e.g. {target}\"{alt}\" or {target}\"{shown}\""
            )
        else:
            msg = (
                f"{dotted(path)} is the number {shown}, but {what}: YAML reads unquoted numbers as numbers; "
                f"quote the value exactly as you meant it, e.g. {target}\"{shown}\""
            )
    report.add("yaml-boolean", m, f"{m.label}: {msg}", path)


def _written(m: Manifest, path: Path, key: Any, value: Any) -> str | None:
    """The scalar as written in the YAML source: from the origin when it keeps the text
    (an optional ``scalar_text(path)``), else from the source line the path maps to."""
    scalar_text = getattr(m.origin, "scalar_text", None)
    if callable(scalar_text):
        text = scalar_text(path)
        return text if isinstance(text, str) and _same_scalar(text, value) else None
    loc = m.locate(path)
    if not loc.line:
        return None
    line = linecache.getline(loc.file, loc.line)
    if not line:
        return None
    if isinstance(key, int):
        if "[" in line:
            token = _flow_item(line[line.index("[") :], key)
            return token if token is not None and _same_scalar(token, value) else None
        pattern = r"^\s*-\s+([^\s#,\]]+)"
    else:
        k = re.escape(str(key))
        pattern = rf"(?:^|[\s{{,])(?:{k}|\"{k}\"|'{k}')\s*:\s+([^\s#,{{}}\[\]]+)"
    match = re.search(pattern, line)
    if match is None:
        return None
    token = match.group(1)
    return token if _same_scalar(token, value) else None


def _flow_item(text: str, index: int) -> str | None:
    """Item ``index`` of a one-line flow sequence (``[--a, yes]``), as written, if plain."""
    import yaml  # type: ignore[import-untyped]  # only when a message needs it

    try:
        node = yaml.compose(text.split(" #", 1)[0].strip())
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.SequenceNode) or index >= len(node.value):
        return None
    item = node.value[index]
    return str(item.value) if isinstance(item, yaml.ScalarNode) and not item.style else None


def _same_scalar(token: str, value: Any) -> bool:
    from kubegen.reader_scalars import plain_scalar  # kubectl's reading (y, 1e3, 0o7), not PyYAML's

    try:
        parsed = plain_scalar(token)
    except ValueError:
        return False
    return type(parsed) is type(value) and bool(parsed == value)


def dotted(path: Sequence[Any]) -> str:
    """``("spec", "ports", 0, "port")`` -> ``spec.ports[0].port``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(object)"


def singular(key: Any) -> str:
    """``ports`` -> ``port``: what one item of a list field is called."""
    name = str(key)
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return f"{name} entry"


def key_text(key: Any) -> str:
    """A key as it can be written in YAML (quoted when it needs to be)."""
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z0-9_./-]+", text) else f'"{text}"'
